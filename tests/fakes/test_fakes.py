"""Self-tests: the fakes driven directly by the official SDKs (openai, anthropic, groq)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import groq
import httpx
import httpx2
import openai
import orjson
import pytest

from tests.fakes.server import FakeProviders

pytestmark = pytest.mark.timeout(20)

MESSAGES: list[Any] = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "say hello to me"},
]
PROMPT_TOKENS = 11 + 2 + 4  # base + system words + user words


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeProviders]:
    with FakeProviders() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(fakes: FakeProviders) -> None:
    fakes.clear()


def oai(fakes: FakeProviders, provider: str = "openai", **kw: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=fakes.base_urls[provider], api_key="sk-test", max_retries=0, **kw)


def azure(fakes: FakeProviders) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        azure_endpoint=fakes.base_urls["azure"], api_version="2024-02-01", api_key="az-key", max_retries=0
    )


def claude(fakes: FakeProviders, **kw: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=fakes.root_urls["anthropic"], api_key="sk-ant-test", max_retries=0, **kw)


def scenario(value: str) -> dict[str, str]:
    return {"X-Fake-Scenario": value}


def raw_frames(fakes: FakeProviders, provider: str, path: str, body: dict[str, Any]) -> list[bytes]:
    resp = httpx.post(fakes.base_urls[provider] + path, json=body, headers={"Authorization": "Bearer k"})
    assert resp.status_code == 200
    assert resp.content.endswith(b"\n\n")
    return resp.content.split(b"\n\n")[:-1]


# ---- OpenAI --------------------------------------------------------------------------------------


def test_openai_chat_non_stream(fakes: FakeProviders) -> None:
    raw = oai(fakes).chat.completions.with_raw_response.create(model="gpt-4o", messages=MESSAGES)
    completion = raw.parse()
    assert raw.headers["x-request-id"].startswith("req_")
    assert completion.model == "gpt-4o-2024-08-06"
    assert completion.id.startswith("chatcmpl-") and completion.created == 1_735_689_600
    assert completion.choices[0].message.content == "Hello from openai! You sent 4 words."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (PROMPT_TOKENS, 7)
    assert completion.usage.prompt_tokens_details and completion.usage.prompt_tokens_details.cached_tokens == 0
    received = fakes.last("openai")
    assert received.path == "/v1/chat/completions" and received.headers["authorization"] == "Bearer sk-test"
    assert received.json is not None and received.json["model"] == "gpt-4o"


def test_responses_are_deterministic(fakes: FakeProviders) -> None:
    url = fakes.base_urls["openai"] + "/chat/completions"
    auth = {"Authorization": "Bearer k"}
    first = httpx.post(url, json={"model": "gpt-4o-mini", "messages": MESSAGES}, headers=auth)
    # Re-serialised differently, with an extra field: same content-defining fields, same bytes.
    body = orjson.dumps({"temperature": 0, "messages": MESSAGES, "model": "gpt-4o-mini"}, option=orjson.OPT_INDENT_2)
    second = httpx.post(url, content=body, headers=auth | {"content-type": "application/json"})
    assert first.content == second.content
    assert first.headers["x-request-id"] == second.headers["x-request-id"]
    assert orjson.loads(first.content)["model"] == "gpt-4o-mini-2024-07-18"


def test_openai_stream_usage_only_with_include_usage(fakes: FakeProviders) -> None:
    plain = raw_frames(fakes, "openai", "/chat/completions", {"model": "gpt-4o", "messages": MESSAGES, "stream": True})
    assert plain[-1] == b"data: [DONE]"
    assert all(b'"usage"' not in frame for frame in plain)

    chunks = list(
        oai(fakes).chat.completions.create(
            model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    deltas = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(deltas) >= 3 and "".join(deltas) == "Hello from openai! You sent 4 words."
    assert all(c.usage is None for c in chunks[:-1])
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == PROMPT_TOKENS + 7


def test_openai_usage_overrides_and_reasoning(fakes: FakeProviders) -> None:
    client = oai(fakes)
    reasoning = client.chat.completions.create(model="o3-mini", messages=MESSAGES)
    assert reasoning.usage and reasoning.usage.completion_tokens_details
    reasoning_tokens = reasoning.usage.completion_tokens_details.reasoning_tokens
    assert reasoning_tokens is not None and reasoning_tokens > 0
    assert reasoning.usage.completion_tokens == 7 + reasoning_tokens
    headers = {"X-Fake-Cached-Tokens": "5", "X-Fake-Reasoning-Tokens": "3"}
    custom = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_headers=headers)
    assert custom.usage and custom.usage.prompt_tokens_details and custom.usage.completion_tokens_details
    assert custom.usage.prompt_tokens_details.cached_tokens == 5
    assert custom.usage.completion_tokens_details.reasoning_tokens == 3


def test_openai_max_tokens_truncates(fakes: FakeProviders) -> None:
    completion = oai(fakes).chat.completions.create(model="gpt-4o", messages=MESSAGES, max_tokens=3)
    assert completion.choices[0].finish_reason == "length"
    assert completion.choices[0].message.content == "Hello from openai!"


def test_openai_completions_embeddings_models(fakes: FakeProviders) -> None:
    client = oai(fakes)
    text = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="one two")
    assert text.choices[0].text.startswith("Hello from openai!")
    streamed = list(client.completions.create(model="gpt-3.5-turbo-instruct", prompt="one two", stream=True))
    assert "".join(c.choices[0].text for c in streamed) == text.choices[0].text

    as_base64 = client.embeddings.create(model="text-embedding-3-small", input=["a b", "c"])  # SDK asks base64
    assert fakes.last().json == {"model": "text-embedding-3-small", "input": ["a b", "c"], "encoding_format": "base64"}
    as_float = client.embeddings.create(model="text-embedding-3-small", input=["a b", "c"], encoding_format="float")
    assert [d.embedding for d in as_base64.data] == [d.embedding for d in as_float.data]
    assert len(as_float.data) == 2 and len(as_float.data[0].embedding) == 16
    assert len(client.embeddings.create(model="m", input="x", dimensions=4).data[0].embedding) == 4

    assert "gpt-4o" in [m.id for m in client.models.list()]


def test_openai_responses_api(fakes: FakeProviders) -> None:
    client = oai(fakes)
    response = client.responses.create(model="gpt-4o", input="hi there")
    assert response.output_text == "Hello from openai! You sent 2 words."
    assert response.usage and response.usage.input_tokens == 13 and response.usage.output_tokens == 7
    events = list(client.responses.create(model="gpt-4o", input="hi there", stream=True))
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == response.output_text
    with client.responses.stream(model="gpt-4o", input="hi there") as stream:
        final = stream.get_final_response()
    assert final.output_text == response.output_text and final.id == response.id


# ---- Anthropic -----------------------------------------------------------------------------------


def test_anthropic_native_non_stream(fakes: FakeProviders) -> None:
    raw = claude(fakes).messages.with_raw_response.create(
        model="claude-sonnet-4-5",
        max_tokens=100,
        system="Be brief.",
        messages=[{"role": "user", "content": "say hello to me"}],
        extra_headers={"X-Fake-Cached-Tokens": "6", "X-Fake-Cache-Write-Tokens": "9"},
    )
    message = raw.parse()
    assert raw.headers["request-id"].startswith("req_") and message._request_id == raw.headers["request-id"]
    assert message.id.startswith("msg_") and message.model == "claude-sonnet-4-5"
    assert message.content[0].type == "text" and message.content[0].text == "Hello from anthropic! You sent 4 words."
    assert message.stop_reason == "end_turn"
    usage = message.usage
    assert (usage.input_tokens, usage.output_tokens) == (PROMPT_TOKENS, 7)
    assert (usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (6, 9)
    assert fakes.last("anthropic").headers["anthropic-version"]


def test_anthropic_native_stream_accumulates(fakes: FakeProviders) -> None:
    client = claude(fakes)
    kwargs: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "say hello to me"}],
    }
    with client.messages.stream(**kwargs, extra_headers={"X-Fake-Cached-Tokens": "4"}) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(texts) >= 3 and "".join(texts) == final.content[0].text  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn"
    assert (final.usage.input_tokens, final.usage.output_tokens, final.usage.cache_read_input_tokens) == (15, 7, 4)
    events = [e.type for e in client.messages.create(**kwargs, stream=True)]  # the SDK drops `ping`
    assert events == ["message_start", "content_block_start"] + ["content_block_delta"] * 7 + [
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    wire = httpx.post(
        fakes.root_urls["anthropic"] + "/v1/messages",
        json=kwargs | {"stream": True},
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
    )
    names = [line[len("event: ") :] for line in wire.text.splitlines() if line.startswith("event: ")]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert wire.headers["content-type"] == "text/event-stream; charset=utf-8"


def test_anthropic_auth_and_version_rules(fakes: FakeProviders) -> None:
    url = fakes.root_urls["anthropic"] + "/v1/messages"
    body: dict[str, Any] = {"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    no_key = httpx.post(url, json=body, headers={"anthropic-version": "2023-06-01"})
    assert no_key.status_code == 401 and no_key.json()["error"]["type"] == "authentication_error"
    no_version = httpx.post(url, json=body, headers={"x-api-key": "k"})
    assert no_version.status_code == 400
    assert no_version.json()["type"] == "error" and no_version.json()["error"]["type"] == "invalid_request_error"
    with pytest.raises(anthropic.BadRequestError):
        claude(fakes).messages.create(
            model="claude-x",
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=5,
            extra_body={"max_tokens": None},
        )
    with pytest.raises(anthropic.RateLimitError) as info:
        claude(fakes).messages.create(**body, extra_headers=scenario("status:429"))
    assert info.value.response.headers["retry-after"] == "0"
    with pytest.raises(anthropic.InternalServerError):
        claude(fakes).messages.create(**body, extra_headers=scenario("status:529"))


def test_anthropic_openai_compat(fakes: FakeProviders) -> None:
    client = oai(fakes, "anthropic")
    completion = client.chat.completions.create(model="claude-sonnet-4-5", messages=MESSAGES)
    assert completion.id.startswith("msg_")
    assert (completion.choices[0].message.content or "").startswith("Hello from anthropic!")
    chunks = list(client.chat.completions.create(model="claude-sonnet-4-5", messages=MESSAGES, stream=True))
    assert all(c.usage is None for c in chunks)
    assert fakes.last("anthropic").path == "/v1/chat/completions"
    no_auth = httpx.post(fakes.base_urls["anthropic"] + "/chat/completions", json={"model": "c", "messages": []})
    assert no_auth.status_code == 401


# ---- Groq ----------------------------------------------------------------------------------------


def test_groq_non_stream_and_stream(fakes: FakeProviders) -> None:
    client = groq.Groq(base_url=fakes.root_urls["groq"], api_key="gsk_test", max_retries=0)
    completion = client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MESSAGES)
    assert completion.usage and completion.usage.queue_time is not None and completion.usage.total_time is not None
    assert completion.usage.prompt_tokens == PROMPT_TOKENS
    assert fakes.last("groq").path == "/openai/v1/chat/completions"

    chunks = list(client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MESSAGES, stream=True))
    assert chunks[0].x_groq and chunks[0].x_groq.id and chunks[0].x_groq.id.startswith("req_")
    assert chunks[0].x_groq.usage is None
    finishing = chunks[-1]
    assert finishing.choices[0].finish_reason == "stop"
    assert finishing.x_groq and finishing.x_groq.usage and finishing.x_groq.usage.completion_tokens == 7
    assert all(c.usage is None for c in chunks)

    with_usage = list(
        client.chat.completions.create(
            model="llama-3.3-70b-versatile",
            messages=MESSAGES,
            stream=True,
            extra_body={"stream_options": {"include_usage": True}},  # groq SDK lacks the typed param
        )
    )
    assert (
        with_usage[-1].choices == [] and with_usage[-1].usage and with_usage[-1].usage.total_tokens == PROMPT_TOKENS + 7
    )
    assert with_usage[-2].x_groq and with_usage[-2].x_groq.usage
    with pytest.raises(groq.RateLimitError):
        client.chat.completions.create(model="m", messages=MESSAGES, extra_headers=scenario("status:429"))


# ---- Gemini --------------------------------------------------------------------------------------


def test_gemini(fakes: FakeProviders) -> None:
    client = oai(fakes, "gemini")
    completion = client.chat.completions.create(model="gemini-2.0-flash", messages=MESSAGES)
    assert completion.model == "gemini-2.0-flash"
    assert (completion.choices[0].message.content or "").startswith("Hello from gemini!")
    chunks = list(
        client.chat.completions.create(
            model="gemini-2.0-flash", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[-1].usage is not None
    assert client.embeddings.create(model="gemini-embedding-001", input="x").data[0].embedding
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(
            model="gemini-2.0-flash", messages=MESSAGES, extra_headers=scenario("status:429")
        )
    assert isinstance(info.value.body, list)  # Google answers errors as a one-element JSON array
    no_key = httpx.post(fakes.base_urls["gemini"] + "/chat/completions", json={"model": "g", "messages": MESSAGES})
    assert no_key.status_code == 401 and no_key.json()[0]["error"]["status"] == "UNAUTHENTICATED"


# ---- Azure ---------------------------------------------------------------------------------------


def test_azure(fakes: FakeProviders) -> None:
    client = azure(fakes)
    completion = client.chat.completions.create(model="prod-4o", messages=MESSAGES)
    received = fakes.last("azure")
    assert received.path == "/openai/deployments/prod-4o/chat/completions"
    assert received.query == {"api-version": "2024-02-01"} and received.headers["api-key"] == "az-key"
    assert completion.model == "gpt-4o-2024-08-06"
    assert completion.model_extra and completion.model_extra["prompt_filter_results"][0]["prompt_index"] == 0
    assert completion.choices[0].model_extra and "content_filter_results" in completion.choices[0].model_extra

    chunks = list(client.chat.completions.create(model="prod-4o", messages=MESSAGES, stream=True))
    assert chunks[0].choices == [] and chunks[0].model == "" and chunks[0].model_extra
    assert "prompt_filter_results" in chunks[0].model_extra
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == completion.choices[0].message.content
    )

    direct = httpx.post(
        fakes.base_urls["azure"] + "/openai/deployments/prod-4o/chat/completions",
        params={"api-version": "2024-02-01"},
        json={"messages": MESSAGES},  # no "model": the deployment names it
        headers={"api-key": "k"},
    )
    assert direct.json()["id"] == completion.id

    vectors = client.embeddings.create(model="embed-3-small", input="x")
    assert vectors.model == "text-embedding-3-small" and fakes.last().path.endswith("/embed-3-small/embeddings")

    url = fakes.base_urls["azure"] + "/openai/deployments/prod-4o/chat/completions"
    missing_version = httpx.post(url, json={"messages": MESSAGES}, headers={"api-key": "k"})
    assert missing_version.status_code == 404
    assert missing_version.json() == {"error": {"code": "404", "message": "Resource not found"}}
    missing_key = httpx.post(url, params={"api-version": "2024-02-01"}, json={"messages": MESSAGES})
    assert missing_key.status_code == 401 and missing_key.json()["error"]["code"] == "401"


# ---- Scenarios -----------------------------------------------------------------------------------


def test_status_scenarios_raise_typed_errors(fakes: FakeProviders) -> None:
    client = oai(fakes)
    for value, error in (
        ("status:400", openai.BadRequestError),
        ("status:401", openai.AuthenticationError),
        ("status:429", openai.RateLimitError),
        ("status:500", openai.InternalServerError),
    ):
        with pytest.raises(error) as info:
            client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_headers=scenario(value))
        assert isinstance(info.value.body, dict) and set(info.value.body) >= {"message", "type", "code"}
    with pytest.raises(openai.RateLimitError):
        azure(fakes).chat.completions.create(model="d", messages=MESSAGES, extra_headers=scenario("status:429"))
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_headers=scenario("nonsense"))
    with pytest.raises(openai.NotFoundError):
        client.post("/nope", cast_to=object, body={})


def test_garbage_scenarios(fakes: FakeProviders) -> None:
    client = oai(fakes)
    with pytest.raises(ValueError):  # the SDK lets json.JSONDecodeError through
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_headers=scenario("garbage"))
    with pytest.raises(ValueError):  # json.JSONDecodeError from the SSE decoder
        list(
            client.chat.completions.create(
                model="gpt-4o", messages=MESSAGES, stream=True, extra_headers=scenario("garbage_stream")
            )
        )


def test_die_scenarios(fakes: FakeProviders) -> None:
    client = oai(fakes)
    contents: list[str] = []
    with pytest.raises((openai.APIConnectionError, httpx2.TransportError)):
        for chunk in client.chat.completions.create(
            model="gpt-4o", messages=MESSAGES, stream=True, extra_headers=scenario("die_midstream")
        ):
            contents += [chunk.choices[0].delta.content] if chunk.choices and chunk.choices[0].delta.content else []
    assert contents == ["Hello", " from"]
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_headers=scenario("die_before_body"))
    with pytest.raises((openai.APIConnectionError, httpx2.TransportError)):  # half a JSON body, then RST
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_headers=scenario("die_midstream"))
    texts: list[str] = []
    with (
        pytest.raises((anthropic.APIConnectionError, httpx2.TransportError)),
        claude(fakes).messages.stream(
            model="c",
            max_tokens=50,
            messages=[{"role": "user", "content": "hi"}],
            extra_headers=scenario("die_midstream"),
        ) as stream,
    ):
        texts.extend(stream.text_stream)
    assert texts == ["Hello", " from"]
    assert fakes.disconnects == 0  # the server hung up: not a client disconnect


def test_slow_and_hang(fakes: FakeProviders) -> None:
    client = oai(fakes)
    started = time.monotonic()
    client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_headers=scenario("slow:300"))
    assert time.monotonic() - started >= 0.3
    with pytest.raises(openai.APITimeoutError):
        oai(fakes, timeout=0.3).chat.completions.create(
            model="gpt-4o", messages=MESSAGES, extra_headers=scenario("hang")
        )


def test_client_disconnect_is_counted(fakes: FakeProviders) -> None:
    client = oai(fakes)
    stream = client.chat.completions.create(
        model="gpt-4o", messages=MESSAGES, stream=True, extra_headers=scenario("stall_stream")
    )
    first = next(iter(stream))
    assert first.choices[0].delta.role == "assistant"
    stream.close()
    assert fakes.wait_disconnect(1, timeout=3)
    with pytest.raises(openai.APITimeoutError):  # non-stream: half the body, then nothing
        oai(fakes, timeout=0.3).chat.completions.create(
            model="gpt-4o", messages=MESSAGES, extra_headers=scenario("stall_stream")
        )
    assert fakes.wait_disconnect(2, timeout=3)
    slow_stream = client.chat.completions.create(
        model="gpt-4o", messages=MESSAGES, stream=True, extra_headers=scenario("chunk_delay:100")
    )
    next(iter(slow_stream))
    slow_stream.close()
    assert fakes.wait_disconnect(3, timeout=3)
    list(client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True))
    time.sleep(0.05)
    assert fakes.disconnects == 3  # complete streams do not count


def test_stop_cancels_hanging_requests() -> None:
    fakes = FakeProviders()
    fakes.start()
    client = httpx.Client(timeout=5)

    def call() -> None:
        with contextlib.suppress(httpx.HTTPError):
            client.post(
                fakes.base_urls["openai"] + "/chat/completions",
                headers={"Authorization": "Bearer k"} | scenario("hang"),
                json={},
            )

    worker = threading.Thread(target=call)
    worker.start()
    deadline = time.monotonic() + 2
    while not fakes.received and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    fakes.stop()
    assert time.monotonic() - started < 2
    worker.join(timeout=5)
    assert not worker.is_alive() and fakes.disconnects == 0
