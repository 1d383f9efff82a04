"""Provider health from the org's own traffic: error rate, latency, TTFB and a status.

Status (from the last 15 minutes when a provider had at least MIN_RECENT requests there, otherwise
from the whole chosen period):
  down      at least half of the requests failed on the provider's side (5xx, timeouts,
            connection failures), over at least MIN_DOWN requests
  degraded  at least 5 % failed on the provider's side (a stream cut short counts), or at least 10 % were rate limited (429),
            or the average time to first byte was 5 s or more
  healthy   otherwise
  idle      no requests
Client errors (400, 401, 404, …) are the caller's doing and never change a provider's status.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from lectr.insights.totals import Totals, figures
from lectr.store.base import RollupRow

DOWN_FAILURE_RATE = 0.5
DEGRADED_FAILURE_RATE = 0.05
DEGRADED_THROTTLE_RATE = 0.10
DEGRADED_TTFB_MS = 5000.0
MIN_DOWN = 3
MIN_RECENT = 5
TIMEOUT_STATUSES = {0, 408}


@dataclass(frozen=True, slots=True)
class Outcomes:
    requests: int
    failures: int       # provider-side: 5xx, timeouts, connection failures
    throttled: int      # 429
    avg_ttfb_ms: float | None


def provider_failures(row: RollupRow) -> int:
    """Errors of this row that the provider caused; rows must be grouped by status_code."""
    code = int(row.keys.get("status_code") or 0)
    if code >= 500 or code in TIMEOUT_STATUSES or code < 400:  # < 400 with an error: a stream cut short
        return row.errors
    return 0


def outcomes(rows: Iterable[RollupRow]) -> Outcomes:
    rows = list(rows)
    failures = sum(provider_failures(r) for r in rows)
    throttled = sum(r.requests for r in rows if r.keys.get("status_code") == 429)
    t = Totals.of(rows)
    return Outcomes(t.requests, failures, throttled, t.avg_ttfb_ms)


def status(o: Outcomes) -> str:
    if o.requests == 0:
        return "idle"
    failure_rate = o.failures / o.requests
    if failure_rate >= DOWN_FAILURE_RATE and o.requests >= MIN_DOWN:
        return "down"
    if (
        failure_rate >= DEGRADED_FAILURE_RATE
        or o.throttled / o.requests >= DEGRADED_THROTTLE_RATE
        or (o.avg_ttfb_ms or 0.0) >= DEGRADED_TTFB_MS
    ):
        return "degraded"
    return "healthy"


def by_provider(rows: Iterable[RollupRow]) -> dict[str, list[RollupRow]]:
    out: dict[str, list[RollupRow]] = defaultdict(list)
    for row in rows:
        out[str(row.keys.get("provider"))].append(row)
    return out


def error_categories(rows: Iterable[RollupRow]) -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.errors:
            code = row.keys.get("status_code")
            counts[row.keys.get("error_category") or f"http_{code}"] += row.errors
    return [{"category": c, "count": n} for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def provider_health(period_rows: Iterable[RollupRow], recent_rows: Iterable[RollupRow]) -> list[dict[str, Any]]:
    """One card per provider seen in the period, worst status first."""
    recent = by_provider(recent_rows)
    cards = []
    for provider, rows in by_provider(period_rows).items():
        recent_outcomes = outcomes(recent.get(provider, ()))
        basis = "recent" if recent_outcomes.requests >= MIN_RECENT else "period"
        judged = recent_outcomes if basis == "recent" else outcomes(rows)
        o = outcomes(rows)
        card: dict[str, Any] = {"provider": provider, "status": status(judged), "status_basis": basis}
        card.update(figures(Totals.of(rows)))
        card["failure_rate"] = o.failures / o.requests if o.requests else None
        card["throttled"] = o.throttled
        card["errors_by_category"] = error_categories(rows)
        cards.append(card)
    order = {"down": 0, "degraded": 1, "healthy": 2, "idle": 3}
    cards.sort(key=lambda c: (order[c["status"]], -c["requests"], c["provider"]))
    return cards
