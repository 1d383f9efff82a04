"""The embedded SQLite store. One connection on one thread: every read and write goes through it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from lectr.events.record import COLUMNS, Event, as_row
from lectr.proxy.auth import Org
from lectr.store.base import EventQuery
from lectr.store.sql import event_filters

T = TypeVar("T")
_INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


class SqliteStore:
    def __init__(self, path: str) -> None:
        self.path = path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lectr-sqlite")
        self._conn: sqlite3.Connection | None = None

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=5000")
            conn.row_factory = sqlite3.Row
            self._conn = conn
        return fn(self._conn)

    async def open(self) -> None:
        sql = resources.files("lectr.store").joinpath("migrations/sqlite_001_initial.sql").read_text()
        await self._run(lambda c: c.executescript(sql))

    async def close(self) -> None:
        def _close(c: sqlite3.Connection) -> None:
            c.close()
            self._conn = None

        if self._conn is not None:
            await self._run(_close)
        self._pool.shutdown(wait=True)

    async def ping(self) -> bool:
        return bool(await self._run(lambda c: c.execute("SELECT 1").fetchone()[0]))

    # organisations and keys ------------------------------------------------------------------

    async def create_org(self, name: str, key_hash: str) -> Org:
        def _do(c: sqlite3.Connection) -> Org:
            now = _now_ms()
            with _tx(c):
                cur = c.execute("INSERT INTO orgs (name, created_ms) VALUES (?, ?)", (name, now))
                c.execute(
                    "INSERT INTO org_keys (key_hash, org_id, created_ms) VALUES (?, ?, ?)",
                    (key_hash, cur.lastrowid, now),
                )
                _bump(c)
            return Org(id=int(cur.lastrowid or 0), name=name)

        return await self._run(_do)

    async def get_org(self, name: str) -> Org | None:
        snapshot = await self._run(lambda c: _orgs(c, "WHERE o.name = ?", (name,)))
        return snapshot[0] if snapshot else None

    async def count_orgs(self) -> int:
        return int(await self._run(lambda c: c.execute("SELECT count(*) FROM orgs").fetchone()[0]))

    async def replace_keys(self, org_id: int, key_hash: str) -> None:
        def _do(c: sqlite3.Connection) -> None:
            now = _now_ms()
            with _tx(c):
                c.execute("UPDATE org_keys SET revoked_ms = ? WHERE org_id = ? AND revoked_ms IS NULL", (now, org_id))
                c.execute("INSERT INTO org_keys (key_hash, org_id, created_ms) VALUES (?, ?, ?)", (key_hash, org_id, now))
                _bump(c)

        await self._run(_do)

    async def set_org_disabled(self, org_id: int, disabled: bool) -> None:
        await self._write("UPDATE orgs SET disabled = ? WHERE id = ?", (int(disabled), org_id))

    async def set_azure(self, org_id: int, endpoint: str, api_version: str) -> None:
        await self._write(
            "UPDATE orgs SET azure_endpoint = ?, azure_api_version = ? WHERE id = ?", (endpoint, api_version, org_id)
        )

    async def map_azure_deployment(self, org_id: int, deployment: str, model: str) -> None:
        await self._write(
            "INSERT INTO azure_deployments (org_id, deployment, model) VALUES (?, ?, ?) "
            "ON CONFLICT (org_id, deployment) DO UPDATE SET model = excluded.model",
            (org_id, deployment, model),
        )

    async def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        def _do(c: sqlite3.Connection) -> None:
            with _tx(c):
                c.execute(sql, params)
                _bump(c)

        await self._run(_do)

    async def config_version(self) -> int:
        return int(
            await self._run(lambda c: c.execute("SELECT value FROM meta WHERE key = 'config_version'").fetchone()[0])
        )

    async def auth_snapshot(self) -> dict[str, Org]:
        def _do(c: sqlite3.Connection) -> dict[str, Org]:
            orgs = {o.id: o for o in _orgs(c, "", ())}
            rows = c.execute("SELECT key_hash, org_id FROM org_keys WHERE revoked_ms IS NULL").fetchall()
            return {r["key_hash"]: orgs[r["org_id"]] for r in rows if r["org_id"] in orgs}

        return await self._run(_do)

    # events ----------------------------------------------------------------------------------

    async def insert_events(self, events: Sequence[Event]) -> None:
        rows = [as_row(e) for e in events]

        def _do(c: sqlite3.Connection) -> None:
            with _tx(c):
                c.executemany(_INSERT, rows)

        await self._run(_do)

    async def query_events(self, q: EventQuery) -> list[dict[str, Any]]:
        where, params = event_filters(q, "?")
        sql = f"SELECT id, {', '.join(COLUMNS)} FROM events WHERE {where} ORDER BY id DESC LIMIT ?"
        return await self._run(lambda c: [dict(r) for r in c.execute(sql, (*params, q.limit)).fetchall()])


class _tx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def _bump(c: sqlite3.Connection) -> None:
    c.execute("UPDATE meta SET value = value + 1 WHERE key = 'config_version'")


def _orgs(c: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> list[Org]:
    rows = c.execute(
        "SELECT o.id, o.name, o.disabled, o.azure_endpoint, o.azure_api_version FROM orgs o " + where, params
    ).fetchall()
    maps: dict[int, dict[str, str]] = {}
    for r in c.execute("SELECT org_id, deployment, model FROM azure_deployments").fetchall():
        maps.setdefault(r["org_id"], {})[r["deployment"]] = r["model"]
    return [
        Org(
            id=r["id"], name=r["name"], disabled=bool(r["disabled"]), azure_endpoint=r["azure_endpoint"],
            azure_api_version=r["azure_api_version"], azure_deployments=maps.get(r["id"], {}),
        )
        for r in rows
    ]


def _now_ms() -> int:
    return int(time.time() * 1000)
