"""Events, rollups, re-pricing and retention on PostgreSQL: whole batches per statement via unnest()."""

from __future__ import annotations

import uuid
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Sequence

from lectr.events.record import COLUMNS, Event
from lectr.store.base import EventQuery, PricedEvent, RollupQuery, RollupRow
from lectr.store.rollup import LEVELS, REPRICE_COLUMNS, RETENTION, aggregate_all, cost_deltas, prune_cutoff
from lectr.store.sql import (
    PRICED_COLUMNS,
    event_filters,
    rollup_cost_update,
    rollup_keys,
    rollup_select,
    rollup_upsert_postgres,
    to_rollup_row,
)

if TYPE_CHECKING:
    import asyncpg

_PG_TYPE = {"int": "bigint", "bool": "bool", "float": "float8", "str": "text"}


def _array_types() -> list[str]:
    """The PostgreSQL array type of each Event field, read off its annotation ("int | None" → bigint[])."""
    return [_PG_TYPE.get(str(f.type).split("|")[0].strip(), "text") + "[]" for f in fields(Event)]


_ARRAYS = ", ".join(f"${i}::{t}" for i, t in enumerate(["uuid[]", *_array_types()], 1))
_INSERT = (
    f"INSERT INTO events (uid, {', '.join(COLUMNS)}) SELECT * FROM unnest({_ARRAYS}) "
    "ON CONFLICT (uid) DO NOTHING RETURNING uid"
)
_UPSERT = {level: rollup_upsert_postgres(level.table) for level in LEVELS}
_row = attrgetter(*COLUMNS)


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows → one list per column, the shape unnest() takes."""
    return [list(col) for col in zip(*rows)] if rows else [[] for _ in range(width)]


async def insert_events(conn: "asyncpg.Connection", events: Sequence[Event], uids: Sequence[bytes]) -> int:
    keys = [uuid.UUID(bytes=u) for u in uids]
    async with conn.transaction():
        stored = {r[0] for r in await conn.fetch(_INSERT, keys, *_columns([_row(e) for e in events], len(COLUMNS)))}
        inserted = []
        for event, key in zip(events, keys):
            if key in stored:  # stored now, not by an earlier attempt of this batch; once even if listed twice
                stored.discard(key)
                inserted.append(event)
        for level, rows in aggregate_all(inserted).items():
            if rows:
                await conn.execute(_UPSERT[level], *_columns(rows, len(rows[0])))
    return len(inserted)


async def query_events(conn: "asyncpg.Connection", q: EventQuery) -> list[dict[str, Any]]:
    where, params = event_filters(q, "$")
    sql = f"SELECT id, {', '.join(COLUMNS)} FROM events WHERE {where} ORDER BY id DESC LIMIT ${len(params) + 1}"
    return [dict(r) for r in await conn.fetch(sql, *params, q.limit)]


async def query_rollups(conn: "asyncpg.Connection", q: RollupQuery) -> list[RollupRow]:
    sql, params, group_by = rollup_select(q, "$")
    out: list[RollupRow] = []
    for r in await conn.fetch(sql, *params):
        row = tuple(r)
        if row[len(group_by)] is not None:  # no GROUP BY over no rows still yields one row of NULLs
            out.append(to_rollup_row(rollup_keys(group_by, row), row[len(group_by):]))
    return out


async def events_for_repricing(
    conn: "asyncpg.Connection", org_id: int | None, since_ms: int | None, after_id: int, limit: int
) -> list[PricedEvent]:
    where, params = ["id > $1"], [after_id]
    if org_id is not None:
        params.append(org_id)
        where.append(f"org_id = ${len(params)}")
    if since_ms is not None:
        params.append(since_ms)
        where.append(f"ts_ms >= ${len(params)}")
    sql = (
        f"SELECT {', '.join(PRICED_COLUMNS)} FROM events WHERE {' AND '.join(where)} "
        f"ORDER BY id LIMIT ${len(params) + 1}"
    )
    return [PricedEvent(*r) for r in await conn.fetch(sql, *params, limit)]


async def update_costs(
    conn: "asyncpg.Connection", changes: Sequence[tuple[int, float | None, str, str | None]]
) -> None:
    latest = {c[0]: c for c in changes}  # an id given twice: the last change wins, as in SQLite
    new_costs = {event_id: c[1] for event_id, c in latest.items()}
    async with conn.transaction():
        rows = await conn.fetch(
            f"SELECT {', '.join(REPRICE_COLUMNS)} FROM events WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
            list(latest),
        )
        await conn.execute(
            "UPDATE events SET cost_usd = c.cost, cost_status = c.status, price_source = c.source "
            "FROM unnest($1::bigint[], $2::float8[], $3::text[], $4::text[]) AS c(id, cost, status, source) "
            "WHERE events.id = c.id",
            *_columns(list(latest.values()), 4),
        )
        for level in LEVELS:
            deltas = cost_deltas([tuple(r) for r in rows], new_costs, level)
            if deltas:
                await conn.executemany(rollup_cost_update(level.table, "$"), [(d, u, *key) for d, u, key in deltas])


async def prune_events(conn: "asyncpg.Connection", before_ms: int, batch: int) -> int:
    # Per org, along the (org_id, ts_ms) index: no global time index to maintain on every insert.
    # SKIP LOCKED: two gateways pruning at once take different rows instead of waiting on each other.
    status = await conn.execute(
        "DELETE FROM events WHERE id = ANY(ARRAY(SELECT id FROM events WHERE org_id = ANY(ARRAY(SELECT id FROM orgs)) "
        "AND ts_ms < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))",
        before_ms, batch,
    )
    return int(status.split()[-1])


async def prune_rollups(conn: "asyncpg.Connection", before_ms: int, batch: int, bucket: str | None) -> int:
    deleted = 0
    for level in RETENTION[bucket] if bucket else LEVELS:
        status = await conn.execute(
            f"DELETE FROM {level.table} WHERE ctid = ANY(ARRAY("
            f"SELECT ctid FROM {level.table} WHERE org_id = ANY(ARRAY(SELECT id FROM orgs)) AND bucket_ms < $1 "
            "LIMIT $2 FOR UPDATE SKIP LOCKED))",
            prune_cutoff(level, before_ms), batch - deleted,
        )
        deleted += int(status.split()[-1])
    return deleted
