"""The "Python floor": a bare aiohttp pass-through for POST /v1/chat/completions.

One shared ClientSession, the body forwarded as bytes, the upstream response
streamed back chunk by chunk. No auth, no parsing, no recording: whatever a
Python/aiohttp gateway does on top of this is its own overhead.

Usage: python bench/passthrough.py --port 18002 --upstream http://127.0.0.1:18001
"""

from __future__ import annotations

import argparse

import aiohttp
import uvloop
from aiohttp import web

SESSION = web.AppKey("session", aiohttp.ClientSession)
UPSTREAM = web.AppKey("upstream", str)
FORWARD = ("Content-Type", "Authorization")


async def chat(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    headers = {h: request.headers[h] for h in FORWARD if h in request.headers}
    url = request.app[UPSTREAM] + "/v1/chat/completions"
    async with request.app[SESSION].post(url, data=body, headers=headers) as up:
        resp = web.StreamResponse(status=up.status)
        resp.content_type = up.content_type
        if up.content_length is not None:
            resp.content_length = up.content_length
        await resp.prepare(request)
        async for chunk in up.content.iter_any():
            await resp.write(chunk)
        await resp.write_eof()
        return resp


async def health(_: web.Request) -> web.Response:
    return web.Response(text="ok")


def make_app(upstream: str) -> web.Application:
    app = web.Application()
    app[UPSTREAM] = upstream.rstrip("/")

    async def session_ctx(app: web.Application):  # type: ignore[no-untyped-def]
        connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=60)
        app[SESSION] = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        yield
        await app[SESSION].close()

    app.cleanup_ctx.append(session_ctx)
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/health", health)
    return app


def main() -> None:
    p = argparse.ArgumentParser(description="bare aiohttp pass-through")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=18002)
    p.add_argument("--upstream", default="http://127.0.0.1:18001")
    args = p.parse_args()
    web.run_app(make_app(args.upstream), host=args.host, port=args.port,
                access_log=None, print=None, loop=uvloop.new_event_loop())


if __name__ == "__main__":
    main()
