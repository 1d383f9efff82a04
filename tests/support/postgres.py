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
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
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


class PrivateServer:
    """A throwaway PostgreSQL server of the test's own: initdb in a temp dir, on a free port.

    The outage test stops it; stopping the machine's shared server instead would break every other
    session using it (other test runs, benchmark loads) for those seconds.
    """

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        self.bin = Path(bins[-1]).parent if bins else None
        self.dir = Path(tempfile.mkdtemp(prefix="lectr-pg-"))
        self.data = self.dir / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def usable(self) -> str | None:
        if self.bin is None or not (self.bin / "initdb").exists():
            return "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser (initdb refuses root)"
        return None

    def _run(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=120)

    def create(self) -> "PrivateServer":
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        self.start()
        return self

    def start(self) -> None:
        """Start (if stopped) and wait until it accepts connections."""
        if connect_error(self.url) is None:
            return
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"),
                  "-w", "start")
        wait_for(self.url)

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while connect_error(url) is not None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL at {url} did not come up within {timeout:.0f} s")
        time.sleep(0.2)


class Cluster:
    """Stops and starts the machine's PostgreSQL (pg_ctlcluster): the outage test's fallback, where no
    private server can be made. Every other user of that server sees the outage too."""

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
        wait_for(self.url)
