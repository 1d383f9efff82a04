"""SQL text shared by the SQLite and PostgreSQL stores: event filters, rollup upserts and rollup queries.

Only column names from fixed tuples are ever interpolated; every value travels as a parameter.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Sequence

from lectr.store.base import ROLLUP_DIMENSIONS, EventQuery, PricedEvent, RollupQuery, RollupRow
from lectr.store.rollup import (
    DAY,
    DAY_MS,
    FULL,
    HIST_COLUMNS,
    HOUR,
    KEY_COLUMNS,
    PROVIDER_ONLY,
    ROW_COLUMNS,
    SUM_COLUMNS,
    Level,
    hist_bucket_sql,
)

_BOOL_FILTERS = ("streaming", "provider_unknown")


class Params:
    """Collects parameters and hands out placeholders: '?' for SQLite, '$n' for PostgreSQL."""

    def __init__(self, mark: str) -> None:
        self.mark = mark
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return "?" if self.mark == "?" else f"${len(self.values)}"


def event_filters(q: EventQuery, mark: str) -> tuple[str, list[Any]]:
    """WHERE clause and parameters for an event query. `mark` is the placeholder style ('?' or '$')."""
    p = Params(mark)
    clauses = [f"org_id = {p(q.org_id)}"]
    if q.provider:
        clauses.append(f"provider = {p(q.provider)}")
    if q.model:
        m1, m2, m3 = p(q.model), p(q.model), p(q.model)
        clauses.append(f"(model_requested = {m1} OR model_actual = {m2} OR model_reported = {m3})")
    if q.feature:
        clauses.append(f"feature = {p(q.feature)}")
    if q.task:
        clauses.append(f"task_type = {p(q.task)}")
    if q.status is not None:
        clauses.append(f"status_code = {p(q.status)}")
    if q.since_ms is not None:
        clauses.append(f"ts_ms >= {p(q.since_ms)}")
    if q.until_ms is not None:
        clauses.append(f"ts_ms < {p(q.until_ms)}")
    if q.before_id is not None:
        clauses.append(f"id < {p(q.before_id)}")
    for name in _BOOL_FILTERS:
        value = getattr(q, name)
        if value is not None:
            clauses.append(f"{name} = {p(bool(value) if mark == '$' else int(value))}")
    return " AND ".join(clauses), p.values


def rollup_conflict(table: str) -> str:
    """The upsert tail: add the new sums to an existing row with the same key."""
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUM_COLUMNS)
    return f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {sets}"


def rollup_upsert_sqlite(table: str) -> str:
    marks = ", ".join("?" * len(ROW_COLUMNS))
    return f"INSERT INTO {table} ({', '.join(ROW_COLUMNS)}) VALUES ({marks}) {rollup_conflict(table)}"


_PG_TYPES = {
    "org_id": "bigint", "bucket_ms": "bigint", "status_code": "int", "streaming": "bool",
    "provider": "text", "model": "text", "feature": "text", "task_type": "text", "error_category": "text",
    "cost_usd": "float8", "latency_sum_ms": "float8", "ttfb_sum_ms": "float8",
}


def rollup_upsert_postgres(table: str) -> str:
    """One statement for a whole batch: each column arrives as an array and is unnested back into rows."""
    arrays = ", ".join(f"${i}::{_PG_TYPES.get(c, 'bigint')}[]" for i, c in enumerate(ROW_COLUMNS, 1))
    return f"INSERT INTO {table} ({', '.join(ROW_COLUMNS)}) SELECT * FROM unnest({arrays}) {rollup_conflict(table)}"


def rollup_cost_update(table: str, mark: str) -> str:
    """Adds a (cost, unpriced) delta to one rollup row, found by its full key."""
    p = Params(mark)
    cost, unpriced = p(0), p(0)
    where = " AND ".join(f"{c} = {p(0)}" for c in KEY_COLUMNS)
    return f"UPDATE {table} SET cost_usd = cost_usd + {cost}, unpriced = unpriced + {unpriced} WHERE {where}"


_KEY_DIMENSIONS = {"bucket": "bucket_ms", **{d: d for d in ROLLUP_DIMENSIONS}}
_EMPTY_IS_NONE = ("model", "task_type", "error_category")
_FLOAT_SUMS = ("cost_usd", "latency_sum_ms", "ttfb_sum_ms")


def plan(q: RollupQuery) -> list[tuple[Level, int, int]]:
    """Which tables answer `q`, each over which [start, end) of bucket starts; same result, fewest rows.

    Only provider (or nothing) asked for: the provider-only table. Hourly buckets over whole days, not
    grouped by time: whole days from the daily table, the hours at either end from the hourly one.
    """
    dims = {g for g in q.group_by if g != "bucket"} | set(q.filters)
    if dims <= {"provider"}:
        return [(PROVIDER_ONLY[q.bucket], q.start_ms, q.end_ms)]
    if q.bucket == "hour" and "bucket" not in q.group_by:
        first_day, last_day = -(-q.start_ms // DAY_MS) * DAY_MS, q.end_ms // DAY_MS * DAY_MS
        if last_day > first_day:
            parts = [(DAY, first_day, last_day), (HOUR, q.start_ms, first_day), (HOUR, last_day, q.end_ms)]
            return [(level, lo, hi) for level, lo, hi in parts if hi > lo]
    return [(FULL[q.bucket], q.start_ms, q.end_ms)]


def rollup_select(q: RollupQuery, mark: str) -> tuple[str, list[Any], tuple[str, ...]]:
    """SQL answering a RollupQuery: sums grouped by the requested keys, in key order."""
    unknown = [g for g in (*q.group_by, *q.filters) if g not in _KEY_DIMENSIONS or (g == "bucket" and g in q.filters)]
    if unknown or q.bucket not in FULL:
        raise ValueError(f"cannot group or filter rollups by {unknown or q.bucket}")
    p = Params(mark)
    parts = []
    for level, lo, hi in plan(q):
        where = [f"org_id = {p(q.org_id)}", f"bucket_ms >= {p(lo)}", f"bucket_ms < {p(hi)}"]
        where += [f"{name} = {p(_key_value(name, value, mark))}" for name, value in q.filters.items()]
        parts.append(f"SELECT {', '.join(ROW_COLUMNS)} FROM {level.table} WHERE {' AND '.join(where)}")
    source = parts[0].split(" FROM ", 1)[1] if len(parts) == 1 else f"({' UNION ALL '.join(parts)}) AS parts"
    groups = [_KEY_DIMENSIONS[g] for g in q.group_by]
    cast = "" if mark == "?" else "::bigint"  # PostgreSQL sums bigints into numeric
    sums = [f"SUM({c}){'' if c in _FLOAT_SUMS else cast}" for c in SUM_COLUMNS]
    sql = f"SELECT {', '.join([*groups, *sums])} FROM {source}"
    if groups:
        sql += f" GROUP BY {', '.join(groups)} ORDER BY {', '.join(groups)}"
    return sql, p.values, q.group_by


def _key_value(name: str, value: Any, mark: str) -> Any:
    if name in _EMPTY_IS_NONE and value is None:
        return ""
    if name == "streaming":
        return bool(value) if mark == "$" else int(bool(value))
    return value


def rollup_keys(group_by: tuple[str, ...], values: Any) -> dict[str, Any]:
    """A result row's group values as RollupRow.keys: booleans as bool, the '' placeholder as None."""
    keys: dict[str, Any] = {}
    for name, value in zip(group_by, values):
        if name == "streaming":
            value = bool(value)
        elif name in _EMPTY_IS_NONE and value == "":
            value = None
        keys[name] = value
    return keys


def rollup_from_events(level: Level, where: str) -> str:
    """Build a level's rollups from stored events in the database (bulk loads); merges into existing rows."""
    sums = [
        "count(*)", "count(*) FILTER (WHERE status_code >= 400 OR error_category IS NOT NULL)",
        *(f"coalesce(sum({c}), 0)" for c in ("input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens")),
        "coalesce(sum(cost_usd), 0)", "count(*) FILTER (WHERE cost_usd IS NULL)", "sum(latency_ms)",
        "coalesce(sum(ttfb_ms), 0)", "count(ttfb_ms)",
        *(f"count(*) FILTER (WHERE {hist_bucket_sql(i)})" for i in range(len(HIST_COLUMNS))),
        "coalesce(sum(cache_write_tokens), 0)",
    ]
    keys = ["org_id", f"ts_ms - ts_ms % {level.size_ms}", "provider"]
    if level.provider_only:
        keys += ["''", "''", "''", "0", "''", "false"]
    else:
        keys += ["coalesce(model_actual, model_requested, '')", "feature", "coalesce(task_type, '')", "status_code",
                 "coalesce(error_category, '')", "streaming"]
    groups = ", ".join(str(i) for i in range(1, 4 if level.provider_only else len(keys) + 1))
    return (
        f"INSERT INTO {level.table} ({', '.join(ROW_COLUMNS)}) SELECT {', '.join(keys + sums)} FROM events "
        f"WHERE {where} GROUP BY {groups} {rollup_conflict(level.table)}"
    )


PRICED_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(PricedEvent))


_N_SCALARS = SUM_COLUMNS.index(HIST_COLUMNS[0])
_N_HIST_END = _N_SCALARS + len(HIST_COLUMNS)


def to_rollup_row(keys: dict[str, Any], sums: Sequence[Any]) -> RollupRow:
    """A result row's sums (in SUM_COLUMNS order, already int/float from both drivers) as a RollupRow.

    Positional and conversion-free on purpose: a 30-day per-minute series is tens of thousands of rows.
    """
    requests, errors, tin, tout, cached, reasoning, cost, unpriced, latency, ttfb, ttfb_n = sums[:_N_SCALARS]
    return RollupRow(keys, requests, errors, tin, tout, cached, reasoning, cost, unpriced, latency, ttfb, ttfb_n,
                     tuple(sums[_N_SCALARS:_N_HIST_END]), sums[_N_HIST_END])
