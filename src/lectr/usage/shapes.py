"""Provider usage objects → one normalised shape (input includes cache reads/writes; output includes reasoning)."""

from __future__ import annotations

from typing import Any

from lectr.pricing import Usage


def _int(v: Any) -> int | None:
    if type(v) is int:  # the usual case, and not a bool
        return v
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def from_openai(u: Any) -> Usage | None:
    """Chat/completions/embeddings (`prompt_tokens`…) and the Responses API (`input_tokens`…)."""
    if not isinstance(u, dict):
        return None
    if "prompt_tokens" in u:
        inp, out = _int(u.get("prompt_tokens")), _int(u.get("completion_tokens"))
        in_details, out_details = u.get("prompt_tokens_details"), u.get("completion_tokens_details")
    elif "input_tokens" in u:
        inp, out = _int(u.get("input_tokens")), _int(u.get("output_tokens"))
        in_details, out_details = u.get("input_tokens_details"), u.get("output_tokens_details")
    else:
        return None
    if out is None and inp is not None and "total_tokens" in u:
        out = 0  # embeddings: no output tokens by definition
    cached = _int(in_details.get("cached_tokens")) if isinstance(in_details, dict) else None
    reasoning = _int(out_details.get("reasoning_tokens")) if isinstance(out_details, dict) else None
    return Usage(input_tokens=inp, output_tokens=out, cached_tokens=cached or 0, reasoning_tokens=reasoning or 0)


def from_anthropic(u: Any, output_tokens: int | None = None) -> Usage | None:
    """Anthropic native: `input_tokens` excludes cache reads and writes, which are added here."""
    if not isinstance(u, dict):
        return None
    base = _int(u.get("input_tokens"))
    reads = _int(u.get("cache_read_input_tokens")) or 0
    writes = _int(u.get("cache_creation_input_tokens")) or 0
    out = output_tokens if output_tokens is not None else _int(u.get("output_tokens"))
    return Usage(
        input_tokens=None if base is None else base + reads + writes,
        output_tokens=out,
        cached_tokens=reads,
        cache_write_tokens=writes,
        reasoning_tokens=0,
    )


def from_body(wire: str, body: Any) -> Usage | None:
    """Usage of a whole (non-streamed) JSON response."""
    if not isinstance(body, dict):
        return None
    if wire == "anthropic":
        return from_anthropic(body.get("usage"))
    usage = body.get("usage")
    if usage is None and isinstance(body.get("x_groq"), dict):
        usage = body["x_groq"].get("usage")
    return from_openai(usage)
