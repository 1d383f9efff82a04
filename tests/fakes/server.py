"""FakeProviders: all fake AI providers on 127.0.0.1, served from one background thread.

    fakes = FakeProviders()
    fakes.start()
    client = openai.OpenAI(base_url=fakes.base_urls["openai"], api_key="sk-test")
    ...
    fakes.last("openai").json["model"]
    fakes.stop()

Each provider has its own aiohttp server on a random free port; see providers.py for routes,
scenarios.py for the X-Fake-Scenario header.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import orjson
from aiohttp import web

from tests.fakes.providers import SPECS, build_app, lower_headers

HOST = "127.0.0.1"
_SHUTDOWN_TIMEOUT = 0.25


@dataclass(frozen=True)
class Received:
    """One request as the fake saw it (header keys lower-cased; repeated headers joined by ", ")."""

    provider: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any | None


class FakeProviders:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._disconnected = threading.Condition(self._lock)
        self._received: list[Received] = []
        self._disconnects = 0
        self._ports: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runners: list[web.AppRunner] = []
        self._stopping = False

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("FakeProviders already started")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, args=(ready, failure), name="fake-providers", daemon=True)
        self._thread.start()
        if not ready.wait(timeout=10):
            raise RuntimeError("fake providers did not start within 10 s")
        if failure:
            self._thread.join(timeout=5)
            raise RuntimeError("fake providers failed to start") from failure[0]

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._stopping = True
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeProviders:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # surfaced to start()
            failure.append(exc)
            ready.set()
            loop.run_until_complete(self._shutdown())
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._shutdown())
            loop.close()

    async def _serve(self) -> None:
        for spec in SPECS:
            app = build_app(spec, self._record, self._on_disconnect)
            runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=_SHUTDOWN_TIMEOUT)
            await runner.setup()
            self._runners.append(runner)
            site = web.TCPSite(runner, HOST, 0)
            await site.start()
            self._ports[spec.name] = _bound_port(runner)

    async def _shutdown(self) -> None:
        current = asyncio.current_task()
        for task in asyncio.all_tasks():  # hung handlers: hang / stall_stream / slow
            if task is not current:
                task.cancel()
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()
        await asyncio.sleep(0)

    # ---- addresses ---------------------------------------------------------------------------

    @property
    def ports(self) -> dict[str, int]:
        return dict(self._ports)

    @property
    def root_urls(self) -> dict[str, str]:
        """http://127.0.0.1:PORT per provider (what the Anthropic and Groq SDKs take as base_url)."""
        return {name: f"http://{HOST}:{port}" for name, port in self._ports.items()}

    @property
    def base_urls(self) -> dict[str, str]:
        """The OpenAI-compatible base URL per provider, shaped like the real one (Azure: the resource endpoint)."""
        roots = self.root_urls
        return {spec.name: roots[spec.name] + spec.base_path for spec in SPECS if spec.name in roots}

    # ---- recording -----------------------------------------------------------------------------

    def _record(self, provider: str, request: web.Request, raw: bytes) -> None:
        parsed: Any | None
        try:
            parsed = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            parsed = None
        item = Received(
            provider, request.method, request.path, dict(request.query), lower_headers(request), raw, parsed
        )
        with self._lock:
            self._received.append(item)

    def _on_disconnect(self) -> None:
        if self._stopping:
            return
        with self._disconnected:
            self._disconnects += 1
            self._disconnected.notify_all()

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def last(self, provider: str | None = None) -> Received:
        with self._lock:
            for item in reversed(self._received):
                if provider is None or item.provider == provider:
                    return item
        raise AssertionError(f"no request received{'' if provider is None else ' by ' + provider}")

    def clear(self) -> None:
        """Forget received requests and reset the disconnect counter."""
        with self._lock:
            self._received.clear()
            self._disconnects = 0

    @property
    def disconnects(self) -> int:
        with self._lock:
            return self._disconnects

    def wait_disconnect(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until at least `n` streams lost their client; False on timeout."""
        with self._disconnected:
            return self._disconnected.wait_for(lambda: self._disconnects >= n, timeout=timeout)


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    raise RuntimeError(f"no TCP address bound: {runner.addresses!r}")
