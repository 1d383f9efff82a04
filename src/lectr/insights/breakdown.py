"""Breakdown tables: totals per model, provider, feature or task type, with share of spend and change."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Sequence

from lectr.insights.totals import Totals, change, figures
from lectr.store.base import RollupRow

UNTAGGED = "untagged"
# `untagged` traffic above this share of spend (or of requests, when nothing is priced) earns a nudge.
NUDGE_SHARE = 0.20


def label(dimension: str, value: Any) -> Any:
    """How a dimension's value is shown: a missing feature or task type is `untagged`."""
    if dimension in ("feature", "task_type") and value in (None, ""):
        return UNTAGGED
    return value


def grouped(rows: Iterable[RollupRow], dims: Sequence[str]) -> dict[tuple[Any, ...], Totals]:
    buckets: dict[tuple[Any, ...], list[RollupRow]] = defaultdict(list)
    for row in rows:
        buckets[tuple(label(d, row.keys.get(d)) for d in dims)].append(row)
    return {key: Totals.of(members) for key, members in buckets.items()}


def breakdown(now: Iterable[RollupRow], before: Iterable[RollupRow], dims: Sequence[str]) -> list[dict[str, Any]]:
    """One row per group, biggest spend first, each compared with the same group in the previous period."""
    current, previous = grouped(now, dims), grouped(before, dims)
    total = _sum(current.values())
    table = []
    for key, t in current.items():
        prior = previous.get(key, Totals())
        row: dict[str, Any] = dict(zip(dims, key))
        row.update(figures(t))
        row["share_of_spend"] = t.cost_usd / total.cost_usd if total.cost_usd else None
        row["share_of_requests"] = t.requests / total.requests if total.requests else None
        row["previous_cost_usd"] = prior.cost
        row["cost_change"] = change(t.cost, prior.cost)
        row["previous_requests"] = prior.requests
        row["requests_change"] = change(t.requests, prior.requests)
        table.append(row)
    table.sort(key=lambda r: (-(r["cost_usd"] or 0.0), -r["requests"], str(r[dims[0]])))
    return table


def _sum(parts: Iterable[Totals]) -> Totals:
    parts = list(parts)
    return Totals(
        requests=sum(p.requests for p in parts),
        cost_usd=sum(p.cost_usd for p in parts),
    )


def untagged_nudge(table: list[dict[str, Any]], dimension: str, header: str) -> dict[str, Any] | None:
    """A suggestion to tag traffic, when `untagged` is a large share of the spend (or of requests)."""
    row = next((r for r in table if r[dimension] == UNTAGGED), None)
    if row is None:
        return None
    priced = any(r["share_of_spend"] is not None for r in table)
    share = row["share_of_spend"] if priced else row["share_of_requests"]
    if share is None or share < NUDGE_SHARE:
        return None
    basis = "spend" if priced else "requests"
    return {
        "share": share,
        "basis": basis,
        "header": header,
        "message": f"{share:.0%} of your {basis} is untagged. Add the {header} header to your requests "
        "to see which part of your product it comes from.",
    }
