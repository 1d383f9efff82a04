"""OpenAI Responses API (`POST /v1/responses`) bodies and its typed SSE event stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from tests.fakes.facts import CREATED, Facts, resolve_model
from tests.fakes.scenarios import StreamPlan, sse_event

Json = dict[str, Any]


def _ids(facts: Facts) -> tuple[str, str]:
    return "resp_" + facts.hex_id("resp", 48), "msg_" + facts.hex_id("resp-msg", 48)


def _usage(facts: Facts) -> Json:
    return {
        "input_tokens": facts.prompt_tokens,
        "input_tokens_details": {"cached_tokens": facts.cached_tokens},
        "output_tokens": facts.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": facts.reasoning_tokens},
        "total_tokens": facts.total_tokens,
    }


def _message(facts: Facts, status: str, text: str | None) -> Json:
    content = [] if text is None else [{"type": "output_text", "annotations": [], "logprobs": [], "text": text}]
    return {"id": _ids(facts)[1], "type": "message", "status": status, "content": content, "role": "assistant"}


def _response(facts: Facts, body: Mapping[str, Any], status: str) -> Json:
    done = status != "in_progress"
    final_status = "incomplete" if facts.truncated and done else status
    return {
        "id": _ids(facts)[0],
        "object": "response",
        "created_at": CREATED,
        "status": final_status,
        "background": False,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if final_status == "incomplete" else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": resolve_model(facts.model),
        "output": [_message(facts, "incomplete" if facts.truncated else "completed", facts.text)] if done else [],
        "parallel_tool_calls": True,
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": _usage(facts) if done else None,
        "user": None,
        "metadata": body.get("metadata") or {},
    }


def response(facts: Facts, body: Mapping[str, Any]) -> bytes:
    return orjson.dumps(_response(facts, body, "completed"))


def response_stream(facts: Facts, body: Mapping[str, Any]) -> StreamPlan:
    item_id = _ids(facts)[1]
    final_event = "response.incomplete" if facts.truncated else "response.completed"
    events: list[tuple[str, Json]] = [
        ("response.created", {"response": _response(facts, body, "in_progress")}),
        ("response.in_progress", {"response": _response(facts, body, "in_progress")}),
        ("response.output_item.added", {"output_index": 0, "item": _message(facts, "in_progress", None)}),
        (
            "response.content_part.added",
            {
                "item_id": item_id,
                "output_index": 0,
                "content_index": 0,
                "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": ""},
            },
        ),
    ]
    content_start = len(events)
    pos = {"item_id": item_id, "output_index": 0, "content_index": 0}
    events += [("response.output_text.delta", {**pos, "delta": d, "logprobs": []}) for d in facts.deltas]
    events += [
        ("response.output_text.done", {**pos, "text": facts.text, "logprobs": []}),
        (
            "response.content_part.done",
            {**pos, "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": facts.text}},
        ),
        ("response.output_item.done", {"output_index": 0, "item": _message(facts, "completed", facts.text)}),
        (final_event, {"response": _response(facts, body, "completed")}),
    ]
    frames = [
        sse_event(name, orjson.dumps({"type": name, "sequence_number": seq, **payload}))
        for seq, (name, payload) in enumerate(events)
    ]
    return StreamPlan(frames=frames, content_start=content_start)
