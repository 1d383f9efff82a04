"""Time series for the overview charts: rollup buckets gathered into evenly spaced points."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from lectr.insights.periods import Window
from lectr.insights.totals import Totals
from lectr.store.base import RollupRow


def time_series(rows: Iterable[RollupRow], window: Window, step_ms: int) -> dict[str, list[Any]]:
    """Points every `step_ms` across the window; latency is None where there was no traffic (a gap)."""
    points = max(1, (window.end_ms - window.start_ms) // step_ms)
    per_point: dict[int, list[RollupRow]] = defaultdict(list)
    for row in rows:
        index = (int(row.keys["bucket"]) - window.start_ms) // step_ms
        if 0 <= index < points:
            per_point[index].append(row)
    out: dict[str, list[Any]] = {k: [] for k in ("t", "requests", "errors", "cost_usd", "avg_latency_ms", "p95_latency_ms")}
    for i in range(points):
        t = Totals.of(per_point.get(i, ()))
        out["t"].append((window.start_ms + i * step_ms) // 1000)
        out["requests"].append(t.requests)
        out["errors"].append(t.errors)
        out["cost_usd"].append(round(t.cost_usd, 8))
        out["avg_latency_ms"].append(t.avg_latency_ms)
        out["p95_latency_ms"].append(t.p(95))
    return out
