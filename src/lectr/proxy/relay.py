"""Copy the provider's answer to the client — whole or chunk by chunk — and note usage on the way."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson
from aiohttp import web

from lectr.envelope import sse_error_event
from lectr.errors import UpstreamBadResponse, UpstreamError
from lectr.events.record import Event
from lectr.pricing import Usage
from lectr.proxy.client import Response
from lectr.proxy.upstream import DROP_RESPONSE, read_body, read_chunk
from lectr.usage.shapes import from_body
from lectr.usage.sse import AnthropicStream, OpenAIStream, StreamReader, StrippingOpenAIStream


class ClientGone(Exception):
    """The client closed its connection while Lectr was writing to it."""


def response_headers(resp: Response, event: Event) -> list[tuple[str, str]]:
    """The provider's headers minus hop-by-hop ones, with exactly one x-request-id: the provider's if it sent one."""
    out = [(name, value) for name, value in resp.headers.items() if name.lower() not in DROP_RESPONSE]
    ids = resp.headers.getall("x-request-id", ())
    if not ids:
        out.append(("x-request-id", event.request_id))
    else:
        event.request_id = ids[0]
        if len(ids) > 1:
            out = [(n, v) for n, v in out if n.lower() != "x-request-id"] + [("x-request-id", ids[0])]
    return out


def record_usage(event: Event, usage: Usage | None, source: str) -> None:
    if usage is None:
        return
    event.input_tokens = usage.input_tokens
    event.output_tokens = usage.output_tokens
    event.cached_tokens = usage.cached_tokens
    event.cache_write_tokens = usage.cache_write_tokens
    event.reasoning_tokens = usage.reasoning_tokens
    event.token_source = source


def provider_error(event: Event, status: int) -> None:
    event.error_source = "provider"
    event.error_category = _CATEGORY.get(status, "server_error" if status >= 500 else "client_error")


_CATEGORY = {400: "invalid_request", 401: "authentication", 403: "permission", 404: "not_found",
             408: "timeout", 413: "request_too_large", 422: "invalid_request", 429: "rate_limit",
             503: "overloaded", 504: "timeout", 529: "overloaded"}


async def relay_whole(resp: Response, wire: str, event: Event, t0: float) -> web.Response:
    body = await read_body(resp)
    event.ttfb_ms = (time.perf_counter() - t0) * 1000
    event.status_code = resp.status
    headers = response_headers(resp, event)
    if resp.status >= 400:
        provider_error(event, resp.status)
        return web.Response(status=resp.status, body=body, headers=headers)
    try:
        parsed = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        raise UpstreamBadResponse("The provider answered with a body that is not valid JSON.") from None
    if isinstance(parsed, dict):
        model = parsed.get("model")
        event.model_reported = model if isinstance(model, str) and model else None
        record_usage(event, from_body(wire, parsed), "provider")
    return web.Response(status=resp.status, body=body, headers=headers)


async def relay_stream(
    request: web.Request, resp: Response, wire: str, event: Event, t0: float, strip: bool
) -> web.StreamResponse:
    event.streaming = True
    event.status_code = resp.status
    reader: StreamReader = AnthropicStream() if wire == "anthropic" else (
        StrippingOpenAIStream() if strip else OpenAIStream()
    )
    out = web.StreamResponse(status=resp.status, headers=response_headers(resp, event))
    delivered = False  # the client has every byte of the stream, its end marker included
    try:
        await _prepare(out, request)
        while chunk := await read_chunk(resp):
            if event.ttfb_ms is None:
                event.ttfb_ms = (time.perf_counter() - t0) * 1000
            data = reader.feed(chunk)
            if reader.finished and resp.at_eof():  # the last chunk: send it and the end together
                await _eof(out, data + reader.flush())
                delivered = True
                return out
            await _write(out, data)
            delivered = reader.finished
        await _write(out, reader.flush())
        if not reader.finished:
            raise UpstreamBadResponse("The provider ended the stream before its end marker.")
        delivered = True
        await _eof(out)
    except UpstreamError as err:
        event.error_category, event.error_source = err.code, err.source
        await _end_with_error(out, reader.flush() + sse_error_event(err, wire), event)
    except (ClientGone, asyncio.CancelledError) as gone:
        # SDKs close the connection as soon as they read the end marker: that is a complete stream.
        if not delivered:
            mark_client_gone(event)  # leaving the `async with` closes the upstream connection: the provider stops
        if isinstance(gone, asyncio.CancelledError):
            raise
    finally:
        _stream_usage(event, reader)
    return out


def mark_client_gone(event: Event) -> None:
    event.status_code = 499
    event.error_category, event.error_source = "client_disconnected", "client"


async def _end_with_error(out: web.StreamResponse, data: bytes, event: Event) -> None:
    try:
        await _write(out, data)
        await _eof(out)
    except ClientGone:
        mark_client_gone(event)


def _stream_usage(event: Event, reader: StreamReader) -> None:
    event.model_reported = reader.model
    complete = reader.finished and event.error_category is None
    if complete and reader.usage is not None:
        record_usage(event, reader.usage, "provider")
        return
    if reader.usage is None and reader.deltas == 0:
        return  # nothing measured: token_source stays "missing", so the cost is unpriced, never $0
    # Cut short: keep what the provider did report, estimate output from the deltas seen, and say so.
    estimate = reader.usage or Usage(input_tokens=None, output_tokens=None)
    output = max(estimate.output_tokens or 0, reader.deltas)
    record_usage(event, Usage(estimate.input_tokens, output, estimate.cached_tokens,
                              estimate.cache_write_tokens, estimate.reasoning_tokens), "estimated")


# A write to a client that has gone away becomes ClientGone, the one signal the relay acts on.
_GONE = (ConnectionResetError, aiohttp.ClientConnectionResetError)


async def _write(out: web.StreamResponse, data: bytes) -> None:
    if data:
        try:
            await out.write(data)
        except _GONE:
            raise ClientGone() from None


async def _prepare(out: web.StreamResponse, request: web.Request) -> None:
    try:
        await out.prepare(request)
    except _GONE:
        raise ClientGone() from None


async def _eof(out: web.StreamResponse, data: bytes = b"") -> None:
    try:
        await out.write_eof(data)
    except _GONE:
        raise ClientGone() from None
