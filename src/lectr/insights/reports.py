"""The data behind each dashboard view. The HTML pages and the JSON API both show exactly this."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from lectr.insights import breakdown as bd
from lectr.insights.health import provider_health
from lectr.insights.periods import Period, Window, current_and_previous, recent_window
from lectr.insights.series import time_series
from lectr.insights.totals import Totals, compared, headline
from lectr.store.base import RollupQuery, RollupRow, Store

HEALTH_DIMS = ("provider", "status_code", "error_category")


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose data, over which period, as of when."""

    org_id: int
    period: Period
    now_ms: int

    @property
    def windows(self) -> tuple[Window, Window]:
        return current_and_previous(self.period, self.now_ms)


async def rollups(store: Store, org_id: int, window: Window, group_by: Sequence[str]) -> list[RollupRow]:
    query = RollupQuery(org_id, window.start_ms, window.end_ms, window.bucket, tuple(group_by))
    return await store.query_rollups(query)


async def both_periods(store: Store, scope: Scope, group_by: Sequence[str]) -> tuple[list[RollupRow], list[RollupRow]]:
    now, before = scope.windows
    current, previous = await asyncio.gather(
        rollups(store, scope.org_id, now, group_by), rollups(store, scope.org_id, before, group_by)
    )
    return current, previous


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def describe_period(scope: Scope) -> dict[str, Any]:
    now, before = scope.windows
    return {
        "name": scope.period.name, "label": scope.period.label, "bucket": now.bucket,
        "start": iso(now.start_ms), "end": iso(now.end_ms),
        "previous_start": iso(before.start_ms), "previous_end": iso(before.end_ms),
    }


async def overview(store: Store, scope: Scope) -> dict[str, Any]:
    now, before = scope.windows
    current, previous, recent = await asyncio.gather(
        rollups(store, scope.org_id, now, ("bucket",) + HEALTH_DIMS),
        rollups(store, scope.org_id, before, ()),
        rollups(store, scope.org_id, recent_window(scope.now_ms), HEALTH_DIMS),
    )
    return {
        "period": describe_period(scope),
        "headline": headline(Totals.of(current), Totals.of(previous), now, before),
        "series": time_series(current, now, scope.period.step_ms),
        "providers": provider_health(current, recent),
    }


async def models(store: Store, scope: Scope, provider: str | None = None) -> dict[str, Any]:
    current, previous = await both_periods(store, scope, ("provider", "model"))
    providers = sorted({str(r.keys.get("provider")) for r in current})
    if provider:
        current = [r for r in current if r.keys.get("provider") == provider]
        previous = [r for r in previous if r.keys.get("provider") == provider]
    return {
        "period": describe_period(scope),
        "provider": provider,
        "providers": providers,
        "models": bd.breakdown(current, previous, ("model", "provider")),
    }


async def cost(store: Store, scope: Scope) -> dict[str, Any]:
    current, previous = await both_periods(store, scope, ("provider", "model"))
    now, before = Totals.of(current), Totals.of(previous)
    return {
        "period": describe_period(scope),
        "total": {**compared(now.cost, before.cost), "unpriced_requests": now.unpriced_requests,
                  "requests": now.requests},
        "providers": bd.breakdown(current, previous, ("provider",)),
        "models": bd.breakdown(current, previous, ("model", "provider")),
    }


async def health(store: Store, scope: Scope) -> dict[str, Any]:
    now, _ = scope.windows
    current, recent = await asyncio.gather(
        rollups(store, scope.org_id, now, HEALTH_DIMS),
        rollups(store, scope.org_id, recent_window(scope.now_ms), HEALTH_DIMS),
    )
    return {"period": describe_period(scope), "providers": provider_health(current, recent)}


TAG_HEADERS = {"feature": "X-Lectr-Feature", "task_type": "X-Lectr-Task"}


async def tagged(store: Store, scope: Scope, dimension: str) -> dict[str, Any]:
    """Per feature or per task type: the same table, and a nudge when `untagged` dominates."""
    current, previous = await both_periods(store, scope, (dimension,))
    table = bd.breakdown(current, previous, (dimension,))
    return {
        "period": describe_period(scope),
        "dimension": dimension,
        "rows": table,
        "nudge": bd.untagged_nudge(table, dimension, TAG_HEADERS[dimension]),
    }
