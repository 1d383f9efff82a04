"""Retention: old raw events and rollups go, in batches; recent ones stay; `lectr prune` and `lectr migrate`."""

from __future__ import annotations

import json
import subprocess
import sys

from lectr.events.record import Event
from lectr.ops.retention import DAY_MS, Retention
from lectr.store import EventQuery, RollupQuery, Store, open_store
from lectr.store.migrate import migrations
from tests.store.test_contract_events import ev

NOW = 1_800_000_000_000


def aged(days: float, n: int) -> Event:
    return ev(n, ts_ms=NOW - int(days * DAY_MS))


async def seed(store: Store) -> None:
    await store.create_org("acme", "k")  # retention walks the orgs (these get ids 1 and 2)
    await store.create_org("globex", "k2")
    await store.insert_events([
        ev(7, org_id=2, ts_ms=NOW - 45 * DAY_MS), ev(8, org_id=2, ts_ms=NOW - 1000),
        aged(500, 0), aged(401, 1),            # past every retention
        aged(45, 2), aged(31, 3), aged(31, 4),  # past raw-event and minute retention only
        aged(2, 5), aged(0.01, 6),             # recent
    ])


async def remaining(store: Store) -> tuple[list[str], int, int]:
    events = sorted(r["request_id"] for r in await store.query_events(EventQuery(org_id=1)))
    requests = []
    for bucket in ("hour", "minute"):
        rows = await store.query_rollups(RollupQuery(org_id=1, start_ms=0, end_ms=NOW + DAY_MS, bucket=bucket))
        requests.append(sum(r.requests for r in rows))
    return events, requests[0], requests[1]


async def test_prune_once_keeps_what_retention_says(store: Store) -> None:
    await seed(store)
    retention = Retention(store, event_days=30, hour_days=400, minute_days=30, batch=2, pause=0)
    pruned = await retention.prune_once(NOW)
    # Rows, not events (3 and 4 share theirs). Minute: full + provider-only tables; hour: those two + daily.
    assert (pruned.events, pruned.minute_rollups, pruned.hour_rollups) == (6, 10, 6)
    assert await remaining(store) == (["req_5", "req_6"], 5, 2)
    again = await retention.prune_once(NOW)
    assert (again.events, again.minute_rollups, again.hour_rollups) == (0, 0, 0)


async def test_zero_days_keeps_everything(store: Store) -> None:
    await seed(store)
    pruned = await Retention(store, event_days=0, hour_days=0, minute_days=0).prune_once(NOW)
    assert (pruned.events, pruned.minute_rollups, pruned.hour_rollups) == (0, 0, 0)
    assert await remaining(store) == ([f"req_{n}" for n in range(7)], 7, 7)


def lectr(url: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "lectr", "--database-url", url, *args, "--json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


async def test_cli_migrate_and_prune(url: str) -> None:
    latest = migrations("postgres" if url.startswith("postgres") else "sqlite")[-1][0]
    assert lectr(url, "migrate") == {"schema_version": latest}
    store = open_store(url)
    await store.open()
    try:
        await store.create_org("acme", "k")
        await store.insert_events([ev(0, ts_ms=1_000), ev(1)])  # 1970, and "now" (2023)
        assert lectr(url, "prune", "--events-days", "3650", "--rollup-days", "3650") == {
            "events": 1, "minute_rollups": 4, "hour_rollups": 3,  # rows; minute rollups: the 30-day default
        }
        assert [r["request_id"] for r in await store.query_events(EventQuery(org_id=1))] == ["req_1"]
    finally:
        await store.close()
