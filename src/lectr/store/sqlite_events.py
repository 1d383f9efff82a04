"""Events, rollups, re-pricing and retention on one SQLite connection (called on the store's thread)."""

from __future__ import annotations

import sqlite3
from operator import attrgetter
from typing import Any, Iterator, Sequence, TypeVar

from lectr.events.record import COLUMNS, Event
from lectr.store.base import EventQuery, PricedEvent, RollupQuery, RollupRow
from lectr.store.rollup import LEVELS, REPRICE_COLUMNS, RETENTION, aggregate_all, cost_deltas, prune_cutoff
from lectr.store.sql import (
    PRICED_COLUMNS,
    event_filters,
    rollup_cost_update,
    rollup_keys,
    rollup_select,
    rollup_upsert_sqlite,
    to_rollup_row,
)

# sqlite3 binds int, float, str and bytearray directly; for any other value (None, bytes, bool: most of an
# event row) it looks for an adapter and, finding none, raises and discards an AttributeError per value —
# about a fifth of the cost of a batch insert. Registered adapters make that a dict hit.
sqlite3.register_adapter(type(None), lambda _: None)
sqlite3.register_adapter(bytes, bytes)
sqlite3.register_adapter(bool, int)

_INSERT = f"INSERT INTO events (uid, {', '.join(COLUMNS)}) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})"
_row = attrgetter(*COLUMNS)
T = TypeVar("T")
_CHUNK = 500  # ids per IN (...) list, well under SQLite's parameter limit


class Tx:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error: takes the write lock up front, so no deadlocks."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def insert_events(c: sqlite3.Connection, events: Sequence[Event], uids: Sequence[bytes]) -> int:
    try:  # the usual case: none of these events is stored yet
        with Tx(c):
            c.executemany(_INSERT, [(uid, *_row(e)) for uid, e in zip(uids, events)])
            for level, rows in aggregate_all(events).items():
                c.executemany(rollup_upsert_sqlite(level.table), rows)
        return len(events)
    except sqlite3.IntegrityError:  # a uid is taken: an earlier attempt of this batch got through after all
        pass
    with Tx(c):  # holds the write lock: no other writer can add one of these uids meanwhile
        seen: set[bytes] = set()
        for part in _chunks(list(uids)):
            sql = f"SELECT uid FROM events WHERE uid IN ({', '.join('?' * len(part))})"
            seen.update(r[0] for r in c.execute(sql, part))
        fresh: list[tuple[bytes, Event]] = []
        for uid, event in zip(uids, events):
            if uid not in seen:  # already stored by an earlier attempt of this batch (or twice in it)
                seen.add(uid)
                fresh.append((uid, event))
        c.executemany(_INSERT, [(uid, *_row(e)) for uid, e in fresh])
        for level, rows in aggregate_all(e for _, e in fresh).items():
            c.executemany(rollup_upsert_sqlite(level.table), rows)
    return len(fresh)


def query_events(c: sqlite3.Connection, q: EventQuery) -> list[dict[str, Any]]:
    where, params = event_filters(q, "?")
    sql = f"SELECT id, {', '.join(COLUMNS)} FROM events WHERE {where} ORDER BY id DESC LIMIT ?"
    rows = [dict(r) for r in c.execute(sql, (*params, q.limit)).fetchall()]
    for r in rows:
        r["provider_unknown"], r["streaming"] = bool(r["provider_unknown"]), bool(r["streaming"])
    return rows


def query_rollups(c: sqlite3.Connection, q: RollupQuery) -> list[RollupRow]:
    sql, params, group_by = rollup_select(q, "?")
    out: list[RollupRow] = []
    for r in c.execute(sql, params).fetchall():
        row = tuple(r)
        if row[len(group_by)] is not None:  # no GROUP BY over no rows still yields one row of NULLs
            out.append(to_rollup_row(rollup_keys(group_by, row), row[len(group_by):]))
    return out


def events_for_repricing(
    c: sqlite3.Connection, org_id: int | None, since_ms: int | None, after_id: int, limit: int
) -> list[PricedEvent]:
    where, params = ["id > ?"], [after_id]
    if org_id is not None:
        where.append("org_id = ?")
        params.append(org_id)
    if since_ms is not None:
        where.append("ts_ms >= ?")
        params.append(since_ms)
    sql = f"SELECT {', '.join(PRICED_COLUMNS)} FROM events WHERE {' AND '.join(where)} ORDER BY id LIMIT ?"
    return [PricedEvent(*r) for r in c.execute(sql, (*params, limit)).fetchall()]


def update_costs(c: sqlite3.Connection, changes: Sequence[tuple[int, float | None, str, str | None]]) -> None:
    new_costs = {event_id: cost for event_id, cost, _, _ in changes}
    with Tx(c):
        rows: list[tuple[Any, ...]] = []
        for ids in _chunks(list(new_costs)):
            sql = f"SELECT {', '.join(REPRICE_COLUMNS)} FROM events WHERE id IN ({', '.join('?' * len(ids))})"
            rows += [tuple(r) for r in c.execute(sql, ids).fetchall()]
        c.executemany(
            "UPDATE events SET cost_usd = ?, cost_status = ?, price_source = ? WHERE id = ?",
            [(cost, status, source, event_id) for event_id, cost, status, source in changes],
        )
        for level in LEVELS:
            deltas = cost_deltas(rows, new_costs, level)
            c.executemany(rollup_cost_update(level.table, "?"), [(d, u, *key) for d, u, key in deltas])


# Retention walks each org's (org_id, ts_ms) / (org_id, bucket_ms) index prefix: no global time index to
# maintain on every insert, and the query indexes stay the planner's obvious choice.
_OLD_EVENTS = "SELECT id FROM events WHERE org_id IN (SELECT id FROM orgs) AND ts_ms < ? LIMIT ?"


def prune_events(c: sqlite3.Connection, before_ms: int, batch: int) -> int:
    with Tx(c):
        return c.execute(f"DELETE FROM events WHERE id IN ({_OLD_EVENTS})", (before_ms, batch)).rowcount


def prune_rollups(c: sqlite3.Connection, before_ms: int, batch: int, bucket: str | None) -> int:
    deleted = 0
    with Tx(c):
        for level in RETENTION[bucket] if bucket else LEVELS:
            deleted += c.execute(
                f"DELETE FROM {level.table} WHERE rowid IN "
                f"(SELECT rowid FROM {level.table} WHERE org_id IN (SELECT id FROM orgs) AND bucket_ms < ? LIMIT ?)",
                (prune_cutoff(level, before_ms), batch - deleted),
            ).rowcount
    return deleted


def _chunks(ids: list[T]) -> Iterator[list[T]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]
