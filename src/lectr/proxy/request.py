"""Reading and checking the client's request: size limit, JSON, model, stream flag, include_usage injection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from lectr.errors import BadRequest, TooLarge
from lectr.proxy.paths import Route

_INJECT_USAGE = frozenset({"chat.completions", "completions"})


@dataclass(slots=True)
class ClientRequest:
    body: bytes | None
    model: str | None
    stream: bool
    injected_usage: bool = False


async def read(request: web.Request, route: Route, limit: int) -> ClientRequest:
    if route.method == "GET":
        return ClientRequest(None, None, False)
    raw = await _read_limited(request, limit)
    try:
        parsed: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("The request body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise BadRequest("The request body must be a JSON object.")
    model = parsed.get("model")
    if route.deployment is not None and not model:
        model = route.deployment
    if route.needs_model and (not isinstance(model, str) or not model.strip()):
        raise BadRequest("The request body has no `model`.", param="model")
    req = ClientRequest(raw, model if isinstance(model, str) else None, parsed.get("stream") is True)
    if req.stream and route.wire == "openai" and route.endpoint in _INJECT_USAGE:
        _inject_include_usage(req, parsed)
    return req


async def _read_limited(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None:
        if request.content_length > limit:
            raise TooLarge(f"The request body is larger than the limit of {limit} bytes.")
        return await request.read()
    body = bytearray()  # chunked: count as it arrives
    async for chunk in request.content.iter_any():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"The request body is larger than the limit of {limit} bytes.")
    return bytes(body)


def _inject_include_usage(req: ClientRequest, parsed: dict[str, Any]) -> None:
    """Ask for exact stream usage; the relay removes what this adds unless the client asked for it too."""
    options = parsed.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage") is True:
        return
    if options is None and "stream_options" not in parsed and req.body is not None:
        req.body = req.body.rstrip()[:-1] + b',"stream_options":{"include_usage":true}}'
    else:
        parsed["stream_options"] = {**(options if isinstance(options, dict) else {}), "include_usage": True}
        req.body = orjson.dumps(parsed)
    req.injected_usage = True
