"""lectr.usage.sse: reading usage from streams, and removing what Lectr's include_usage injection added."""

from __future__ import annotations

import json
import random
from typing import Any, Iterable

import pytest

from lectr.usage.sse import AnthropicStream, OpenAIStream, StreamReader, StrippingOpenAIStream

MODEL = "gpt-4o-mini-2024-07-18"
USAGE = {
    "prompt_tokens": 12,
    "completion_tokens": 7,
    "total_tokens": 19,
    "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 2, "audio_tokens": 0},
}
DELTAS = [{"role": "assistant", "content": "", "refusal": None}, {"content": "Hello"}, {"content": " there"},
          {"content": ' and "usage":null, as text'}]


def _dumps(obj: Any, spaced: bool) -> bytes:
    return json.dumps(obj, separators=(", ", ": ") if spaced else (",", ":")).encode()


def openai_stream(*, include_usage: bool, sep: bytes = b"\n\n", spaced: bool = False, done: bool = True) -> bytes:
    """An OpenAI chat stream as the API sends it, with or without stream_options.include_usage."""
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1735689600, "model": MODEL,
            "service_tier": "default", "system_fingerprint": "fp_50cad350e4"}
    events = []
    finishes = [None] * len(DELTAS) + ["stop"]
    for delta, finish in zip([*DELTAS, {}], finishes):
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        if include_usage:
            chunk["usage"] = None
        events.append(b"data: " + _dumps(chunk, spaced))
    if include_usage:
        events.append(b"data: " + _dumps({**base, "choices": [], "usage": USAGE}, spaced))
    if done:
        events.append(b"data: [DONE]")
    return b"".join(e + sep for e in events)


def groq_stream(*, include_usage: bool) -> bytes:
    """Groq: usage in x_groq on the finishing chunk; include_usage adds a usage chunk but no `usage: null`."""
    usage = {"queue_time": 0.01, "prompt_tokens": 30, "prompt_time": 0.002, "completion_tokens": 9,
             "completion_time": 0.02, "total_tokens": 39, "total_time": 0.022}
    base = {"id": "chatcmpl-g", "object": "chat.completion.chunk", "created": 1, "model": "llama-3.1-8b-instant",
            "system_fingerprint": "fp_3f3b593e33"}
    events = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None,
                              "finish_reason": None}], "x_groq": {"id": "req_01abc"}},
        {**base, "choices": [{"index": 0, "delta": {"content": "Hi"}, "logprobs": None, "finish_reason": None}]},
        {**base, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}],
         "x_groq": {"id": "req_01abc", "usage": usage}},
    ]
    if include_usage:
        events.append({**base, "choices": [], "usage": usage})
    return b"".join(b"data: " + _dumps(e, False) + b"\n\n" for e in events) + b"data: [DONE]\n\n"


def anthropic_stream(*, delta_usages: Iterable[dict[str, int]], stop: bool = True, sep: bytes = b"\n\n") -> bytes:
    start_usage = {"input_tokens": 25, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 2000,
                   "output_tokens": 1}
    frames = [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-3-5-sonnet-20241022",
            "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "Hello"}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": " there"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ]
    for usage in delta_usages:
        frames.append(("message_delta", {"type": "message_delta",
                                         "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                         "usage": usage}))
    if stop:
        frames.append(("message_stop", {"type": "message_stop"}))
    nl = b"\r\n" if sep == b"\r\n\r\n" else b"\n"
    return b"".join(b"event: " + name.encode() + nl + b"data: " + _dumps(obj, False) + sep for name, obj in frames)


def run(reader: StreamReader, chunks: Iterable[bytes]) -> bytes:
    """Feed `chunks` as they would arrive from the network; what the client receives."""
    out = b"".join(reader.feed(c) for c in chunks)
    return out + reader.flush()


def whole(data: bytes) -> list[bytes]:
    return [data]


def bytewise(data: bytes) -> list[bytes]:
    return [data[i:i + 1] for i in range(len(data))]


def random_cuts(data: bytes, seed: int = 7) -> list[bytes]:
    rnd = random.Random(seed)
    cuts = sorted(rnd.sample(range(1, len(data)), 40))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]


def by_event(data: bytes) -> list[bytes]:
    return [part + b"\n\n" for part in data.split(b"\n\n") if part]


SPLITS = [whole, bytewise, random_cuts, by_event]


# ---- OpenAIStream ---------------------------------------------------------------------------------


@pytest.mark.parametrize("split", SPLITS)
def test_openai_stream_reads_usage_from_the_final_usage_chunk_and_passes_bytes_through(split) -> None:
    data = openai_stream(include_usage=True)
    reader = OpenAIStream()
    assert run(reader, split(data)) == data
    assert reader.usage is not None
    assert (reader.usage.input_tokens, reader.usage.output_tokens) == (12, 7)
    assert (reader.usage.cached_tokens, reader.usage.reasoning_tokens) == (4, 2)
    assert reader.model == MODEL
    assert reader.finished is True


@pytest.mark.parametrize("split", [whole, bytewise])
def test_openai_stream_reads_groq_x_groq_usage(split) -> None:
    data = groq_stream(include_usage=False)
    reader = OpenAIStream()
    assert run(reader, split(data)) == data
    assert reader.usage is not None
    assert (reader.usage.input_tokens, reader.usage.output_tokens) == (30, 9)
    assert reader.model == "llama-3.1-8b-instant"
    assert reader.finished is True


def test_openai_stream_without_usage_has_none() -> None:
    reader = OpenAIStream()
    run(reader, [openai_stream(include_usage=False)])
    assert reader.usage is None and reader.finished is True


@pytest.mark.parametrize("split", [whole, bytewise])
def test_openai_stream_not_finished_without_done(split) -> None:
    reader = OpenAIStream()
    run(reader, split(openai_stream(include_usage=True, done=False)))
    assert reader.finished is False


# ---- StrippingOpenAIStream ----------------------------------------------------------------------


@pytest.mark.parametrize("spaced", [False, True], ids=["compact", "spaced"])
@pytest.mark.parametrize("split", SPLITS)
def test_stripping_gives_exactly_the_stream_without_include_usage(split, spaced: bool) -> None:
    injected = openai_stream(include_usage=True, spaced=spaced)
    expected = openai_stream(include_usage=False, spaced=spaced)
    reader = StrippingOpenAIStream()
    out = run(reader, split(injected))
    assert out == expected
    assert b'"usage"' in injected and b'"usage":{' not in out and b'"usage": {' not in out
    assert reader.usage is not None
    assert (reader.usage.input_tokens, reader.usage.output_tokens) == (12, 7)
    assert reader.finished is True


@pytest.mark.parametrize("split", [whole, bytewise, random_cuts])
def test_stripping_keeps_crlf_framing(split) -> None:
    injected = openai_stream(include_usage=True, sep=b"\r\n\r\n")
    expected = openai_stream(include_usage=False, sep=b"\r\n\r\n")
    reader = StrippingOpenAIStream()
    assert run(reader, split(injected)) == expected
    assert reader.usage is not None and reader.usage.output_tokens == 7
    assert reader.finished is True


@pytest.mark.parametrize("split", [whole, bytewise])
def test_stripping_groq_stream_removes_only_the_added_usage_chunk(split) -> None:
    reader = StrippingOpenAIStream()
    assert run(reader, split(groq_stream(include_usage=True))) == groq_stream(include_usage=False)
    assert reader.usage is not None and (reader.usage.input_tokens, reader.usage.output_tokens) == (30, 9)


def test_stripping_keeps_azure_prompt_filter_chunk_with_empty_choices() -> None:
    prompt_filter = (b'data: {"choices":[],"created":0,"id":"","model":"","object":"",'
                     b'"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}\n\n')
    reader = StrippingOpenAIStream()
    out = run(reader, bytewise(prompt_filter + openai_stream(include_usage=True)))
    assert out == prompt_filter + openai_stream(include_usage=False)


def test_stripping_not_finished_without_done() -> None:
    reader = StrippingOpenAIStream()
    run(reader, bytewise(openai_stream(include_usage=True, done=False)))
    assert reader.finished is False


# ---- AnthropicStream ------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [b"\n\n", b"\r\n\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("split", [whole, bytewise, random_cuts])
def test_anthropic_stream_sums_cache_into_input_and_takes_output_from_message_delta(split, sep: bytes) -> None:
    data = anthropic_stream(delta_usages=[{"output_tokens": 42}], sep=sep)
    reader = AnthropicStream()
    assert run(reader, split(data)) == data
    usage = reader.usage
    assert usage is not None
    assert usage.input_tokens == 25 + 100 + 2000
    assert (usage.cached_tokens, usage.cache_write_tokens) == (2000, 100)
    assert usage.output_tokens == 42
    assert reader.model == "claude-3-5-sonnet-20241022"
    assert reader.finished is True


def test_anthropic_message_delta_output_is_cumulative_not_summed() -> None:
    reader = AnthropicStream()
    run(reader, [anthropic_stream(delta_usages=[{"output_tokens": 5}, {"output_tokens": 9}])])
    assert reader.usage is not None and reader.usage.output_tokens == 9


def test_anthropic_message_delta_with_full_cumulative_usage() -> None:
    full = {"input_tokens": 25, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 2000,
            "output_tokens": 17}
    reader = AnthropicStream()
    run(reader, [anthropic_stream(delta_usages=[full])])
    assert reader.usage is not None
    assert (reader.usage.input_tokens, reader.usage.output_tokens, reader.usage.cached_tokens) == (2125, 17, 2000)


@pytest.mark.parametrize("split", [whole, bytewise])
def test_anthropic_not_finished_without_message_stop(split) -> None:
    reader = AnthropicStream()
    run(reader, split(anthropic_stream(delta_usages=[{"output_tokens": 42}], stop=False)))
    assert reader.finished is False
