"""`lectr serve`: first-start set-up, then the aiohttp server — in this process, or in N worker processes."""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import signal
import time
from typing import Any

from aiohttp import web

from lectr.app import build_app
from lectr.config import Settings
from lectr.proxy.auth import hash_key, new_key
from lectr.store import Conflict, open_store

log = logging.getLogger("lectr")


async def _first_start(settings: Settings) -> str | None:
    """Create the `default` org on an empty database; return its key (shown once) or None."""
    store = open_store(settings.resolved_database_url)
    await store.open()
    try:
        if await store.count_orgs() > 0:
            return None
        key = new_key()
        try:
            await store.create_org("default", hash_key(key))
        except Conflict:  # another gateway on the same database got there first
            return None
        return key
    finally:
        await store.close()


def _welcome(key: str, base: str) -> str:
    return f"""
Lectr created the org `default`. Its key is shown only this once:

    {key}

Try it (your OpenAI key is forwarded, never stored):

    curl {base}/v1/chat/completions \\
      -H "X-Lectr-Key: {key}" \\
      -H "Authorization: Bearer $OPENAI_API_KEY" \\
      -H "Content-Type: application/json" \\
      -d '{{"model": "gpt-4o-mini", "messages": [{{"role": "user", "content": "Hello"}}]}}'

SDKs: set base_url="{base}/v1" and default_headers={{"X-Lectr-Key": "<key>"}}.
"""


def serve(settings: Settings, host: str, port: int, *, as_json: bool = False, workers: int | None = None) -> int:
    logging.getLogger().setLevel(settings.log_level.upper())
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency on every supported platform
        pass
    # Migrations and the first org happen once, here, before any worker starts.
    key = asyncio.run(_first_start(settings))
    base = f"http://{host}:{port}"
    if key is not None:
        print(json.dumps({"org": "default", "key": key}) if as_json else _welcome(key, base), flush=True)
    workers = workers or settings.workers
    store_kind = settings.resolved_database_url.split("://")[0]
    print(f"Lectr listening on {base} (store: {store_kind}, workers: {max(workers, 1)})", flush=True)
    if workers <= 1:
        _run(settings, host, port, reuse_port=False)
        return 0
    return _supervise(settings, host, port, workers)


def _run(settings: Settings, host: str, port: int, *, reuse_port: bool) -> None:
    web.run_app(
        build_app(settings), host=host, port=port, reuse_port=reuse_port or None, access_log=None, print=None,
        handler_cancellation=True,
    )


def _worker(settings: Settings, host: str, port: int) -> None:
    # Forked from the supervisor: drop its signal handlers; aiohttp installs the worker's own.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _run(settings, host, port, reuse_port=True)


def _supervise(settings: Settings, host: str, port: int, n: int) -> int:
    """Run n workers on one port (SO_REUSEPORT: the kernel spreads connections); restart any that die.

    Fork, not spawn: `python -m lectr` has no main guard, and workers need nothing from a fresh interpreter.
    """
    ctx = multiprocessing.get_context("fork")
    stopping = False

    def start() -> Any:
        proc = ctx.Process(target=_worker, args=(settings, host, port), daemon=False)
        proc.start()
        return proc, time.monotonic()

    procs = [start() for _ in range(n)]

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for proc, _ in procs:
            if proc.is_alive() and proc.pid:
                os.kill(proc.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        time.sleep(0.2)
        for i, (proc, started) in enumerate(procs):
            if proc.is_alive() or stopping:
                continue
            if time.monotonic() - started < 5:  # dies at start-up (port taken, bad config): don't spin
                log.error("worker %d exited at start-up (code %s); stopping", proc.pid, proc.exitcode)
                stop(signal.SIGTERM, None)
                break
            log.error("worker %d exited (code %s); starting another", proc.pid, proc.exitcode)
            procs[i] = start()
    for proc, _ in procs:
        proc.join(60)
    return 0 if all(p.exitcode == 0 for p, _ in procs) else 1
