"""A lean HTTP/1.1 client for the one hop Lectr makes: keep-alive connections pooled per origin, llhttp parsing.

It does only what a pass-through needs — send a whole body, hand the answer back chunk by chunk under flow
control, reuse the connection when the answer was read to its end — and none of what a general client does
per request (cookies, redirects, decompression, tracing, payload registries). aiohttp's ClientSession did this
hop before; bench/ measures the difference (README: Benchmark). Failures are this module's own exceptions;
upstream.py turns them into the contract's errors.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections import deque
from dataclasses import dataclass
from typing import Iterable

import httptools
from multidict import CIMultiDict

_HIGH_WATER = 1 << 18   # buffered body bytes above which the connection stops reading (flow control)
_DNS_TTL = 300.0
_NO_BODY = frozenset({204, 304})


class ClientError(Exception):
    """Base of the failures below. Messages name no URL, header or body."""


class ConnectFailed(ClientError):
    """No connection: DNS, refused, TLS handshake, or the connect timeout."""


class NoResponse(ClientError):
    """The connection closed or broke before a response head arrived."""


class BadHead(ClientError):
    """What came back is not an HTTP/1.x response."""


class ReadTimeout(ClientError):
    """No response head, or no next body bytes, within the read timeout."""


class BodyBroken(ClientError):
    """The connection died, or the body's framing broke, before the body ended."""


@dataclass(frozen=True, slots=True)
class Origin:
    host: str
    port: int
    tls: bool
    host_header: str


class Response:
    """One answer: its head once `wait_head()` returns, its body through `read_chunk()`."""

    def __init__(self, conn: "_Connection", read_timeout: float) -> None:
        self._conn = conn
        self._loop = conn.loop
        self._timeout = read_timeout
        self._parser = httptools.HttpResponseParser(self)
        self._raw: list[tuple[str, str]] = []
        self._head: asyncio.Future[None] = self._loop.create_future()
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._until_close = False   # no Content-Length, not chunked: the body ends with the connection
        self._keep_alive = False
        self._done = False
        self._error: ClientError | None = None
        self.status = 0
        self.headers: CIMultiDict[str] = CIMultiDict()
        self.content_type = "application/octet-stream"

    # -- fed by the connection -------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail(BadHead("not an HTTP response") if not self._head.done() else BodyBroken("bad body framing"))
            self._conn.close()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._raw.append((name.decode("latin-1"), value.decode("utf-8", "surrogateescape")))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if status < 200:  # 100 Continue and other interim answers: the real head follows
            self._raw = []
            return
        self.status = status
        self.headers = headers = CIMultiDict(self._raw)
        ctype = headers.get("content-type")
        if ctype:
            self.content_type = ctype.partition(";")[0].strip().lower()
        self._keep_alive = self._parser.should_keep_alive()
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        self._until_close = status not in _NO_BODY and not chunked and "content-length" not in headers
        if not self._head.done():
            self._head.set_result(None)

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _HIGH_WATER and not self._paused:
            self._paused = True
            self._conn.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.status:  # not the end of an interim 1xx message
            self._done = True
            self._wake()

    def lost(self, exc: Exception | None) -> None:
        if not self._head.done():
            self._head.set_exception(NoResponse("connection closed before the response"))
        elif not self._done:
            if self._until_close and exc is None:
                self._done = True  # a body framed by the connection's end: this is its end
            else:
                self._fail(BodyBroken("connection closed in the middle of the body"))
        self._wake()

    # -- read by the relay -----------------------------------------------------------------------
    async def wait_head(self) -> None:
        if not self._head.done():
            timer = self._loop.call_later(self._timeout, self._head_timeout)
            try:
                await self._head
            finally:
                timer.cancel()
        elif (exc := self._head.exception()) is not None:
            raise exc

    async def read_chunk(self) -> bytes:
        """What has arrived of the body (waiting for something if nothing has); b"" at its end."""
        while not self._chunks:
            if self._error is not None:
                raise self._error
            if self._done:
                return b""
            waiter = self._waiter = self._loop.create_future()
            timer = self._loop.call_later(self._timeout, self._read_timeout, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
        chunks = self._chunks
        data = chunks.popleft() if len(chunks) == 1 else b"".join([chunks.popleft() for _ in range(len(chunks))])
        self._buffered = 0
        if self._paused:
            self._paused = False
            self._conn.resume_reading()
        return data

    def at_eof(self) -> bool:
        return self._done and not self._chunks

    def release(self) -> None:
        """Done with it: the connection goes back to the pool if the body was read to its end, else closes."""
        conn = self._conn
        if self.at_eof() and self._keep_alive and not self._until_close and self._error is None:
            conn.idle()
        else:
            conn.close()

    def close(self) -> None:
        self._conn.close()

    # -- internals -------------------------------------------------------------------------------
    def _fail(self, error: ClientError) -> None:
        if self._error is None and not self._done:
            self._error = error
        if not self._head.done():
            self._head.set_exception(error)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _head_timeout(self) -> None:
        if not self._head.done():
            self._head.set_exception(ReadTimeout("no response head in time"))

    def _read_timeout(self, waiter: asyncio.Future[None]) -> None:
        if not waiter.done():
            self._error = self._error or ReadTimeout("no body bytes in time")
            waiter.set_result(None)


class _Connection(asyncio.Protocol):
    def __init__(self, pool: "UpstreamClient", origin: Origin) -> None:
        self.pool, self.origin = pool, origin
        self.loop = pool.loop
        self.transport: asyncio.Transport | None = None
        self.response: Response | None = None
        self.alive = False
        self.idle_since = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.alive = True

    def data_received(self, data: bytes) -> None:
        if self.response is None:  # bytes nobody asked for on an idle connection: it cannot be trusted
            self.close()
            return
        self.response.feed(data)

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.alive = False
        if self.response is not None:
            self.response.lost(exc)

    def send(self, data: bytes, response: Response) -> None:
        self.response = response
        assert self.transport is not None
        self.transport.write(data)

    def idle(self) -> None:
        self.response = None
        if self.alive:
            self.idle_since = time.monotonic()
            self.pool.put_back(self)

    def close(self) -> None:
        self.alive = False
        if self.transport is not None:
            self.transport.close()

    def pause_reading(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()


class UpstreamClient:
    """The pool. One per process, created inside the running loop, closed at shutdown."""

    def __init__(
        self, *, connect_timeout: float, read_timeout: float, keepalive_seconds: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self._connect_timeout, self._read_timeout, self._keepalive = connect_timeout, read_timeout, keepalive_seconds
        self._ssl = ssl_context
        self._origins: dict[str, tuple[Origin, str]] = {}
        self._idle: dict[Origin, deque[_Connection]] = {}
        self._dns: dict[tuple[str, int], tuple[float, list[tuple[int, str]]]] = {}
        self._closed = False

    async def request(self, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes | None) -> Response:
        """Send the request; return once the response head is in. The caller must release() or close() it."""
        origin, target = self._split(url)
        conn = self._take_idle(origin) or await self._connect(origin)
        response = Response(conn, self._read_timeout)
        conn.send(_render(method, target, origin.host_header, headers, body), response)
        try:
            await response.wait_head()
        except BaseException:  # failed, timed out, or the caller was cancelled: this connection is spent
            conn.close()
            raise
        return response

    async def close(self) -> None:
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()

    def put_back(self, conn: _Connection) -> None:
        if self._closed:
            conn.close()
            return
        self._idle.setdefault(conn.origin, deque()).append(conn)

    @property
    def idle_connections(self) -> int:
        return sum(len(q) for q in self._idle.values())

    def _take_idle(self, origin: Origin) -> _Connection | None:
        conns = self._idle.get(origin)
        if not conns:
            return None
        horizon = time.monotonic() - self._keepalive
        while conns:
            conn = conns.pop()  # the most recently used: the least likely to have been closed by the provider
            if conn.alive and conn.idle_since >= horizon and conn.transport is not None \
                    and not conn.transport.is_closing():
                return conn
            conn.close()
        return None

    def _split(self, url: str) -> tuple[Origin, str]:
        scheme, sep, rest = url.partition("://")
        authority, slash, path = rest.partition("/")
        key = scheme + sep + authority
        known = self._origins.get(key)
        if known is None:
            known = self._origins[key] = (_origin(scheme.lower(), authority), key)
        return known[0], slash + path if slash else "/"

    async def _connect(self, origin: Origin) -> _Connection:
        try:
            async with asyncio.timeout(self._connect_timeout):
                addresses = await self._resolve(origin.host, origin.port)
                error: Exception | None = None
                for family, address in addresses:
                    try:
                        _, conn = await self.loop.create_connection(
                            lambda: _Connection(self, origin), address, origin.port, family=family,
                            ssl=self._tls() if origin.tls else None,
                            server_hostname=origin.host if origin.tls else None,
                        )
                        return conn
                    except (OSError, ssl.SSLError) as exc:
                        error = exc
                raise ConnectFailed(f"could not connect ({type(error).__name__})")
        except TimeoutError:
            raise ConnectFailed("connect timeout") from None

    async def _resolve(self, host: str, port: int) -> list[tuple[int, str]]:
        cached = self._dns.get((host, port))
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            infos = await self.loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise ConnectFailed(f"name resolution failed ({type(exc).__name__})") from None
        addresses = list(dict.fromkeys((family, str(sockaddr[0])) for family, _, _, _, sockaddr in infos))
        self._dns[(host, port)] = (now + _DNS_TTL, addresses)
        return addresses

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl


def _origin(scheme: str, authority: str) -> Origin:
    tls = scheme == "https"
    if scheme not in ("http", "https") or not authority:
        raise ConnectFailed("unsupported upstream URL")
    host, port = authority, 443 if tls else 80
    if authority.startswith("["):  # [IPv6]:port
        end = authority.find("]")
        host, rest = authority[1:end], authority[end + 1:]
        if rest.startswith(":"):
            port = int(rest[1:])
    elif ":" in authority:
        host, _, port_text = authority.rpartition(":")
        port = int(port_text)
    return Origin(host, port, tls, authority)


def _render(method: str, target: str, host: str, headers: Iterable[tuple[str, str]], body: bytes | None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in headers]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}\r\n")
    lines.append("\r\n")
    head = "".join(lines).encode("utf-8", "surrogateescape")
    return head + body if body else head
