"""lectr.proxy.client against scripted loopback servers: exact bytes in, exact behaviour out (framing,
keep-alive, failures, timeouts, TLS). The end-to-end suites drive the same client through the gateway."""

from __future__ import annotations

import asyncio
import ssl
from typing import Awaitable, Callable

import pytest
import trustme

from lectr.proxy.client import BadHead, BodyBroken, ConnectFailed, NoResponse, ReadTimeout, UpstreamClient

Script = Callable[["Server", asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"


class Server:
    """A loopback server that runs `script` per connection and keeps what it was sent."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self.script, self.tls = script, tls
        self.connections = 0
        self.closed = 0
        self.requests: list[bytes] = []

    async def __aenter__(self) -> "Server":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        self.server.close()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{'localhost' if self.tls else '127.0.0.1'}:{self.port}"

    async def request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        raw = head + await reader.readexactly(length)
        self.requests.append(raw)
        return raw

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.script(self, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):  # cancelled: the test ended
            pass
        finally:
            self.closed += 1
            writer.close()


def answer_each(response: bytes) -> Script:
    async def script(server: "Server", reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await server.request(reader)
            writer.write(response)
            await writer.drain()
    return script




async def read_all(resp) -> bytes:  # type: ignore[no-untyped-def]
    out = b""
    while chunk := await resp.read_chunk():
        out += chunk
    return out


async def test_request_is_rendered_exactly_and_the_connection_is_reused() -> None:
    async with Server(answer_each(OK)) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2)
        for _ in range(3):
            resp = await client.request("POST", server.url + "/v1/chat/completions?x=1",
                                        [("Content-Type", "application/json"), ("Authorization", "Bearer sk-1")],
                                        b'{"model":"m"}')
            assert resp.status == 200 and resp.content_type == "application/json"
            assert await read_all(resp) == b'{"ok":true}' and resp.at_eof()
            resp.release()
        assert server.connections == 1 and client.idle_connections == 1
        assert server.requests[0] == (
            b"POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer sk-1\r\nContent-Length: 13\r\n\r\n{\"model\":\"m\"}" % server.port
        )
        resp = await client.request("GET", server.url + "/v1/models", [], None)
        assert b"Content-Length" not in server.requests[-1] and server.requests[-1].startswith(b"GET /v1/models ")
        await read_all(resp)
        resp.release()
        await client.close()


async def test_chunked_stream_arrives_piece_by_piece() -> None:
    gate = asyncio.Event()

    async def script(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                     b"Transfer-Encoding: chunked\r\nX-Request-Id: a\r\nX-Request-Id: b\r\n\r\n"
                     b"6\r\ndata: \r\n")
        await writer.drain()
        await gate.wait()
        writer.write(b"3\r\n1\n\n\r\n0\r\n\r\n")
        await writer.drain()
        await reader.read()

    async with Server(script) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2)
        resp = await client.request("POST", server.url + "/s", [], b"{}")
        assert resp.content_type == "text/event-stream" and resp.headers.getall("x-request-id") == ["a", "b"]
        assert await resp.read_chunk() == b"data: " and not resp.at_eof()
        gate.set()
        assert await resp.read_chunk() == b"1\n\n"
        assert resp.at_eof() and await resp.read_chunk() == b""
        resp.release()
        assert client.idle_connections == 1
        await client.close()


async def test_body_framed_by_the_connection_end_is_complete_and_not_pooled() -> None:
    async def script(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it")

    async with Server(script) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2)
        resp = await client.request("GET", server.url + "/", [], None)
        assert await read_all(resp) == b"all of it"
        resp.release()
        assert client.idle_connections == 0
        await client.close()


async def test_connection_dying_mid_body_is_body_broken() -> None:
    async def script(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")

    async with Server(script) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2)
        resp = await client.request("GET", server.url + "/", [], None)
        assert await resp.read_chunk() == b"only ten b"
        with pytest.raises(BodyBroken):
            await resp.read_chunk()
        resp.release()
        await client.close()


@pytest.mark.parametrize(("reply", "error"), [(b"this is not http\r\n\r\n", BadHead), (b"", NoResponse)])
async def test_garbage_or_silence_instead_of_a_head(reply: bytes, error: type[Exception]) -> None:
    async def script(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.request(reader)
        writer.write(reply)

    async with Server(script) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2)
        with pytest.raises(error):
            await client.request("GET", server.url + "/", [], None)
        assert client.idle_connections == 0
        await client.close()


async def test_read_timeouts_for_the_head_and_between_chunks() -> None:
    async def script(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raw = await server.request(reader)
        if b"/partial" in raw:
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n")
        await reader.read()  # then silence until the client closes

    async with Server(script) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=0.2)
        with pytest.raises(ReadTimeout):
            await client.request("GET", server.url + "/silent", [], None)
        resp = await client.request("GET", server.url + "/partial", [], None)
        assert await resp.read_chunk() == b"x"
        with pytest.raises(ReadTimeout):
            await resp.read_chunk()
        resp.release()
        await asyncio.sleep(0.1)
        assert server.closed == 2  # both connections were closed by the client
        await client.close()


async def test_connect_failures() -> None:
    client = UpstreamClient(connect_timeout=2, read_timeout=2)
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    with pytest.raises(ConnectFailed):
        await client.request("GET", f"http://127.0.0.1:{port}/", [], None)
    with pytest.raises(ConnectFailed):
        await client.request("GET", "http://no-such-host.invalid/", [], None)
    await client.close()


async def test_interim_100_continue_is_skipped() -> None:
    async with Server(answer_each(b"HTTP/1.1 100 Continue\r\n\r\n" + OK)) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2)
        resp = await client.request("POST", server.url + "/", [], b"{}")
        assert resp.status == 200 and await read_all(resp) == b'{"ok":true}'
        resp.release()
        await client.close()


async def test_provider_closing_an_idle_connection_means_a_fresh_one_next_time() -> None:
    async def script(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.request(reader)
        writer.write(OK)
        await writer.drain()  # keep-alive promised, then the provider closes it while idle

    async with Server(script) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2)
        for _ in range(2):
            resp = await client.request("GET", server.url + "/", [], None)
            assert await read_all(resp) == b'{"ok":true}'
            resp.release()
            await asyncio.sleep(0.1)
        assert server.connections == 2
        await client.close()


async def test_idle_connections_past_keepalive_are_not_reused() -> None:
    async with Server(answer_each(OK)) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2, keepalive_seconds=0.1)
        for _ in range(2):
            resp = await client.request("GET", server.url + "/", [], None)
            await read_all(resp)
            resp.release()
            await asyncio.sleep(0.2)
        assert server.connections == 2
        await client.close()


async def test_cancelled_caller_closes_the_connection() -> None:
    async def script(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.request(reader)
        await reader.read()

    async with Server(script) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=10)
        task = asyncio.create_task(client.request("POST", server.url + "/", [], b"{}"))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.1)
        assert server.closed == 1
        await client.close()


async def test_large_body_under_flow_control_arrives_intact() -> None:
    blob = bytes(range(256)) * 16384  # 4 MiB, far above the buffer's high-water mark

    async def script(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(blob) + blob)
        await writer.drain()
        await reader.read()

    async with Server(script) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2)
        resp = await client.request("GET", server.url + "/", [], None)
        got = bytearray()
        while chunk := await resp.read_chunk():
            got += chunk
            await asyncio.sleep(0)  # a slow reader
        assert bytes(got) == blob
        resp.release()
        await client.close()


async def test_tls_upstream() -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    async with Server(answer_each(OK), tls=server_ctx) as server:
        client = UpstreamClient(connect_timeout=2, read_timeout=2, ssl_context=client_ctx)
        resp = await client.request("POST", server.url + "/v1/chat/completions", [], b"{}")
        assert resp.status == 200 and await read_all(resp) == b'{"ok":true}'
        resp.release()
        assert server.requests[0].startswith(b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost:")
        untrusted = UpstreamClient(connect_timeout=2, read_timeout=2)  # the system's CAs do not know this one
        with pytest.raises(ConnectFailed):
            await untrusted.request("GET", server.url + "/", [], None)
        await client.close()
        await untrusted.close()
