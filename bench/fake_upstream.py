"""Fast fake OpenAI upstream for benchmarks.

A raw asyncio protocol on uvloop (no HTTP framework) so that it is never the
bottleneck. Serves ``POST /v1/chat/completions``:

* non-stream: a fixed, realistic ``chat.completion`` JSON (~650 bytes, with
  ``usage`` incl. prompt/completion token details), ``Content-Length`` framed;
* ``"stream": true``: ``text/event-stream`` with chunked transfer encoding,
  10 ``data: {chunk}`` events (role, 8 content deltas, finish), honouring ``stream_options.include_usage`` like
  OpenAI (``"usage": null`` on every chunk plus a final usage chunk with
  ``"choices": []``), then ``data: [DONE]``.

All responses are pre-rendered at start-up; per request we only parse the
request head, decode the JSON body with orjson and write one buffer.
``GET /health`` returns 200.

Usage: python bench/fake_upstream.py --port 18001
"""

from __future__ import annotations

import argparse
import asyncio
import socket
from typing import Any, cast

import orjson
import uvloop

CREATED = 1741569952
MODEL = "gpt-4o-mini-2024-07-18"
ID = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"
FINGERPRINT = "fp_06737a9306"
TOKENS = ["Hello", "!", " How", " can", " I", " help", " you", "?"]
USAGE: dict[str, Any] = {
    "prompt_tokens": 9,
    "completion_tokens": 8,
    "total_tokens": 17,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    },
}
COMMON_HEADERS = (
    "x-request-id: req_0123456789abcdef0123456789abcdef\r\n"
    "openai-processing-ms: 1\r\nopenai-version: 2020-10-01\r\n"
)


def completion_body() -> bytes:
    return orjson.dumps({
        "id": ID, "object": "chat.completion", "created": CREATED, "model": MODEL,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "".join(TOKENS),
                        "refusal": None, "annotations": []},
            "logprobs": None, "finish_reason": "stop",
        }],
        "usage": USAGE, "service_tier": "default", "system_fingerprint": FINGERPRINT,
    })


def stream_events(include_usage: bool) -> list[bytes]:
    def chunk(choices: list[dict[str, Any]], usage: Any) -> dict[str, Any]:
        c: dict[str, Any] = {
            "id": ID, "object": "chat.completion.chunk", "created": CREATED,
            "model": MODEL, "service_tier": "default",
            "system_fingerprint": FINGERPRINT, "choices": choices,
        }
        if include_usage:
            c["usage"] = usage
        return c

    def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}

    chunks = [chunk([choice({"role": "assistant", "content": "", "refusal": None})], None)]
    chunks += [chunk([choice({"content": t})], None) for t in TOKENS]
    chunks.append(chunk([choice({}, "stop")], None))
    if include_usage:
        chunks.append(chunk([], USAGE))
    events = [b"data: " + orjson.dumps(c) + b"\n\n" for c in chunks]
    events.append(b"data: [DONE]\n\n")
    return events


def render_json(status: str, body: bytes) -> bytes:
    head = (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
            f"{COMMON_HEADERS}content-length: {len(body)}\r\n\r\n")
    return head.encode() + body


def render_sse(events: list[bytes]) -> bytes:
    head = (f"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            f"{COMMON_HEADERS}cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n")
    body = b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in events)
    return head.encode() + body + b"0\r\n\r\n"


RESP_JSON = render_json("200 OK", completion_body())
RESP_SSE = render_sse(stream_events(include_usage=False))
RESP_SSE_USAGE = render_sse(stream_events(include_usage=True))
RESP_HEALTH = render_json("200 OK", b'{"status":"ok"}')
RESP_404 = render_json("404 Not Found", b'{"error":{"message":"not found"}}')
RESP_400 = render_json("400 Bad Request", b'{"error":{"message":"bad json"}}')


def pick_response(method: bytes, path: bytes, body: bytes) -> bytes:
    if method == b"GET" and path in (b"/health", b"/"):
        return RESP_HEALTH
    if method != b"POST" or path.split(b"?", 1)[0] != b"/v1/chat/completions":
        return RESP_404
    try:
        req = orjson.loads(body)
    except orjson.JSONDecodeError:
        return RESP_400
    if not isinstance(req, dict) or not req.get("stream"):
        return RESP_JSON
    opts = req.get("stream_options")
    usage = isinstance(opts, dict) and bool(opts.get("include_usage"))
    return RESP_SSE_USAGE if usage else RESP_SSE


def decode_chunked(buf: bytearray, start: int) -> tuple[bytes, int] | None:
    """Decode a chunked body starting at ``start``; None if incomplete."""
    out, pos = bytearray(), start
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        size = int(bytes(buf[pos:eol]).split(b";", 1)[0], 16)
        if size == 0:
            end = buf.find(b"\r\n\r\n", eol)  # skip (empty) trailers
            return (bytes(out), end + 4) if end >= 0 else None
        if len(buf) < eol + 2 + size + 2:
            return None
        out += buf[eol + 2:eol + 2 + size]
        pos = eol + 2 + size + 2


def content_length(head: bytes) -> int:
    """Content-Length from a lower-cased request head (0 if absent)."""
    i = head.find(b"\r\ncontent-length:")
    if i < 0:
        return 0
    eol = head.find(b"\r\n", i + 2)
    return int(head[i + 17:eol if eol > 0 else len(head)])


class UpstreamProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's isn't a subclass
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        out: list[bytes] = []
        close = False
        while not close:  # one iteration per complete pipelined request
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = bytes(self.buf[:end]).lower()
            body_start = end + 4
            if b"\r\ntransfer-encoding: chunked" in head:
                decoded = decode_chunked(self.buf, body_start)
                if decoded is None:
                    break
                body, total = decoded
            else:
                total = body_start + content_length(head)
                if len(self.buf) < total:
                    break
                body = bytes(self.buf[body_start:total])
            del self.buf[:total]
            line = head.split(b"\r\n", 1)[0].split(b" ")
            method, path = line[0].upper(), line[1] if len(line) > 1 else b"/"
            out.append(pick_response(method, path, body))
            close = b"\r\nconnection: close" in head
        if out and self.transport is not None:
            self.transport.write(b"".join(out) if len(out) > 1 else out[0])
            if close:
                self.transport.close()


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(UpstreamProtocol, host, port,
                                      backlog=2048, reuse_address=True)
    print(f"fake upstream listening on http://{host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=18001)
    args = p.parse_args()
    try:
        uvloop.run(serve(args.host, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
