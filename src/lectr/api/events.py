"""GET /api/v1/events: the org's own events, newest first, filtered."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping


from lectr.errors import BadRequest
from lectr.events.record import to_api
from lectr.store.base import EventQuery

MAX_LIMIT = 1000


def parse_query(org_id: int, params: Mapping[str, str]) -> EventQuery:
    try:
        limit = min(max(int(params.get("limit", "100")), 1), MAX_LIMIT)
        status = int(params["status"]) if params.get("status") else None
        before = int(params["before_id"]) if params.get("before_id") else None
    except ValueError:
        raise BadRequest("limit, status and before_id must be integers.") from None
    return EventQuery(
        org_id=org_id,
        limit=limit,
        provider=params.get("provider") or None,
        model=params.get("model") or None,
        feature=params.get("feature") or None,
        task=params.get("task") or None,
        status=status,
        since_ms=since_ms(params.get("since")),
        before_id=before,
    )


def since_ms(value: str | None) -> int | None:
    if not value:
        return None
    try:
        if value.replace(".", "", 1).isdigit():
            number = float(value)
            return int(number if number > 1e11 else number * 1000)  # epoch ms or seconds
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest("since must be an ISO 8601 time or epoch seconds.", param="since") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp() * 1000)


def page(rows: list[dict[str, Any]]) -> dict[str, Any]:
    data = [to_api(r) for r in rows]
    return {"data": data, "next_before_id": rows[-1]["id"] if rows else None}
