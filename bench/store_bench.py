"""Time the dashboard's store queries through the Store interface, on data made by bench/gen_events.py.

    .venv/bin/python bench/store_bench.py --store postgresql://postgres@127.0.0.1:5432/lectr_bench
    .venv/bin/python bench/store_bench.py --store sqlite:///bench.db

By default the largest org (bench-1) is measured: its rollups are the biggest. Each query runs once to
warm up, then --repeat times; the median and the slowest are printed (ms). Targets: rollup queries
< 100 ms, request-log pages < 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lectr.store import EventQuery, RollupQuery, Store, open_store  # noqa: E402

HOUR_MS = 3_600_000
Query = Callable[[], Awaitable[Any]]


async def timed(fn: Query, repeat: int) -> tuple[float, float, Any]:
    result = await fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times), result


def queries(store: Store, org_id: int, days: int, page_id: int, feature: str, model: str) -> dict[str, Query]:
    end = (int(time.time() * 1000) // HOUR_MS + 1) * HOUR_MS
    start = end - days * 24 * HOUR_MS

    def rollup(**kw: Any) -> Query:
        return lambda: store.query_rollups(RollupQuery(org_id=org_id, start_ms=start, end_ms=end, **kw))

    async def overview() -> Any:
        totals = await rollup()()
        series = await rollup(group_by=("bucket",))()
        return totals, series

    def log(**kw: Any) -> Query:
        return lambda: store.query_events(EventQuery(org_id=org_id, limit=50, **kw))

    day_ago = end - 10 * 24 * HOUR_MS
    return {
        f"overview: totals + per-hour series ({days} d)": overview,
        "overview: per-minute series (last 24 h)": lambda: store.query_rollups(RollupQuery(
            org_id=org_id, start_ms=end - 24 * HOUR_MS, end_ms=end, bucket="minute", group_by=("bucket",))),
        "model distribution (provider, model)": rollup(group_by=("provider", "model")),
        "per-feature breakdown (feature, task type)": rollup(group_by=("feature", "task_type")),
        "provider health (provider, status)": rollup(group_by=("provider", "status_code")),
        "request log: newest page": log(),
        "request log: page 40 deep (keyset)": log(before_id=page_id),
        f"request log: feature={feature}": log(feature=feature),
        f"request log: model={model}": log(model=model),
        "request log: status=500": log(status=500),
        "request log: streaming, last 7 days": log(streaming=True, since_ms=end - 7 * 24 * HOUR_MS),
        "request log: one day 10 days ago (until_ms; not a dashboard query)": log(
            since_ms=day_ago, until_ms=day_ago + 24 * HOUR_MS),
        "request log: no match (feature=nope)": log(feature="nope"),
    }


async def run(url: str, org_name: str, days: int, repeat: int) -> None:
    store = open_store(url)
    await store.open()
    try:
        org = await store.get_org(org_name)
        if org is None:
            raise SystemExit(f"no org {org_name!r}: generate data with bench/gen_events.py first")
        newest = (await store.query_events(EventQuery(org_id=org.id, limit=1)))[0]
        cursor = newest["id"] + 1
        for _ in range(40):  # walk 40 pages back to find a deep keyset cursor
            page = await store.query_events(EventQuery(org_id=org.id, limit=50, before_id=cursor))
            if len(page) < 50:
                break
            cursor = page[-1]["id"]
        [total] = await store.query_rollups(RollupQuery(org_id=org.id, start_ms=0, end_ms=2**62))
        print(f"store {url.split('://')[0]}, org {org_name} (id {org.id}): {total.requests:,} events in rollups")
        print(f"{'query':58} {'median ms':>10} {'max ms':>8} {'rows':>6}")
        for name, fn in queries(store, org.id, days, cursor, newest["feature"], newest["model_requested"]).items():
            median, worst, result = await timed(fn, repeat)
            rows = sum(len(r) for r in result) if isinstance(result, tuple) else len(result)
            print(f"{name:58} {median:10.1f} {worst:8.1f} {rows:6}")
    finally:
        await store.close()


async def write(url: str, n: int, batch: int = 500) -> None:
    """Time the gateway's write path: insert_events in batches, rollups included, into org bench-write."""
    from gen_events import events  # the same synthetic traffic

    from lectr.events.record import COLUMNS, Event
    from lectr.proxy.auth import hash_key, new_key

    store = open_store(url)
    await store.open()
    try:
        org = await store.get_org("bench-write") or await store.create_org("bench-write", hash_key(new_key()))
        rows = list(events(n, [org.id], 1, seed=7))
        uids, evs = [r[0] for r in rows], [Event(**dict(zip(COLUMNS, r[1:]))) for r in rows]
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            await store.insert_events(evs[i:i + batch], uids[i:i + batch])
        took = time.perf_counter() - t0
        print(f"insert_events: {n:,} events in batches of {batch}: {n / took:,.0f} events/s")
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True)
    parser.add_argument("--org", default="bench-1")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--write", type=int, default=0, help="also time N events through insert_events")
    args = parser.parse_args()
    asyncio.run(run(args.store, args.org, args.days, args.repeat))
    if args.write:
        asyncio.run(write(args.store, args.write))


if __name__ == "__main__":
    main()
