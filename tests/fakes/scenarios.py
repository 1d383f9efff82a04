"""`X-Fake-Scenario` request header: failure modes the fakes can play, and SSE serving.

Values:
  (absent) / ``normal``  normal answer
  ``status:<code>``      that status with the provider's error JSON (429 adds ``retry-after: 0``)
  ``garbage``            200 application/json with body ``this is not json{{``
  ``garbage_stream``     200 text/event-stream of junk lines, then a clean end
  ``die_midstream``      streams: two content deltas, then the TCP connection is aborted;
                         non-stream answers: headers and half the body, then the abort
  ``die_before_body``    the connection is aborted without any response
  ``slow:<ms>``          sleep before sending the response headers
  ``hang``               never answer (cancelled on client disconnect / fakes.stop())
  ``stall_stream``       streams: headers and the first delta, then wait until the client leaves
                         (counted in FakeProviders.disconnects); non-stream answers: half the body
  ``chunk_delay:<ms>``   normal answer, streams sleep this long between frames

Usage overrides (separate headers): ``X-Fake-Cached-Tokens``, ``X-Fake-Reasoning-Tokens``,
``X-Fake-Cache-Write-Tokens`` (see ``facts.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aiohttp import web

HEADER = "x-fake-scenario"
FOREVER = 3600.0
GARBAGE_BODY = b"this is not json{{"
GARBAGE_STREAM = (
    b"data: this is not json{{\n\n",
    b'event: ???\ndata: {"unterminated": \n\n',
    b"complete nonsense line\n\n",
    b"data: <html>502 Bad Gateway</html>\n\n",
)
_SIMPLE = {"normal", "garbage", "garbage_stream", "die_midstream", "die_before_body", "hang", "stall_stream"}


class ScenarioError(ValueError):
    """The X-Fake-Scenario header is not understood (answered as a 400 by the fake)."""


@dataclass(frozen=True)
class Scenario:
    name: str = "normal"
    status: int = 0  # for "status"
    delay_ms: int = 0  # for "slow" and "chunk_delay"


def parse_scenario(headers: Mapping[str, str]) -> Scenario:
    raw = headers.get(HEADER, "").strip()
    if raw == "":
        return Scenario()
    name, _, arg = raw.partition(":")
    name = name.strip().lower()
    if name in _SIMPLE and arg == "":
        return Scenario(name=name)
    try:
        if name == "status":
            return Scenario(name=name, status=int(arg))
        if name in ("slow", "chunk_delay"):
            return Scenario(name=name, delay_ms=int(arg))
    except ValueError as exc:
        raise ScenarioError(f"bad X-Fake-Scenario argument: {raw!r}") from exc
    raise ScenarioError(f"unknown X-Fake-Scenario: {raw!r}")


def abort_connection(request: web.Request) -> None:
    """Hard-close the TCP connection (RST), dropping anything not yet sent."""
    transport = request.transport
    if transport is not None:
        transport.abort()


async def wait_until_client_gone(request: web.Request) -> None:
    """Return once the peer has closed the connection (or after FOREVER)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FOREVER
    while loop.time() < deadline:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(0.02)


async def before_response(
    request: web.Request,
    scenario: Scenario,
    error: Callable[[int, str], web.Response],
) -> web.StreamResponse | None:
    """Play the scenarios that act before a normal answer; None means "answer normally"."""
    if scenario.name == "slow":
        await asyncio.sleep(scenario.delay_ms / 1000)
    elif scenario.name == "hang":
        await asyncio.sleep(FOREVER)
        return error(504, "fake hang elapsed")
    elif scenario.name == "die_before_body":
        abort_connection(request)
        return web.Response(status=500)  # never sent: aiohttp swallows the write error
    elif scenario.name == "status":
        resp = error(scenario.status, f"Fake status {scenario.status} requested via X-Fake-Scenario")
        if scenario.status == 429:
            resp.headers["retry-after"] = "0"
        return resp
    elif scenario.name == "garbage":
        return web.Response(status=200, body=GARBAGE_BODY, content_type="application/json")
    elif scenario.name == "garbage_stream":
        junk = web.StreamResponse(status=200, headers={"content-type": "text/event-stream; charset=utf-8"})
        await junk.prepare(request)
        for line in GARBAGE_STREAM:
            await junk.write(line)
        await junk.write_eof()
        return junk
    return None


@dataclass(frozen=True)
class StreamPlan:
    """All SSE frames of a stream; frames[content_start] is the first content delta."""

    frames: list[bytes]
    content_start: int


async def serve_stream(
    request: web.Request,
    plan: StreamPlan,
    headers: Mapping[str, str],
    scenario: Scenario,
    on_disconnect: Callable[[], None],
) -> web.StreamResponse:
    """Send `plan` honouring stream scenarios; report a client that leaves early."""
    resp = web.StreamResponse(status=200, headers=headers)
    done = False
    try:
        await resp.prepare(request)
        if scenario.name == "die_midstream":
            for frame in plan.frames[: plan.content_start + 2]:
                await resp.write(frame)
            await asyncio.sleep(0.05)  # let the kernel flush before the RST
            done = True  # the server hung up, not the client
            abort_connection(request)
            return resp
        if scenario.name == "stall_stream":
            for frame in plan.frames[: plan.content_start + 1]:
                await resp.write(frame)
            await wait_until_client_gone(request)
            raise ConnectionResetError("client went away during stall_stream")
        delay = scenario.delay_ms / 1000 if scenario.name == "chunk_delay" else 0.0
        for frame in plan.frames:
            await resp.write(frame)
            await asyncio.sleep(delay)
        done = True
        await resp.write_eof()
        return resp
    except (ConnectionError, asyncio.CancelledError) as exc:
        if not done:
            on_disconnect()
        if isinstance(exc, asyncio.CancelledError):
            raise
        return resp  # aiohttp ignores the failed write_eof on a dead connection


async def serve_body(
    request: web.Request,
    payload: bytes,
    headers: Mapping[str, str],
    scenario: Scenario,
    on_disconnect: Callable[[], None],
) -> web.StreamResponse:
    """A complete (non-stream) answer; die_midstream / stall_stream send half the body first."""
    if scenario.name not in ("die_midstream", "stall_stream"):
        return web.Response(status=200, body=payload, headers=headers)
    resp = web.StreamResponse(status=200, headers=headers)
    resp.content_length = len(payload)
    try:
        await resp.prepare(request)
        await resp.write(payload[: len(payload) // 2])
        if scenario.name == "die_midstream":
            await asyncio.sleep(0.05)
            abort_connection(request)
            return resp
        await wait_until_client_gone(request)
        raise ConnectionResetError("client went away during stall_stream")
    except (ConnectionError, asyncio.CancelledError) as exc:
        if scenario.name == "stall_stream":
            on_disconnect()
        if isinstance(exc, asyncio.CancelledError):
            raise
        return resp


def sse_data(payload: bytes) -> bytes:
    return b"data: " + payload + b"\n\n"


def sse_event(event: str, payload: bytes) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + payload + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"
