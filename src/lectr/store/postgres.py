"""The PostgreSQL store: an asyncpg pool shared by the gateway's tasks; many gateways may share the database."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Awaitable, Callable, Sequence, TypeVar

import asyncpg

from lectr.events.record import Event
from lectr.proxy.auth import Org
from lectr.store import postgres_events as ev
from lectr.store.base import Conflict, EventQuery, PricedEvent, RollupQuery, RollupRow
from lectr.store.migrate import apply_postgres

T = TypeVar("T")
_BUMP = "UPDATE meta SET value = value + 1 WHERE key = 'config_version'"


class PostgresStore:
    def __init__(self, url: str, *, pool_size: int = 4) -> None:
        self.url = url
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        # Short connect and command timeouts: when the database hangs, the event sink must notice and
        # spool rather than wait; the gateway itself never waits on the store. min_size=0: no connection
        # floor for asyncpg to keep restoring (and logging about) while the database is down.
        # force_custom_plan: asyncpg prepares every statement, and a generic plan would ignore how skewed
        # orgs and time ranges are (a 10-row prune would seq-scan the events table); planning costs ~0.2 ms.
        self._pool = await asyncpg.create_pool(
            self.url, min_size=0, max_size=self._pool_size, timeout=5, command_timeout=30,
            server_settings={"plan_cache_mode": "force_custom_plan"},
        )
        await self.migrate()

    async def migrate(self) -> list[str]:
        return await self._run(apply_postgres)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), 5)
            except (asyncio.TimeoutError, OSError):
                pool.terminate()

    async def _run(self, fn: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        if self._pool is None:
            raise RuntimeError("PostgresStore is not open")
        async with self._pool.acquire() as conn:
            return await fn(conn)

    async def ping(self) -> bool:
        return bool(await self._run(lambda c: c.fetchval("SELECT 1", timeout=2)))

    # organisations and keys ------------------------------------------------------------------

    async def create_org(self, name: str, key_hash: str) -> Org:
        async def _do(c: asyncpg.Connection) -> Org:
            now = _now_ms()
            async with c.transaction():
                try:
                    org_id = await c.fetchval(
                        "INSERT INTO orgs (name, created_ms) VALUES ($1, $2) RETURNING id", name, now
                    )
                except asyncpg.UniqueViolationError:
                    raise Conflict(f"an org named {name!r} exists") from None
                await c.execute(
                    "INSERT INTO org_keys (key_hash, org_id, created_ms) VALUES ($1, $2, $3)", key_hash, org_id, now
                )
                await c.execute(_BUMP)
            return Org(id=int(org_id), name=name)

        return await self._run(_do)

    async def get_org(self, name: str) -> Org | None:
        found = await self._run(lambda c: _orgs(c, "WHERE o.name = $1", name))
        return found[0] if found else None

    async def list_orgs(self) -> list[Org]:
        return await self._run(lambda c: _orgs(c, "ORDER BY o.id"))

    async def count_orgs(self) -> int:
        return int(await self._run(lambda c: c.fetchval("SELECT count(*) FROM orgs")))

    async def replace_keys(self, org_id: int, key_hash: str) -> None:
        now = _now_ms()
        await self._write(
            ("UPDATE org_keys SET revoked_ms = $1 WHERE org_id = $2 AND revoked_ms IS NULL", now, org_id),
            ("INSERT INTO org_keys (key_hash, org_id, created_ms) VALUES ($1, $2, $3)", key_hash, org_id, now),
        )

    async def add_key(self, org_id: int, key_hash: str) -> None:
        await self._write(
            ("INSERT INTO org_keys (key_hash, org_id, created_ms) VALUES ($1, $2, $3)", key_hash, org_id, _now_ms())
        )

    async def set_org_disabled(self, org_id: int, disabled: bool) -> None:
        await self._write(("UPDATE orgs SET disabled = $1 WHERE id = $2", disabled, org_id))

    async def set_azure(self, org_id: int, endpoint: str, api_version: str) -> None:
        await self._write(
            ("UPDATE orgs SET azure_endpoint = $1, azure_api_version = $2 WHERE id = $3", endpoint, api_version, org_id)
        )

    async def map_azure_deployment(self, org_id: int, deployment: str, model: str) -> None:
        await self._write((
            "INSERT INTO azure_deployments (org_id, deployment, model) VALUES ($1, $2, $3) "
            "ON CONFLICT (org_id, deployment) DO UPDATE SET model = excluded.model",
            org_id, deployment, model,
        ))

    async def _write(self, *statements: tuple[Any, ...]) -> None:
        """Config changes, then the config_version bump every gateway's key cache polls — one transaction."""

        async def _do(c: asyncpg.Connection) -> None:
            async with c.transaction():
                for sql, *params in statements:
                    await c.execute(sql, *params)
                await c.execute(_BUMP)

        await self._run(_do)

    async def config_version(self) -> int:
        return int(await self._run(lambda c: c.fetchval("SELECT value FROM meta WHERE key = 'config_version'")))

    async def auth_snapshot(self) -> dict[str, Org]:
        async def _do(c: asyncpg.Connection) -> dict[str, Org]:
            async with c.transaction(isolation="repeatable_read", readonly=True):  # keys and orgs from one moment
                orgs = {o.id: o for o in await _orgs(c, "")}
                rows = await c.fetch("SELECT key_hash, org_id FROM org_keys WHERE revoked_ms IS NULL")
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


async def _orgs(c: asyncpg.Connection, where: str, *params: Any) -> list[Org]:
    rows = await c.fetch(
        "SELECT o.id, o.name, o.disabled, o.azure_endpoint, o.azure_api_version FROM orgs o " + where, *params
    )
    maps: dict[int, dict[str, str]] = {}
    for r in await c.fetch("SELECT org_id, deployment, model FROM azure_deployments"):
        maps.setdefault(r["org_id"], {})[r["deployment"]] = r["model"]
    return [
        Org(
            id=r["id"], name=r["name"], disabled=r["disabled"], azure_endpoint=r["azure_endpoint"],
            azure_api_version=r["azure_api_version"], azure_deployments=maps.get(r["id"], {}),
        )
        for r in rows
    ]


def _now_ms() -> int:
    return int(time.time() * 1000)
