"""OpenAI-format bodies (chat completions, chunks, completions, embeddings, models) per provider flavor.

Flavors follow what each real service puts on the wire:
  openai     refusal/annotations, service_tier, system_fingerprint, `usage: null` on chunks with include_usage
  azure      keys sorted alphabetically, content filter results, a leading prompt_filter_results chunk
  groq       Groq timing usage, `x_groq` on the first and the finishing chunk, no `usage: null`
  gemini     keys sorted, no system_fingerprint, role sent in the first content delta
  anthropic  Anthropic's OpenAI-compatible endpoint: `msg_` ids, minimal fields
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Mapping
from typing import Any

import orjson

from tests.fakes.facts import CREATED, Facts, resolve_model, word_count
from tests.fakes.scenarios import SSE_DONE, StreamPlan, sse_data

Json = dict[str, Any]
FINGERPRINTS = {"openai": "fp_50cad350e4", "azure": "fp_ee1d74bde0", "groq": "fp_3f3b593e33"}
_SAFE = {"filtered": False, "severity": "safe"}
_CONTENT_FILTERS: Json = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}
_PROMPT_FILTERS: Json = {**_CONTENT_FILTERS, "jailbreak": {"filtered": False, "detected": False}}
GEMINI_DEFAULT_EMBEDDING_MODEL = "gemini-embedding-001"


def dumps(flavor: str, obj: object) -> bytes:
    option = orjson.OPT_SORT_KEYS if flavor in ("azure", "gemini") else 0
    return orjson.dumps(obj, option=option)


def azure_model(deployment: str) -> str:
    """The underlying chat model Azure reports for a deployment name."""
    name = deployment.lower()
    if "4o-mini" in name:
        return "gpt-4o-mini-2024-07-18"
    return "gpt-4o-2024-08-06"


def azure_embedding_model(deployment: str) -> str:
    """The underlying embedding model Azure reports for a deployment name."""
    name = deployment.lower()
    for size in ("3-large", "3-small"):
        if size in name:
            return f"text-embedding-{size}"
    return "text-embedding-ada-002"


def response_model(flavor: str, facts: Facts, deployment: str | None = None) -> str:
    if flavor == "azure":
        return azure_model(deployment or facts.model)
    return resolve_model(facts.model)


def completion_id(flavor: str, facts: Facts) -> str:
    if flavor == "anthropic":
        return "msg_01" + facts.token("msg", 22)
    if flavor == "groq":
        return "chatcmpl-" + facts.uuid("chatcmpl")
    if flavor == "gemini":
        return facts.token("gemini", 23)
    return "chatcmpl-" + facts.token("chatcmpl", 29)


def usage(flavor: str, facts: Facts) -> Json:
    """The `usage` object; OpenAI-shaped except Groq's (timings, details only when non-zero)."""
    if flavor == "groq":
        out: Json = {
            "queue_time": 0.011,
            "prompt_tokens": facts.prompt_tokens,
            "prompt_time": 0.002,
            "completion_tokens": facts.completion_tokens,
            "completion_time": 0.025,
            "total_tokens": facts.total_tokens,
            "total_time": 0.027,
        }
        if facts.cached_tokens:
            out["prompt_tokens_details"] = {"cached_tokens": facts.cached_tokens}
        if facts.reasoning_tokens:
            out["completion_tokens_details"] = {"reasoning_tokens": facts.reasoning_tokens}
        return out
    return {
        "prompt_tokens": facts.prompt_tokens,
        "completion_tokens": facts.completion_tokens,
        "total_tokens": facts.total_tokens,
        "prompt_tokens_details": {"cached_tokens": facts.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": facts.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _finish_reason(facts: Facts) -> str:
    return "length" if facts.truncated else "stop"


def _envelope(flavor: str, facts: Facts, obj: str, deployment: str | None) -> Json:
    out: Json = {
        "id": completion_id(flavor, facts),
        "object": obj,
        "created": CREATED,
        "model": response_model(flavor, facts, deployment),
    }
    if flavor == "openai":
        out["service_tier"] = "default"
    if flavor in FINGERPRINTS:
        out["system_fingerprint"] = FINGERPRINTS[flavor]
    return out


def chat_completion(flavor: str, facts: Facts, deployment: str | None = None) -> bytes:
    message: Json = {"role": "assistant", "content": facts.text}
    if flavor in ("openai", "azure"):
        message |= {"refusal": None, "annotations": []}
    choice: Json = {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_reason(facts)}
    if flavor in ("gemini", "anthropic"):
        del choice["logprobs"]
    out = _envelope(flavor, facts, "chat.completion", deployment)
    out["choices"] = [choice]
    out["usage"] = usage(flavor, facts)
    if flavor == "groq":
        out["x_groq"] = {"id": facts.groq_request_id()}
    if flavor == "azure":
        choice["content_filter_results"] = _CONTENT_FILTERS
        out["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": _PROMPT_FILTERS}]
    return dumps(flavor, out)


def chat_stream(flavor: str, facts: Facts, include_usage: bool, deployment: str | None = None) -> StreamPlan:
    """Frames of a streamed chat completion (see the module doc for flavor differences)."""
    null_usage = include_usage and flavor != "groq"
    frames: list[bytes] = []

    def chunk(delta: Json, finish: str | None, extra: Json | None = None) -> bytes:
        choice: Json = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        if flavor == "gemini":
            del choice["logprobs"]
        if flavor == "azure":
            choice["content_filter_results"] = _CONTENT_FILTERS if delta.get("content") else {}
        out = _envelope(flavor, facts, "chat.completion.chunk", deployment)
        out["choices"] = [choice]
        if null_usage:
            out["usage"] = None
        out |= extra or {}
        return sse_data(dumps(flavor, out))

    if flavor == "azure":
        prompt_filter = {
            "choices": [],
            "created": 0,
            "id": "",
            "model": "",
            "object": "",
            "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _PROMPT_FILTERS}],
        }
        frames.append(sse_data(dumps(flavor, prompt_filter)))
    if flavor != "gemini":
        first: Json = {"role": "assistant", "content": ""}
        if flavor in ("openai", "azure"):
            first["refusal"] = None
        frames.append(chunk(first, None, {"x_groq": {"id": facts.groq_request_id()}} if flavor == "groq" else None))
    content_start = len(frames)
    for i, delta in enumerate(facts.deltas):
        body: Json = {"role": "assistant", "content": delta} if flavor == "gemini" and i == 0 else {"content": delta}
        frames.append(chunk(body, None))
    finish_extra = (
        {"x_groq": {"id": facts.groq_request_id(), "usage": usage(flavor, facts)}} if flavor == "groq" else None
    )
    frames.append(chunk({}, _finish_reason(facts), finish_extra))
    if include_usage:
        final = _envelope(flavor, facts, "chat.completion.chunk", deployment)
        final["choices"] = []
        final["usage"] = usage(flavor, facts)
        frames.append(sse_data(dumps(flavor, final)))
    frames.append(SSE_DONE)
    return StreamPlan(frames=frames, content_start=content_start)


def text_completion(facts: Facts) -> bytes:
    out = _envelope("openai-legacy", facts, "text_completion", None)
    out["id"] = "cmpl-" + facts.token("cmpl", 29)
    out["choices"] = [{"text": facts.text, "index": 0, "logprobs": None, "finish_reason": _finish_reason(facts)}]
    out["usage"] = _plain_usage(facts)
    return orjson.dumps(out)


def text_completion_stream(facts: Facts, include_usage: bool) -> StreamPlan:
    base = _envelope("openai-legacy", facts, "text_completion", None)
    base["id"] = "cmpl-" + facts.token("cmpl", 29)

    def chunk(text: str, finish: str | None) -> bytes:
        out = dict(base, choices=[{"text": text, "index": 0, "logprobs": None, "finish_reason": finish}])
        if include_usage:
            out["usage"] = None
        return sse_data(orjson.dumps(out))

    frames = [chunk(d, None) for d in facts.deltas] + [chunk("", _finish_reason(facts))]
    if include_usage:
        frames.append(sse_data(orjson.dumps(dict(base, choices=[], usage=_plain_usage(facts)))))
    frames.append(SSE_DONE)
    return StreamPlan(frames=frames, content_start=0)


def _plain_usage(facts: Facts) -> Json:
    return {
        "prompt_tokens": facts.prompt_tokens,
        "completion_tokens": facts.completion_tokens,
        "total_tokens": facts.total_tokens,
    }


def _vector(text: str, dims: int) -> list[float]:
    """k/128 values: exactly representable in float32, so base64 round-trips exactly."""
    out: list[float] = []
    counter = 0
    while len(out) < dims:
        block = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        out.extend((b - 128) / 128 for b in block)
        counter += 1
    return out[:dims]


def _embedding_inputs(raw: object) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw and all(isinstance(x, int) for x in raw):
        return [" ".join(map(str, raw))]
    if isinstance(raw, list):
        return [x if isinstance(x, str) else " ".join(map(str, x)) for x in raw]
    return []


def embeddings(flavor: str, body: Mapping[str, Any], deployment: str | None = None) -> bytes:
    """Deterministic embeddings honouring `dimensions` (default 16) and `encoding_format`."""
    inputs = _embedding_inputs(body.get("input"))
    dims = body.get("dimensions")
    dims = dims if isinstance(dims, int) and dims > 0 else 16
    as_base64 = body.get("encoding_format") == "base64"
    data: list[Json] = []
    for i, text in enumerate(inputs):
        vec = _vector(text, dims)
        value: object = base64.b64encode(struct.pack(f"<{dims}f", *vec)).decode() if as_base64 else vec
        data.append({"object": "embedding", "index": i, "embedding": value})
    tokens = sum(max(1, word_count(t)) for t in inputs)
    model = str(body.get("model") or "")
    if flavor == "azure":
        model = azure_embedding_model(deployment or model)
    elif flavor == "gemini" and not model:
        model = GEMINI_DEFAULT_EMBEDDING_MODEL
    out: Json = {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    return dumps(flavor, out)


MODELS: dict[str, list[tuple[str, str]]] = {
    "openai": [
        ("gpt-4o", "system"),
        ("gpt-4o-mini", "system"),
        ("o3-mini", "system"),
        ("text-embedding-3-small", "system"),
    ],
    "groq": [("llama-3.3-70b-versatile", "Meta"), ("llama-3.1-8b-instant", "Meta")],
    "gemini": [("models/gemini-2.0-flash", "google"), ("models/gemini-embedding-001", "google")],
}


def models_list(flavor: str) -> bytes:
    data: list[Json] = []
    for model_id, owner in MODELS[flavor]:
        entry: Json = {"id": model_id, "object": "model", "created": CREATED, "owned_by": owner}
        if flavor == "groq":
            entry |= {"active": True, "context_window": 131072, "public_apps": None}
        data.append(entry)
    return dumps(flavor, {"object": "list", "data": data})
