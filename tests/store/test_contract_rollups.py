"""The Store contract, part 3: rollups — maintained on insert, queried by group, adjusted by re-pricing, pruned."""

from __future__ import annotations

import pytest

from lectr.store import RollupQuery, Store
from lectr.store.base import LATENCY_BOUNDS_MS
from tests.store.test_contract_events import T0, ev

HOUR = 3_600_000


def q(**kw: object) -> RollupQuery:
    return RollupQuery(**{"org_id": 1, "start_ms": T0, "end_ms": T0 + 3 * HOUR, **kw})  # type: ignore[arg-type]


async def test_totals_add_up(store: Store) -> None:
    await store.insert_events([
        ev(0, latency_ms=5, ttfb_ms=None),
        ev(1, latency_ms=10, input_tokens=7, output_tokens=3, cached_tokens=2, reasoning_tokens=4),
        ev(2, latency_ms=10.5, status_code=502, error_category="server_error", cost_usd=None, cost_status="unpriced"),
        ev(3, latency_ms=99_999, error_category="client_gone", status_code=200, cost_usd=0.5, cost_status="estimated",
           cache_write_tokens=3000),
        ev(4, org_id=2),
    ])
    [t] = await store.query_rollups(q())
    assert t.keys == {}
    assert (t.requests, t.errors, t.unpriced_requests) == (4, 2, 1)
    assert (t.input_tokens, t.output_tokens, t.cached_tokens, t.reasoning_tokens) == (37, 18, 2, 4)
    assert t.cache_write_tokens == 3000
    assert t.cost_usd == pytest.approx(0.502)
    assert t.latency_sum_ms == pytest.approx(5 + 10 + 10.5 + 99_999)
    assert (t.ttfb_count, t.ttfb_sum_ms) == (3, pytest.approx(3 * 80.25))
    assert len(t.latency_hist) == len(LATENCY_BOUNDS_MS) + 1
    assert t.latency_hist[0] == 2 and t.latency_hist[1] == 1 and t.latency_hist[-1] == 1 and sum(t.latency_hist) == 4


async def test_hour_and_minute_buckets(store: Store) -> None:
    await store.insert_events([ev(0), ev(59), ev(61), ev(3600), ev(3601)])  # seconds after T0
    hours = await store.query_rollups(q(group_by=("bucket",)))
    assert [(r.keys["bucket"], r.requests) for r in hours] == [(T0, 3), (T0 + HOUR, 2)]
    minutes = await store.query_rollups(q(bucket="minute", group_by=("bucket",)))
    assert [(r.keys["bucket"] - T0, r.requests) for r in minutes] == [(0, 2), (60_000, 1), (HOUR, 2)]
    window = await store.query_rollups(q(bucket="minute", start_ms=T0 + 60_000, end_ms=T0 + HOUR))
    assert [r.requests for r in window] == [1]


async def test_group_by_dimensions_and_filters(store: Store) -> None:
    await store.insert_events([
        ev(0),
        ev(1, feature="chat", task_type=None, streaming=True),
        ev(2, provider="azure", model_actual="prod-deploy", model_requested=None),
        ev(3, model_actual=None, model_requested=None, endpoint="models"),
        ev(4, status_code=429, error_category="rate_limit"),
    ])
    by_model = await store.query_rollups(q(group_by=("provider", "model")))
    assert [(r.keys["provider"], r.keys["model"], r.requests) for r in by_model] == [
        ("azure", "prod-deploy", 1), ("openai", None, 1), ("openai", "gpt-4o", 3)]
    by_all = await store.query_rollups(
        q(group_by=("feature", "task_type", "status_code", "error_category", "streaming"))
    )
    keys = [(*r.keys.values(), r.requests) for r in by_all]
    assert ("chat", None, 200, None, True, 1) in keys
    assert ("search", "classification", 429, "rate_limit", False, 1) in keys
    assert sum(r.requests for r in by_all) == 5
    assert [r.requests for r in await store.query_rollups(q(filters={"task_type": None}))] == [1]
    assert [r.requests for r in await store.query_rollups(q(filters={"streaming": True}))] == [1]
    assert [r.requests for r in await store.query_rollups(q(filters={"model": None}))] == [1]
    both = await store.query_rollups(q(filters={"provider": "openai", "feature": "search"}))
    assert [r.requests for r in both] == [3]
    assert await store.query_rollups(q(filters={"provider": "nobody"})) == []
    assert await store.query_rollups(q(group_by=("feature",), filters={"provider": "nobody"})) == []


async def test_unknown_dimension_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.query_rollups(q(group_by=("model; DROP TABLE events",)))
    with pytest.raises(ValueError):
        await store.query_rollups(q(bucket="day"))


async def test_update_costs_moves_rollups_by_the_delta(store: Store) -> None:
    await store.insert_events([
        ev(0, cost_usd=None, cost_status="unpriced", price_source=None),
        ev(1, cost_usd=0.25),
        ev(2, cost_usd=0.25, feature="chat"),
    ])
    ids = {e.ts_ms - T0: e.id for e in await store.events_for_repricing(1, None, 0, 10)}
    await store.update_costs([
        (ids[0], 0.5, "priced", "override"),      # unpriced → priced
        (ids[1000], None, "unpriced", None),      # priced → unpriced
        (ids[2000], 0.75, "priced", "override"),  # re-priced
    ])
    by_feature = {r.keys["feature"]: r for r in await store.query_rollups(q(group_by=("feature",)))}
    assert by_feature["search"].cost_usd == pytest.approx(0.5) and by_feature["search"].unpriced_requests == 1
    assert by_feature["chat"].cost_usd == pytest.approx(0.75) and by_feature["chat"].unpriced_requests == 0
    [minute] = await store.query_rollups(q(bucket="minute"))
    assert minute.cost_usd == pytest.approx(1.25) and minute.unpriced_requests == 1
    changed = {e.id: e for e in await store.events_for_repricing(1, None, 0, 10)}
    assert (changed[ids[0]].cost_usd, changed[ids[0]].cost_status, changed[ids[0]].price_source) == (
        0.5, "priced", "override")
    assert changed[ids[1000]].cost_usd is None and changed[ids[1000]].cost_status == "unpriced"


async def test_update_costs_of_pruned_events_is_a_no_op(store: Store) -> None:
    await store.create_org("acme", "k")  # retention walks the orgs (this one gets id 1)
    await store.insert_events([ev(0)])
    [e] = await store.events_for_repricing(1, None, 0, 10)
    await store.prune_events(T0 + HOUR, 100)
    await store.update_costs([(e.id, 9.0, "priced", "x")])
    [t] = await store.query_rollups(q())
    assert t.cost_usd == pytest.approx(0.001)


async def test_prune_rollups_by_table_and_batch(store: Store) -> None:
    await store.create_org("acme", "k")  # retention walks the orgs (this one gets id 1)
    await store.insert_events([ev(n * 60) for n in range(5)] + [ev(2 * 3600)])  # 5 minutes in hour 0, one in hour 2
    # 5 minute rows in each per-minute table (full and provider-only)
    assert await store.prune_rollups(T0 + HOUR, 100, bucket="minute") == 10
    assert [r.requests for r in await store.query_rollups(q(bucket="minute"))] == [1]
    assert [r.requests for r in await store.query_rollups(q())] == [6]
    # Left: 2 minute rows, 4 hour rows (2 full, 2 provider-only), 2 day rows (T0 is 22:00 UTC).
    later = T0 + 10 * 24 * HOUR
    assert await store.prune_rollups(later, 3) == 3
    assert await store.prune_rollups(later, 10) == 5
    assert await store.prune_rollups(later, 10) == 0
    assert await store.query_rollups(q()) == [] and await store.query_rollups(q(bucket="minute")) == []
    assert await store.query_rollups(q(group_by=("feature",), end_ms=later)) == []


async def test_a_retention_cutoff_inside_a_bucket_keeps_that_bucket(store: Store) -> None:
    await store.create_org("acme", "k")
    await store.insert_events([ev(0)])
    assert await store.prune_rollups(T0 + 30 * 60_000, 100) == 2  # its minute rows only: the hour is not over
    assert [r.requests for r in await store.query_rollups(q())] == [1]


async def test_long_ranges_read_whole_days_and_give_the_same_answer(store: Store) -> None:
    """Not grouped by time, hourly queries over whole days read the daily table; the sums must not change."""
    await store.insert_events([
        ev(n, ts_ms=T0 + n * 5 * 3_600_000 + n, feature=("a", "b", "c")[n % 3], status_code=(200, 200, 500)[n % 3])
        for n in range(20)  # every 5 hours for ~4 days
    ])
    start, end = T0 + 3 * HOUR, T0 + 90 * HOUR  # neither end on a day boundary
    per_hour = await store.query_rollups(q(start_ms=start, end_ms=end, group_by=("bucket", "feature", "status_code")))
    expected: dict[tuple[str, int], int] = {}
    for r in per_hour:
        k = (r.keys["feature"], r.keys["status_code"])
        expected[k] = expected.get(k, 0) + r.requests
    merged = await store.query_rollups(q(start_ms=start, end_ms=end, group_by=("feature", "status_code")))
    assert {(r.keys["feature"], r.keys["status_code"]): r.requests for r in merged} == expected
    [total] = await store.query_rollups(q(start_ms=start, end_ms=end, filters={"status_code": 200}))
    assert total.requests == sum(n for (_, status), n in expected.items() if status == 200)
    assert [sum(r.requests for r in per_hour)] == [r.requests for r in await store.query_rollups(
        q(start_ms=start, end_ms=end))]
