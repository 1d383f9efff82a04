"""Insights math on hand-made rollup rows: periods, percentiles, change, breakdowns, health, the nudge."""

from __future__ import annotations

from typing import Any

import pytest

from lectr.insights import breakdown as bd
from lectr.insights.health import provider_health, status, Outcomes
from lectr.insights.latency import percentile
from lectr.insights.periods import DAY_MS, HOUR_MS, MINUTE_MS, PERIODS, current_and_previous, period_named
from lectr.insights.reports import Scope, overview
from lectr.insights.series import time_series
from lectr.insights.totals import Totals, change, headline
from lectr.store.base import LATENCY_BOUNDS_MS, RollupQuery, RollupRow

NOW = 28_333_333 * 60_000 + 30_000  # 30 s into a minute


def row(keys: dict[str, Any] | None = None, requests: int = 1, errors: int = 0, cost: float = 0.0,
        unpriced: int = 0, latency: float = 100.0, ttfb: float | None = 50.0) -> RollupRow:
    hist = [0] * (len(LATENCY_BOUNDS_MS) + 1)
    hist[next(i for i, b in enumerate(LATENCY_BOUNDS_MS) if latency <= b)] = requests
    return RollupRow(keys=keys or {}, requests=requests, errors=errors, input_tokens=10 * requests,
                     output_tokens=5 * requests, cached_tokens=0, reasoning_tokens=0, cost_usd=cost,
                     unpriced_requests=unpriced, latency_sum_ms=latency * requests,
                     ttfb_sum_ms=(ttfb or 0.0) * requests, ttfb_count=requests if ttfb is not None else 0,
                     latency_hist=tuple(hist))


class FakeStore:
    """A test double of the Store's rollup query only: answers by window, records what was asked."""

    def __init__(self, by_start: dict[int, list[RollupRow]]) -> None:
        self.by_start, self.queries = by_start, []

    async def query_rollups(self, q: RollupQuery) -> list[RollupRow]:
        self.queries.append(q)
        return self.by_start.get(q.start_ms, [])


def test_windows_cover_the_period_up_to_the_current_bucket_and_the_one_before() -> None:
    now, before = current_and_previous(PERIODS["1h"], NOW)
    assert now.end_ms == NOW - 30_000 + MINUTE_MS and now.end_ms - now.start_ms == HOUR_MS
    assert (before.end_ms, before.start_ms) == (now.start_ms, now.start_ms - HOUR_MS)
    assert now.bucket == "minute" and now.elapsed_ms == HOUR_MS - 30_000
    week, _ = current_and_previous(PERIODS["7d"], NOW)
    assert week.bucket == "hour" and week.end_ms % HOUR_MS == 0 and week.end_ms - week.start_ms == 7 * DAY_MS
    assert period_named("bogus").name == "24h" and period_named("30d").bucket == "hour"


def test_percentiles_interpolate_inside_the_histogram_bucket() -> None:
    hist = [0] * (len(LATENCY_BOUNDS_MS) + 1)
    hist[4] = 100  # all in (75, 100]
    assert percentile(hist, 50) == pytest.approx(87.5)
    assert percentile(hist, 95) == pytest.approx(98.75)
    hist[-1] = 900  # most requests beyond the last bound: reported as that bound
    assert percentile(hist, 99) == LATENCY_BOUNDS_MS[-1]
    assert percentile([0] * len(hist), 95) is None


def test_change_and_unpriced_cost() -> None:
    assert change(150, 100) == pytest.approx(0.5)
    assert change(5, 0) is None and change(None, 3) is None
    assert Totals.of([row(unpriced=1)]).cost is None          # all unpriced: never $0
    assert Totals.of([row(cost=0.5), row(unpriced=1)]).cost == 0.5


def test_headline_rates_use_elapsed_time_and_compare_with_the_previous_period() -> None:
    window, previous = current_and_previous(PERIODS["1h"], NOW)
    now = Totals.of([row(requests=60, errors=6, cost=3.0)])
    before = Totals.of([row(requests=30, errors=0, cost=1.0)])
    figures = headline(now, before, window, previous)
    assert figures["requests_per_min"]["value"] == pytest.approx(60 / (window.elapsed_ms / MINUTE_MS))
    assert figures["requests_per_min"]["previous"] == pytest.approx(0.5)
    assert figures["error_rate"] == {"value": 0.1, "previous": 0.0, "change": None}
    assert figures["cost_usd"]["change"] == pytest.approx(2.0)
    assert figures["requests"]["change"] == pytest.approx(1.0)


def test_breakdown_shares_changes_and_ordering() -> None:
    now = [row({"model": "gpt-4o", "provider": "openai"}, requests=3, cost=3.0),
           row({"model": "mine", "provider": "openai"}, requests=2, unpriced=2),
           row({"model": "claude", "provider": "anthropic"}, requests=1, cost=1.0)]
    before = [row({"model": "gpt-4o", "provider": "openai"}, requests=1, cost=2.0)]
    table = bd.breakdown(now, before, ("model", "provider"))
    assert [r["model"] for r in table] == ["gpt-4o", "claude", "mine"]
    assert table[0]["share_of_spend"] == pytest.approx(0.75) and table[0]["cost_change"] == pytest.approx(0.5)
    assert table[2]["cost_usd"] is None and table[2]["unpriced_requests"] == 2
    providers = bd.breakdown(now, before, ("provider",))
    assert {r["provider"]: r["requests"] for r in providers} == {"openai": 5, "anthropic": 1}


def test_untagged_nudge_appears_only_for_a_large_share() -> None:
    big = bd.breakdown([row({"feature": "untagged"}, cost=3.0), row({"feature": "chat"}, cost=1.0)], [], ("feature",))
    nudge = bd.untagged_nudge(big, "feature", "X-Lectr-Feature")
    assert nudge is not None and nudge["share"] == pytest.approx(0.75) and "X-Lectr-Feature" in nudge["message"]
    small = bd.breakdown([row({"feature": "untagged"}, cost=1.0), row({"feature": "chat"}, cost=9.0)], [], ("feature",))
    assert bd.untagged_nudge(small, "feature", "X-Lectr-Feature") is None
    unpriced = bd.breakdown([row({"task_type": None}, requests=5, unpriced=5)], [], ("task_type",))
    assert unpriced[0]["task_type"] == "untagged"
    assert bd.untagged_nudge(unpriced, "task_type", "X-Lectr-Task")["basis"] == "requests"


@pytest.mark.parametrize("outcome, expected", [
    (Outcomes(0, 0, 0, None), "idle"),
    (Outcomes(100, 1, 0, 300.0), "healthy"),
    (Outcomes(100, 5, 0, 300.0), "degraded"),
    (Outcomes(100, 0, 10, 300.0), "degraded"),
    (Outcomes(100, 0, 0, 5000.0), "degraded"),
    (Outcomes(10, 5, 0, 300.0), "down"),
    (Outcomes(2, 2, 0, 300.0), "degraded"),  # too few requests to call it down
])
def test_health_status_thresholds(outcome: Outcomes, expected: str) -> None:
    assert status(outcome) == expected


def test_client_errors_do_not_make_a_provider_unhealthy() -> None:
    rows = [row({"provider": "openai", "status_code": 200}, requests=5),
            row({"provider": "openai", "status_code": 401, "error_category": "authentication"}, requests=5, errors=5),
            row({"provider": "groq", "status_code": 200}, requests=1),
            row({"provider": "groq", "status_code": 503, "error_category": "overloaded"}, requests=3, errors=3)]
    cards = {c["provider"]: c for c in provider_health(rows, [])}
    assert cards["openai"]["status"] == "healthy" and cards["openai"]["error_rate"] == 0.5
    assert cards["groq"]["status"] == "down"
    assert cards["groq"]["errors_by_category"] == [{"category": "overloaded", "count": 3}]


def test_recent_traffic_decides_the_status_when_there_is_enough() -> None:
    period = [row({"provider": "openai", "status_code": 500}, requests=50, errors=50),
              row({"provider": "openai", "status_code": 200}, requests=10)]
    recent = [row({"provider": "openai", "status_code": 200}, requests=10)]
    [card] = provider_health(period, recent)
    assert (card["status"], card["status_basis"]) == ("healthy", "recent")


def test_series_places_buckets_on_evenly_spaced_points() -> None:
    window, _ = current_and_previous(PERIODS["24h"], NOW)
    rows = [row({"bucket": window.start_ms}, requests=2, cost=1.0),
            row({"bucket": window.start_ms + 14 * MINUTE_MS}, requests=1),
            row({"bucket": window.end_ms - MINUTE_MS}, requests=4, latency=900)]
    series = time_series(rows, window, PERIODS["24h"].step_ms)
    assert len(series["t"]) == 96 and series["requests"][0] == 3 and series["requests"][-1] == 4
    assert series["avg_latency_ms"][1] is None and series["avg_latency_ms"][-1] == 900


async def test_overview_reads_rollups_of_both_periods_and_recent_minutes() -> None:
    window, previous = current_and_previous(PERIODS["1h"], NOW)
    store = FakeStore({window.start_ms: [row({"bucket": window.start_ms, "provider": "openai", "status_code": 200},
                                             requests=4, cost=2.0)],
                       previous.start_ms: [row(requests=2, cost=1.0)]})
    data = await overview(store, Scope(7, PERIODS["1h"], NOW))  # type: ignore[arg-type]
    assert {q.org_id for q in store.queries} == {7}
    assert data["headline"]["requests"] == {"value": 4, "previous": 2, "change": 1.0}
    assert data["headline"]["cost_usd"]["change"] == pytest.approx(1.0)
    assert [p["provider"] for p in data["providers"]] == ["openai"]
    assert data["period"]["name"] == "1h"
