"""Rollup levels, and folding events (or cost changes) into rollup rows in Python before one upsert per row.

Five tables share one shape. Full-key tables per minute, hour and day answer any group-by; the day table
lets long ranges read 24 times fewer rows. Provider-only tables per minute and hour (the other dimensions
fixed to a placeholder) answer the overview's time series, which groups by nothing but time, from a few
rows per bucket instead of one per feature × model × status combination.

Aggregating a batch here first means each rollup row is written once per batch, and rows are sorted by
key so that concurrent writers lock them in the same order (no deadlocks between gateway processes).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from lectr.events.record import Event
from lectr.store.base import LATENCY_BOUNDS_MS

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Level:
    table: str
    size_ms: int
    provider_only: bool   # True: every dimension but provider is folded into a placeholder


MINUTE = Level("rollups_minute", MINUTE_MS, False)
HOUR = Level("rollups_hour", HOUR_MS, False)
DAY = Level("rollups_day", DAY_MS, False)
MINUTE_PROVIDER = Level("rollups_minute_provider", MINUTE_MS, True)
HOUR_PROVIDER = Level("rollups_hour_provider", HOUR_MS, True)
LEVELS = (MINUTE, MINUTE_PROVIDER, HOUR, HOUR_PROVIDER, DAY)
FULL = {"minute": MINUTE, "hour": HOUR}
PROVIDER_ONLY = {"minute": MINUTE_PROVIDER, "hour": HOUR_PROVIDER}
# Retention: prune_rollups(bucket="minute") covers the per-minute tables; "hour" the hourly and daily ones.
RETENTION = {"minute": (MINUTE, MINUTE_PROVIDER), "hour": (HOUR, HOUR_PROVIDER, DAY)}
HIST_COLUMNS: tuple[str, ...] = tuple(f"h{i:02d}" for i in range(len(LATENCY_BOUNDS_MS) + 1))
KEY_COLUMNS = (
    "org_id", "bucket_ms", "provider", "model", "feature", "task_type", "status_code", "error_category", "streaming"
)
SUM_COLUMNS = (
    "requests", "errors", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens",
    "cost_usd", "unpriced", "latency_sum_ms", "ttfb_sum_ms", "ttfb_count", *HIST_COLUMNS,
    "cache_write_tokens",  # added by migration 0002, hence after the histogram
)
ROW_COLUMNS = KEY_COLUMNS + SUM_COLUMNS
_N_SUMS = len(SUM_COLUMNS)
_COST, _UNPRICED = SUM_COLUMNS.index("cost_usd"), SUM_COLUMNS.index("unpriced")
_CACHE_WRITE = SUM_COLUMNS.index("cache_write_tokens")

Key = tuple[Any, ...]


def prune_cutoff(level: Level, before_ms: int) -> int:
    """Retention deletes whole buckets only: those that ended by `before_ms`."""
    return before_ms - before_ms % level.size_ms


def rollup_model(model_actual: str | None, model_requested: str | None) -> str:
    """The model a rollup row is filed under: the one sent upstream, else the one asked for."""
    return model_actual or model_requested or ""


def key_of(level: Level, org_id: int, ts_ms: int, provider: str, model: str, feature: str,
           task_type: str | None, status_code: int, error_category: str | None, streaming: bool) -> Key:
    bucket = ts_ms - ts_ms % level.size_ms
    if level.provider_only:
        return (org_id, bucket, provider, "", "", "", 0, "", False)
    return (org_id, bucket, provider, model, feature, task_type or "", status_code, error_category or "",
            bool(streaming))


def event_key(e: Event, level: Level) -> Key:
    return key_of(level, e.org_id, e.ts_ms, e.provider, rollup_model(e.model_actual, e.model_requested),
                  e.feature, e.task_type, e.status_code, e.error_category, e.streaming)


Sums = dict[Key, list[Any]]


def aggregate(events: Iterable[Event], level: Level) -> list[tuple[Any, ...]]:
    """Rollup rows (KEY_COLUMNS + SUM_COLUMNS) for `events` at one level, one per key, sorted by key."""
    return _rows(_fold_events(events, level))


def aggregate_all(events: Iterable[Event]) -> dict[Level, list[tuple[Any, ...]]]:
    """Rollup rows for every level. Events are folded once, per minute; coarser levels re-fold those rows,
    which are far fewer than the events — this runs on every batch the gateway writes."""
    minute = _fold_events(events, MINUTE)
    hour = _refold(minute, HOUR)
    folded = {MINUTE: minute, HOUR: hour, DAY: _refold(hour, DAY),
              MINUTE_PROVIDER: _refold(minute, MINUTE_PROVIDER), HOUR_PROVIDER: _refold(hour, HOUR_PROVIDER)}
    return {level: _rows(folded[level]) for level in LEVELS}


def _fold_events(events: Iterable[Event], level: Level) -> Sums:
    acc: Sums = {}
    for e in events:
        key = event_key(e, level)
        sums = acc.get(key)
        if sums is None:
            sums = acc[key] = [0] * _N_SUMS
            sums[_COST] = 0.0
        _add(sums, e)
    return acc


def _refold(rows: Sums, level: Level) -> Sums:
    acc: Sums = {}
    for key, sums in rows.items():
        bucket = key[1] - key[1] % level.size_ms
        if level.provider_only:
            coarse: Key = (key[0], bucket, key[2], "", "", "", 0, "", False)
        else:
            coarse = (key[0], bucket, *key[2:])
        into = acc.get(coarse)
        if into is None:
            acc[coarse] = list(sums)
        else:
            acc[coarse] = [a + b for a, b in zip(into, sums)]
    return acc


def _rows(acc: Sums) -> list[tuple[Any, ...]]:
    return [key + tuple(acc[key]) for key in sorted(acc)]


def _add(s: list[Any], e: Event) -> None:
    s[0] += 1
    if e.status_code >= 400 or e.error_category:
        s[1] += 1
    s[2] += e.input_tokens or 0
    s[3] += e.output_tokens or 0
    s[4] += e.cached_tokens or 0
    s[5] += e.reasoning_tokens or 0
    if e.cost_usd is None:
        s[7] += 1
    else:
        s[6] += e.cost_usd
    s[8] += e.latency_ms
    if e.ttfb_ms is not None:
        s[9] += e.ttfb_ms
        s[10] += 1
    s[11 + bisect_left(LATENCY_BOUNDS_MS, e.latency_ms)] += 1
    s[_CACHE_WRITE] += e.cache_write_tokens or 0


# Columns update_costs reads for each event before changing it, in this order.
REPRICE_COLUMNS = (
    "id", "org_id", "ts_ms", "provider", "model_actual", "model_requested", "feature", "task_type",
    "status_code", "error_category", "streaming", "cost_usd",
)


def cost_deltas(
    rows: Iterable[Sequence[Any]], new_costs: dict[int, float | None], level: Level
) -> list[tuple[float, int, Key]]:
    """(cost delta, unpriced delta, rollup key) per rollup row touched by re-pricing; rows are REPRICE_COLUMNS."""
    acc: dict[Key, list[float]] = {}
    for event_id, org_id, ts_ms, provider, actual, requested, feature, task, status, category, streaming, old in rows:
        new = new_costs[event_id]
        d_cost = (new or 0.0) - (old or 0.0)
        d_unpriced = int(new is None) - int(old is None)
        if d_cost == 0 and d_unpriced == 0:
            continue
        key = key_of(level, org_id, ts_ms, provider, rollup_model(actual, requested), feature, task, status,
                     category, streaming)
        slot = acc.setdefault(key, [0.0, 0])
        slot[0] += d_cost
        slot[1] += d_unpriced
    return [(acc[k][0], int(acc[k][1]), k) for k in sorted(acc)]


def hist_bucket_sql(i: int) -> str:
    """SQL for "this event's latency falls in histogram bucket i" (same edges as bisect_left above)."""
    lo = f"latency_ms > {LATENCY_BOUNDS_MS[i - 1]}" if i > 0 else ""
    hi = f"latency_ms <= {LATENCY_BOUNDS_MS[i]}" if i < len(LATENCY_BOUNDS_MS) else ""
    return " AND ".join(p for p in (lo, hi) if p)
