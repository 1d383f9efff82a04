"""The Store contract, part 2: events, the request log and idempotent inserts — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from typing import Any

from lectr.events.record import COLUMNS, Event
from lectr.store import EventQuery, Store

T0 = 1_699_999_200_000  # an exact hour boundary (ms), Nov 2023


def ev(n: int = 0, **kw: Any) -> Event:
    base = Event(
        org_id=1, request_id=f"req_{n}", ts_ms=T0 + n * 1000, endpoint="chat.completions", provider="openai",
        provider_unknown=False, model_requested="gpt-4o", model_actual="gpt-4o", model_reported="gpt-4o-2024-08-06",
        streaming=False, status_code=200, latency_ms=120.5, ttfb_ms=80.25, input_tokens=10, output_tokens=5,
        cached_tokens=0, cache_write_tokens=None, reasoning_tokens=None, token_source="provider", cost_usd=0.001,
        cost_status="priced", price_source="genai-prices", feature="search", task_type="classification",
    )
    return replace(base, **kw)


async def test_events_round_trip_every_field(store: Store) -> None:
    sent = ev(1, error_category="rate_limit", error_source="provider", status_code=429, rule_applied="r1",
              cost_usd=None, cost_status="unpriced", price_source=None, provider_unknown=True, streaming=True)
    await store.insert_events([sent])
    [row] = await store.query_events(EventQuery(org_id=1))
    assert isinstance(row["id"], int)
    assert {k: row[k] for k in COLUMNS} == asdict(sent)
    assert row["streaming"] is True and row["provider_unknown"] is True


async def test_newest_first_with_keyset_pagination(store: Store) -> None:
    await store.insert_events([ev(n) for n in range(7)])
    first = await store.query_events(EventQuery(org_id=1, limit=3))
    second = await store.query_events(EventQuery(org_id=1, limit=3, before_id=first[-1]["id"]))
    third = await store.query_events(EventQuery(org_id=1, limit=3, before_id=second[-1]["id"]))
    ids = [r["request_id"] for r in first + second + third]
    assert ids == [f"req_{n}" for n in range(6, -1, -1)]
    assert [r["id"] for r in first + second + third] == sorted((r["id"] for r in first + second + third), reverse=True)


async def test_filters(store: Store) -> None:
    await store.insert_events([
        ev(0),
        ev(1, org_id=2),
        ev(2, provider="anthropic", model_requested="claude-3-5-haiku-20241022",
           model_actual="claude-3-5-haiku-20241022", model_reported=None),
        ev(3, feature="chat", task_type=None, status_code=500, streaming=True),
        ev(4, model_actual="prod-deploy", model_requested=None, model_reported="gpt-4o-mini", provider_unknown=True),
    ])

    async def ids(**kw: Any) -> list[str]:
        return sorted(r["request_id"] for r in await store.query_events(EventQuery(org_id=1, **kw)))

    assert await ids() == ["req_0", "req_2", "req_3", "req_4"]
    assert await ids(provider="anthropic") == ["req_2"]
    assert await ids(model="prod-deploy") == ["req_4"]       # model_actual
    assert await ids(model="gpt-4o-mini") == ["req_4"]       # model_reported
    assert await ids(model="gpt-4o") == ["req_0", "req_3"]   # model_requested
    assert await ids(feature="chat") == ["req_3"]
    assert await ids(task="classification") == ["req_0", "req_2", "req_4"]
    assert await ids(status=500) == ["req_3"]
    assert await ids(since_ms=T0 + 2000) == ["req_2", "req_3", "req_4"]
    assert await ids(until_ms=T0 + 2000) == ["req_0"]
    assert await ids(since_ms=T0 + 2000, until_ms=T0 + 4000) == ["req_2", "req_3"]
    assert await ids(streaming=True) == ["req_3"]
    assert await ids(streaming=False) == ["req_0", "req_2", "req_4"]
    assert await ids(provider_unknown=True) == ["req_4"]
    assert await ids(provider_unknown=False) == ["req_0", "req_2", "req_3"]
    assert await ids(provider="openai", feature="search", limit=1) == ["req_4"]


async def test_replayed_batch_with_the_same_uids_is_not_stored_twice(store: Store) -> None:
    from lectr.store import RollupQuery

    batch = [ev(n) for n in range(5)]
    uids = [os.urandom(16) for _ in batch]
    await store.insert_events(batch[:3], uids[:3])
    await store.insert_events(batch, uids)  # a retry after an unacknowledged commit of the first three
    assert len(await store.query_events(EventQuery(org_id=1))) == 5
    [total] = await store.query_rollups(RollupQuery(org_id=1, start_ms=T0, end_ms=T0 + 3_600_000))
    assert total.requests == 5


async def test_identical_provider_request_ids_are_distinct_events(store: Store) -> None:
    """Providers (and the fakes) may repeat x-request-id; only the gateway's uid identifies an event."""
    await store.insert_events([ev(1), ev(1)])
    assert len(await store.query_events(EventQuery(org_id=1))) == 2


async def test_empty_batch(store: Store) -> None:
    await store.insert_events([])
    assert await store.query_events(EventQuery(org_id=1)) == []


async def test_events_for_repricing_pages_by_id(store: Store) -> None:
    await store.insert_events([ev(n, org_id=1 + n % 2) for n in range(6)])
    everything = await store.events_for_repricing(None, None, 0, 100)
    assert [e.request_id if hasattr(e, "request_id") else e.org_id for e in everything]
    assert [e.id for e in everything] == sorted(e.id for e in everything) and len(everything) == 6
    page = await store.events_for_repricing(None, None, everything[1].id, 2)
    assert [e.id for e in page] == [everything[2].id, everything[3].id]
    org2 = await store.events_for_repricing(2, None, 0, 100)
    assert [e.org_id for e in org2] == [2, 2, 2]
    recent = await store.events_for_repricing(None, T0 + 4000, 0, 100)
    assert [e.ts_ms for e in recent] == [T0 + 4000, T0 + 5000]
    first = everything[0]
    assert (first.provider, first.model_requested, first.model_actual, first.model_reported) == (
        "openai", "gpt-4o", "gpt-4o", "gpt-4o-2024-08-06")
    assert (first.input_tokens, first.output_tokens, first.cached_tokens, first.cache_write_tokens) == (10, 5, 0, None)
    assert (first.token_source, first.cost_usd, first.cost_status, first.price_source) == (
        "provider", 0.001, "priced", "genai-prices")


async def test_prune_events_in_batches(store: Store) -> None:
    await store.create_org("acme", "k")  # retention walks the orgs (this one gets id 1)
    await store.insert_events([ev(n) for n in range(10)])
    cutoff = T0 + 7000  # events 0..6 are older
    counts = []
    while (n := await store.prune_events(cutoff, 3)) > 0:
        counts.append(n)
    assert counts == [3, 3, 1]
    left = await store.query_events(EventQuery(org_id=1))
    assert sorted(r["request_id"] for r in left) == ["req_7", "req_8", "req_9"]
