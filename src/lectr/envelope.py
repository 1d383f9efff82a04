"""Render a LectrError in the wire format of the route it happened on."""

from __future__ import annotations

import orjson
from aiohttp import web

from lectr.errors import LectrError

_ANTHROPIC_TYPES = {
    "authentication_error": "authentication_error",
    "invalid_request_error": "invalid_request_error",
    "rate_limit_error": "rate_limit_error",
    "api_error": "api_error",
    "server_error": "api_error",
}


def error_body(err: LectrError, wire: str) -> bytes:
    if wire == "anthropic":
        etype = "not_found_error" if err.status == 404 else _ANTHROPIC_TYPES.get(err.type, "api_error")
        if err.status == 413:
            etype = "request_too_large"
        return orjson.dumps({"type": "error", "error": {"type": etype, "message": err.message, "code": err.code}})
    return orjson.dumps({"error": {"message": err.message, "type": err.type, "code": err.code, "param": err.param}})


def error_response(err: LectrError, wire: str, request_id: str) -> web.Response:
    headers = {"x-request-id": request_id}
    if err.status < 500:
        headers["x-should-retry"] = "false"
    return web.Response(
        status=err.status, body=error_body(err, wire), content_type="application/json", headers=headers
    )


def sse_error_event(err: LectrError, wire: str) -> bytes:
    """The event that ends a stream which died upstream, in the stream's own format."""
    body = error_body(err, wire)
    if wire == "anthropic":
        return b"event: error\ndata: " + body + b"\n\n"
    return b"data: " + body + b"\n\n"
