"""Anthropic Messages API (`POST /v1/messages`) bodies, SSE event sequence and error shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from tests.fakes.facts import Facts
from tests.fakes.scenarios import StreamPlan, sse_event

Json = dict[str, Any]
ORGANIZATION_ID = "4f2c1c8e-0b7d-4a8e-9c55-2f6b1d3e7a90"
ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def message_id(facts: Facts) -> str:
    return "msg_01" + facts.token("msg", 22)


def response_headers(req_id: str, streaming: bool) -> dict[str, str]:
    headers = {"request-id": req_id, "anthropic-organization-id": ORGANIZATION_ID}
    if streaming:
        headers |= {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
    else:
        headers["content-type"] = "application/json"
    return headers


def error_response(status: int, message: str, req_id: str) -> web.Response:
    """`{"type":"error","error":{"type":...,"message":...},"request_id":...}` like the real API."""
    error_type = ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    body = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": req_id}
    return web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type="application/json",
        headers={"request-id": req_id},
    )


def validation_error(body: Mapping[str, Any]) -> str | None:
    for field in ("model", "max_tokens", "messages"):
        if body.get(field) is None:
            return f"{field}: Field required"
    if not isinstance(body["messages"], list):
        return "messages: Input should be a valid list"
    return None


def _stop_reason(facts: Facts) -> str:
    return "max_tokens" if facts.truncated else "end_turn"


def _usage(facts: Facts, output_tokens: int) -> Json:
    return {
        "input_tokens": facts.prompt_tokens,
        "cache_creation_input_tokens": facts.cache_write_tokens,
        "cache_read_input_tokens": facts.cached_tokens,
        "output_tokens": output_tokens,
    }


def _message(facts: Facts, content: list[Json], stop_reason: str | None, output_tokens: int) -> Json:
    return {
        "id": message_id(facts),
        "type": "message",
        "role": "assistant",
        "model": facts.model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": _usage(facts, output_tokens),
    }


def message(facts: Facts) -> bytes:
    content = [{"type": "text", "text": facts.text}]
    return orjson.dumps(_message(facts, content, _stop_reason(facts), facts.completion_tokens))


def message_stream(facts: Facts) -> StreamPlan:
    """message_start, content_block_start, ping, deltas, content_block_stop, message_delta, message_stop."""
    frames = [
        sse_event("message_start", orjson.dumps({"type": "message_start", "message": _message(facts, [], None, 1)})),
        sse_event(
            "content_block_start",
            orjson.dumps({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        sse_event("ping", b'{"type": "ping"}'),
    ]
    content_start = len(frames)
    for delta in facts.deltas:
        payload = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": delta}}
        frames.append(sse_event("content_block_delta", orjson.dumps(payload)))
    frames.append(sse_event("content_block_stop", orjson.dumps({"type": "content_block_stop", "index": 0})))
    message_delta = {
        "type": "message_delta",
        "delta": {"stop_reason": _stop_reason(facts), "stop_sequence": None},
        "usage": _usage(facts, facts.completion_tokens),  # cumulative totals, like the real API
    }
    frames.append(sse_event("message_delta", orjson.dumps(message_delta)))
    frames.append(sse_event("message_stop", orjson.dumps({"type": "message_stop"})))
    return StreamPlan(frames=frames, content_start=content_start)


MODELS = [
    ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
    ("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
]


def models_list() -> bytes:
    data = [{"type": "model", "id": i, "display_name": n, "created_at": c} for i, n, c in MODELS]
    return orjson.dumps({"data": data, "has_more": False, "first_id": MODELS[0][0], "last_id": MODELS[-1][0]})
