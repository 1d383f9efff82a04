"""Per-dialect authentication rules, error bodies and success response headers.

Dialects: ``openai``, ``groq``, ``gemini``, ``azure`` (OpenAI format on those services),
``anthropic`` (native Messages API) and ``anthropic-compat`` (Anthropic's /v1/chat/completions).
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from aiohttp import web

from tests.fakes import anthropic_wire
from tests.fakes.facts import stable_token

AZURE_401 = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
    "for an active subscription and use a correct regional API endpoint for your resource."
)
OPENAI_NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using "
    "Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)
_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def _bearer(headers: Mapping[str, str]) -> str:
    scheme, _, key = headers.get("authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def auth_failure(dialect: str, headers: Mapping[str, str], query: Mapping[str, str]) -> tuple[int, str] | None:
    """(status, message) when the request would be refused like the real service does, else None."""
    if dialect == "azure":
        if not query.get("api-version"):
            return 404, "Resource not found"
        if not headers.get("api-key", "").strip():
            return 401, AZURE_401
        return None
    if dialect == "anthropic":
        # anthropic SDK >= 2 sends the API key as `Authorization: Bearer`; older ones as `x-api-key`.
        if not headers.get("x-api-key", "").strip() and not _bearer(headers):
            return 401, "x-api-key header is required"
        if not headers.get("anthropic-version", "").strip():
            return 400, "anthropic-version: header is required"
        return None
    if dialect == "anthropic-compat" and headers.get("x-api-key", "").strip():
        return None  # Anthropic takes x-api-key on every endpoint, the OpenAI-compatible one included
    if _bearer(headers):
        return None
    if dialect == "openai":
        return 401, OPENAI_NO_KEY
    if dialect == "gemini":
        return 401, "Request is missing required authentication credential. Expected OAuth 2 access token or API key."
    if dialect == "groq":
        return 401, "Invalid API Key"
    return 401, "Missing bearer authentication in header"


def request_id(dialect: str, seed: str | bytes) -> str:
    if dialect in ("anthropic", "anthropic-compat"):
        return "req_011" + stable_token(b"anthropic:" + _b(seed), 21)
    if dialect == "azure":
        h = stable_token(b"azure:" + _b(seed), 32, "0123456789abcdef")
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return "req_" + stable_token(dialect.encode() + b":" + _b(seed), 32, "0123456789abcdef")


def _b(seed: str | bytes) -> bytes:
    return seed.encode() if isinstance(seed, str) else seed


def success_headers(dialect: str, seed: str | bytes, streaming: bool) -> dict[str, str]:
    """Headers the real service sends with a 2xx answer (ids derived from `seed`)."""
    rid = request_id(dialect, seed)
    if dialect in ("anthropic", "anthropic-compat"):
        return anthropic_wire.response_headers(rid, streaming)
    headers = {"content-type": "text/event-stream; charset=utf-8" if streaming else "application/json"}
    if dialect == "openai":
        headers |= {
            "openai-organization": "user-fakeorg",
            "openai-processing-ms": "42",
            "openai-version": "2020-10-01",
            "x-ratelimit-limit-requests": "10000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-limit-tokens": "30000000",
            "x-ratelimit-remaining-tokens": "29999000",
            "x-request-id": rid,
        }
    elif dialect == "groq":
        headers |= {
            "x-ratelimit-limit-requests": "14400",
            "x-ratelimit-remaining-requests": "14399",
            "x-ratelimit-limit-tokens": "6000",
            "x-ratelimit-remaining-tokens": "5990",
            "x-request-id": rid,
        }
    elif dialect == "azure":
        headers |= {"apim-request-id": rid, "x-request-id": rid, "x-ms-region": "East US"}
    if streaming:
        headers["cache-control"] = "no-cache, must-revalidate"
    return headers


def error_response(dialect: str, status: int, message: str, seed: str | bytes = b"") -> web.Response:
    """The dialect's error JSON with `status`."""
    rid = request_id(dialect, seed)
    if dialect in ("anthropic", "anthropic-compat"):
        return anthropic_wire.error_response(status, message, rid)
    headers: dict[str, str] = {}
    body: object
    if dialect == "gemini":
        google = _GOOGLE_STATUS.get(status, "INTERNAL" if status >= 500 else "FAILED_PRECONDITION")
        body = [{"error": {"code": status, "message": message, "status": google}}]
    elif dialect == "azure":
        body = {"error": {"code": str(status), "message": message}}
        headers = {"apim-request-id": rid, "x-request-id": rid}
    else:
        err_type, code = _openai_type_code(dialect, status)
        error: dict[str, object] = {"message": message, "type": err_type}
        if dialect == "openai":
            error["param"] = None
        error["code"] = code
        body = {"error": error}
        headers = {"x-request-id": rid}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json", headers=headers)


def _openai_type_code(dialect: str, status: int) -> tuple[str, str | None]:
    if status == 401:
        return "invalid_request_error", "invalid_api_key"
    if status == 429:
        return ("tokens" if dialect == "groq" else "requests"), "rate_limit_exceeded"
    if status == 404:
        return "invalid_request_error", "model_not_found" if dialect == "openai" else "unknown_url"
    if status >= 500:
        return ("server_error" if dialect == "openai" else "internal_server_error"), None
    return "invalid_request_error", None
