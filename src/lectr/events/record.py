"""The event: every field Lectr may store about a request. Nothing else can be recorded."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from typing import Any


@dataclass(slots=True)
class Event:
    org_id: int
    request_id: str
    ts_ms: int                       # request start, epoch milliseconds
    endpoint: str
    provider: str
    provider_unknown: bool
    model_requested: str | None
    model_actual: str | None         # the model sent upstream (Azure: the deployment)
    model_reported: str | None = None
    streaming: bool = False
    status_code: int = 0
    error_category: str | None = None
    error_source: str | None = None  # "proxy" | "provider"
    latency_ms: float = 0.0
    ttfb_ms: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    token_source: str = "missing"    # "provider" | "estimated" | "missing"
    cost_usd: float | None = None
    cost_status: str = "unpriced"    # "priced" | "estimated" | "unpriced"
    price_source: str | None = None
    feature: str = "untagged"
    task_type: str | None = None
    rule_applied: str | None = None


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Event))


def to_api(row: dict[str, Any]) -> dict[str, Any]:
    """A stored event as the events API shows it."""
    out = {k: row[k] for k in COLUMNS if k not in ("org_id", "ts_ms")}
    out["timestamp"] = datetime.fromtimestamp(row["ts_ms"] / 1000, tz=timezone.utc).isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")
    out["provider_unknown"] = bool(row["provider_unknown"])
    out["streaming"] = bool(row["streaming"])
    return out


def as_row(event: Event) -> tuple[Any, ...]:
    return tuple(asdict(event).values())
