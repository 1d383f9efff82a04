"""The embedded SQLite store. One connection on one thread: every read and write goes through it."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from lectr.events.record import Event
from lectr.proxy.auth import Org
from lectr.store import sqlite_events as ev
from lectr.store.base import Conflict, EventQuery, PricedEvent, RollupQuery, RollupRow
from lectr.store.migrate import apply_sqlite
from lectr.store.sqlite_events import Tx

T = TypeVar("T")


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
            conn.execute("PRAGMA busy_timeout=10000")  # other gateway processes may hold the write lock
            _wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.row_factory = sqlite3.Row
            self._conn = conn
        return fn(self._conn)

    async def open(self) -> None:
        await self.migrate()

    async def migrate(self) -> list[str]:
        return await self._run(apply_sqlite)

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
            with Tx(c):
                try:
                    cur = c.execute("INSERT INTO orgs (name, created_ms) VALUES (?, ?)", (name, now))
                except sqlite3.IntegrityError:
                    raise Conflict(f"an org named {name!r} exists") from None
                c.execute(
                    "INSERT INTO org_keys (key_hash, org_id, created_ms) VALUES (?, ?, ?)",
                    (key_hash, cur.lastrowid, now),
                )
                _bump(c)
            return Org(id=int(cur.lastrowid or 0), name=name)

        return await self._run(_do)

    async def get_org(self, name: str) -> Org | None:
        found = await self._run(lambda c: _orgs(c, "WHERE o.name = ?", (name,)))
        return found[0] if found else None

    async def list_orgs(self) -> list[Org]:
        return await self._run(lambda c: _orgs(c, "ORDER BY o.id", ()))

    async def count_orgs(self) -> int:
        return int(await self._run(lambda c: c.execute("SELECT count(*) FROM orgs").fetchone()[0]))

    async def replace_keys(self, org_id: int, key_hash: str) -> None:
        def _do(c: sqlite3.Connection) -> None:
            now = _now_ms()
            with Tx(c):
                c.execute("UPDATE org_keys SET revoked_ms = ? WHERE org_id = ? AND revoked_ms IS NULL", (now, org_id))
                c.execute(
                    "INSERT INTO org_keys (key_hash, org_id, created_ms) VALUES (?, ?, ?)", (key_hash, org_id, now)
                )
                _bump(c)

        await self._run(_do)

    async def add_key(self, org_id: int, key_hash: str) -> None:
        await self._write(
            "INSERT INTO org_keys (key_hash, org_id, created_ms) VALUES (?, ?, ?)", (key_hash, org_id, _now_ms())
        )

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
            with Tx(c):
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

    # events, rollups, re-pricing, retention ------------------------------------------------------

    async def insert_events(self, events: Sequence[Event], uids: Sequence[bytes] | None = None) -> None:
        keys = list(uids) if uids is not None else [os.urandom(16) for _ in events]
        await self._run(lambda c: ev.insert_events(c, events, keys))

    async def query_events(self, q: EventQuery) -> list[dict[str, Any]]:
        return await self._run(lambda c: ev.query_events(c, q))

    async def query_rollups(self, q: RollupQuery) -> list[RollupRow]:
        return await self._run(lambda c: ev.query_rollups(c, q))

    async def events_for_repricing(
        self, org_id: int | None, since_ms: int | None, after_id: int, limit: int
    ) -> list[PricedEvent]:
        return await self._run(lambda c: ev.events_for_repricing(c, org_id, since_ms, after_id, limit))

    async def update_costs(self, changes: Sequence[tuple[int, float | None, str, str | None]]) -> None:
        await self._run(lambda c: ev.update_costs(c, changes))

    async def prune_events(self, before_ms: int, batch: int) -> int:
        return await self._run(lambda c: ev.prune_events(c, before_ms, batch))

    async def prune_rollups(self, before_ms: int, batch: int, bucket: str | None = None) -> int:
        return await self._run(lambda c: ev.prune_rollups(c, before_ms, batch, bucket))


def _wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL. The switch ignores busy_timeout, so when processes open a new file at once, retry."""
    for attempt in range(100):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == 99:
                raise
            time.sleep(0.02)


def _bump(c: sqlite3.Connection) -> None:
    """Every change the key cache must see bumps config_version, in the same transaction."""
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
