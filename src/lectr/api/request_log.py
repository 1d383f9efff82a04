"""The request log view: the org's events in the chosen period, filtered, newest first, by keyset pages."""

from __future__ import annotations

from typing import Any, Mapping

from lectr.errors import BadRequest
from lectr.events.record import to_api
from lectr.insights.reports import Scope, describe_period, rollups
from lectr.store.base import EventQuery, Store

PAGE_SIZE = 50
MAX_PAGE = 500
FILTERS = ("provider", "model", "feature", "task", "status", "streaming", "provider_unknown")
_OPTION_DIMS = ("provider", "model", "feature", "task_type", "status_code")


def _flag(value: str | None, name: str) -> bool | None:
    if value in (None, ""):
        return None
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise BadRequest(f"{name} must be true or false.", param=name)


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise BadRequest(f"{name} must be an integer.", param=name) from None


def event_query(scope: Scope, params: Mapping[str, str]) -> EventQuery:
    window, _ = scope.windows
    return EventQuery(
        org_id=scope.org_id,
        limit=min(max(_int(params.get("limit"), "limit") or PAGE_SIZE, 1), MAX_PAGE),
        provider=params.get("provider") or None,
        model=params.get("model") or None,
        feature=params.get("feature") or None,
        task=params.get("task") or None,
        status=_int(params.get("status"), "status"),
        since_ms=window.start_ms,
        before_id=_int(params.get("before_id"), "before_id"),
        streaming=_flag(params.get("streaming"), "streaming"),
        provider_unknown=_flag(params.get("provider_unknown"), "provider_unknown"),
    )


async def filter_options(store: Store, scope: Scope) -> dict[str, list[Any]]:
    """The values seen in the period, to fill the filter drop-downs."""
    window, _ = scope.windows
    rows = await rollups(store, scope.org_id, window, _OPTION_DIMS)
    def seen(dim: str) -> list[Any]:
        return sorted({r.keys.get(dim) for r in rows if r.keys.get(dim) not in (None, "")}, key=str)
    return {"provider": seen("provider"), "model": seen("model"), "feature": seen("feature"),
            "task": seen("task_type"), "status": seen("status_code")}


async def request_log(store: Store, scope: Scope, params: Mapping[str, str]) -> dict[str, Any]:
    query = event_query(scope, params)
    rows = await store.query_events(query)
    data = [{"id": r["id"], **to_api(r)} for r in rows]
    return {
        "period": describe_period(scope),
        "filters": {name: params.get(name) or None for name in FILTERS},
        "options": await filter_options(store, scope),
        "data": data,
        "next_before_id": rows[-1]["id"] if len(rows) == query.limit else None,
    }
