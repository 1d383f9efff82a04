"""The machine's PostgreSQL for tests: throwaway databases and schemas, and stopping/starting the server.

Tests never touch the `test` database's own tables: each run creates `lectr_test_<random>` and drops it.
LECTR_TEST_POSTGRES_URL set (CI) means PostgreSQL must be there; otherwise its absence skips loudly.
"""

from __future__ import annotations

import asyncio
import glob
import os
import secrets
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
T = TypeVar("T")


def _sync(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, even when the caller is inside an event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, fn()).result()  # type: ignore[arg-type]


def with_database(url: str, name: str, query: str = "") -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, query, ""))


class Postgres:
    """An admin URL (usually the `test` database) from which throwaway databases are made."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def execute(self, sql: str, url: str | None = None) -> None:
        async def _do() -> None:
            conn = await asyncpg.connect(url or self.admin_url, timeout=5)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        _sync(_do)

    def fetch(self, sql: str, *args: Any, url: str) -> list[Any]:
        async def _do() -> list[Any]:
            conn = await asyncpg.connect(url, timeout=5)
            try:
                return list(await conn.fetch(sql, *args))
            finally:
                await conn.close()

        return _sync(_do)

    def create_database(self) -> str:
        name = f"lectr_test_{secrets.token_hex(5)}"
        self.execute(f"CREATE DATABASE {name}")
        self.created.append(name)
        return with_database(self.admin_url, name)

    def drop_all(self) -> None:
        for name in self.created:
            try:
                self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except Exception as exc:  # a leftover database must not fail the run
                print(f"could not drop {name}: {exc}")
        self.created.clear()


def connect_error(url: str) -> str | None:
    async def _try() -> None:
        conn = await asyncpg.connect(url, timeout=3)
        await conn.close()

    try:
        _sync(_try)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def require_postgres() -> Postgres:
    """The server, or a loud skip (a failure when LECTR_TEST_POSTGRES_URL says it must be there)."""
    required = os.environ.get("LECTR_TEST_POSTGRES_URL", "")
    url = required or DEFAULT_URL
    error = connect_error(url)
    if error is None:
        return Postgres(url)
    message = f"PostgreSQL NOT REACHABLE at {url} ({error}): PostgreSQL store tests SKIPPED"
    if required:
        pytest.fail(f"LECTR_TEST_POSTGRES_URL is set but {message}", pytrace=False)
    pytest.skip(message)


class Cluster:
    """Stops and starts the local PostgreSQL server (the outage test). Only where pg_ctlcluster works."""

    def __init__(self, url: str) -> None:
        self.url = url
        versions = sorted(os.path.basename(p) for p in glob.glob("/etc/postgresql/*"))
        self.version = versions[-1] if versions else ""

    def usable(self) -> str | None:
        if not shutil.which("pg_ctlcluster") or not self.version:
            return "pg_ctlcluster / /etc/postgresql not found"
        if os.geteuid() != 0:
            return "stopping PostgreSQL needs root"
        return None

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", action, *extra],
            check=True, capture_output=True, timeout=60,
        )

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def start(self) -> None:
        """Start (if stopped) and wait until the server accepts connections."""
        if connect_error(self.url) is None:
            return
        try:
            self._ctl("start")
        except subprocess.CalledProcessError:
            pass  # already running, or starting: the wait below decides
        deadline = time.monotonic() + 60
        while connect_error(self.url) is not None:
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not come back within 60 s")
            time.sleep(0.2)
