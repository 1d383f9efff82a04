"""SQL fragments shared by the SQLite and PostgreSQL stores."""

from __future__ import annotations

from typing import Any

from lectr.store.base import EventQuery


def event_filters(q: EventQuery, mark: str) -> tuple[str, list[Any]]:
    """WHERE clause and parameters for an event query. `mark` is the placeholder style ('?' or '$')."""
    clauses: list[str] = []
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        for v in values:
            params.append(v)
            sql = sql.replace("{}", "?" if mark == "?" else f"${len(params)}", 1)
        clauses.append(sql)

    add("org_id = {}", q.org_id)
    if q.provider:
        add("provider = {}", q.provider)
    if q.model:
        add("(model_requested = {} OR model_actual = {} OR model_reported = {})", q.model, q.model, q.model)
    if q.feature:
        add("feature = {}", q.feature)
    if q.task:
        add("task_type = {}", q.task)
    if q.status is not None:
        add("status_code = {}", q.status)
    if q.since_ms is not None:
        add("ts_ms >= {}", q.since_ms)
    if q.before_id is not None:
        add("id < {}", q.before_id)
    return " AND ".join(clauses), params
