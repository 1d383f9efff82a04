"""The event sink: never blocks the request path; spools while the store is down or slow; replays in order, once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Sequence

import pytest

from lectr.events.record import Event
from lectr.events.sink import EventSink
from lectr.events.spool import Spool
from lectr.pricing import Pricer
from lectr.store import EventQuery
from lectr.store.sqlite import SqliteStore
from tests.events.test_spool import item


class FlakyStore:
    """insert_events that can fail, hang, or commit and then lose the acknowledgement."""

    def __init__(self, inner: Any | None = None) -> None:
        self.inner = inner
        self.mode = "ok"   # ok | down | hang | lost_ack
        self.stored: list[str] = []
        self.seen_uids: set[bytes] = set()

    async def insert_events(self, events: Sequence[Event], uids: Sequence[bytes] | None = None) -> None:
        if self.mode == "down":
            raise ConnectionRefusedError("store down")
        if self.mode == "hang":
            await asyncio.sleep(3600)
        assert uids is not None and len(uids) == len(events)
        if self.inner is not None:
            await self.inner.insert_events(events, uids)
        self.stored += [e.request_id for e, u in zip(events, uids) if u not in self.seen_uids]
        self.seen_uids.update(uids)
        if self.mode == "lost_ack":
            raise ConnectionResetError("connection lost after commit")


def sink(store: Any, spool: Spool | None, **kw: Any) -> EventSink:
    return EventSink(store, Pricer(), max_queue=kw.pop("max_queue", 1000), batch=kw.pop("batch", 4), interval=0.01,
                     spool=spool, write_timeout=kw.pop("write_timeout", 5.0), retry_seconds=0.0, **kw)


def spool_at(path: Path) -> Spool:
    s = Spool(path, 1 << 20)
    s.open()
    return s


def put(s: EventSink, numbers: range) -> list[str]:
    for n in numbers:
        s.put(item(n)[1])
    return [f"req_{n}" for n in numbers]


async def test_store_down_spools_then_replays_everything_in_order(tmp_path: Path) -> None:
    store = FlakyStore()
    s = sink(store, spool_at(tmp_path))
    first = put(s, range(0, 6))
    assert await s.flush() is True and store.stored == first
    store.mode = "down"
    during = put(s, range(6, 16))
    assert await s.flush() is False
    assert s.depth == 0 and s.spooled == 10 and not s.store_ok
    later = put(s, range(16, 20))  # still down: new events queue behind the backlog, on disk
    await s.flush()
    assert s.spooled == 14
    store.mode = "ok"
    after = put(s, range(20, 23))  # arrive while a backlog exists: they join its tail
    assert await s.flush() is True
    assert store.stored == first + during + later + after
    assert s.spooled == 0 and s.dropped == 0 and s.store_ok and s.written == 23


async def test_a_slow_store_times_out_into_the_spool(tmp_path: Path) -> None:
    store = FlakyStore()
    store.mode = "hang"
    s = sink(store, spool_at(tmp_path), write_timeout=0.05)
    put(s, range(3))
    assert await s.flush() is False and s.spooled == 3
    store.mode = "ok"
    assert await s.flush() is True and store.stored == ["req_0", "req_1", "req_2"]


async def test_a_replay_after_a_lost_acknowledgement_is_not_double_counted(tmp_path: Path) -> None:
    db = SqliteStore(str(tmp_path / "lectr.db"))
    await db.open()
    store = FlakyStore(db)
    store.mode = "lost_ack"
    s = sink(store, spool_at(tmp_path / "spool"))
    put(s, range(5))
    assert await s.flush() is False and s.spooled == 5  # committed, but the sink could not know
    store.mode = "ok"
    assert await s.flush() is True
    rows = await db.query_events(EventQuery(org_id=1))
    assert sorted(r["request_id"] for r in rows) == [f"req_{n}" for n in range(5)]
    await db.close()


async def test_shutdown_with_the_store_down_spools_and_the_next_start_replays(tmp_path: Path) -> None:
    store = FlakyStore()
    store.mode = "down"
    first_spool = spool_at(tmp_path)
    s = sink(store, first_spool)
    sent = put(s, range(7))
    assert await s.drain() is True and s.depth == 0 and s.spooled == 7
    store.mode = "ok"
    first_spool.close()  # the process exits
    restarted = sink(store, spool_at(tmp_path))
    assert restarted.spooled == 7
    assert await restarted.flush() is True and store.stored == sent


async def test_put_never_blocks_and_counts_what_it_drops() -> None:
    store = FlakyStore()
    store.mode = "down"
    s = sink(store, None, max_queue=5)
    put(s, range(8))
    assert s.depth == 5 and s.dropped == 3
    assert await s.flush() is False and s.depth == 5  # no spool: events wait in memory, in order
    store.mode = "ok"
    assert await s.flush() is True and store.stored == [f"req_{n}" for n in range(5)]


async def test_spool_full_drops_and_counts(tmp_path: Path) -> None:
    store = FlakyStore()
    store.mode = "down"
    tiny = Spool(tmp_path, 1000)
    tiny.open()
    s = sink(store, tiny)
    put(s, range(20))
    await s.flush()
    assert s.depth == 0 and 0 < s.spooled < 20 and s.dropped == 20 - s.spooled


async def test_run_survives_and_writes_in_the_background(tmp_path: Path) -> None:
    store = FlakyStore()
    s = sink(store, spool_at(tmp_path))
    task = asyncio.create_task(s.run())
    sent = put(s, range(9))
    for _ in range(200):
        if store.stored == sent:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.stored == sent


async def test_a_store_slower_than_traffic_moves_the_backlog_to_disk(tmp_path: Path) -> None:
    store = FlakyStore()
    s = sink(store, spool_at(tmp_path), max_queue=10, batch=2)
    sent = put(s, range(9))  # more than half the memory queue waiting behind one batch
    assert await s.flush() is False
    assert s.depth == 0 and s.spooled == 7 and store.stored == sent[:2]
    assert await s.flush() is True and store.stored == sent and s.dropped == 0


class TimedStore(FlakyStore):
    """A healthy store whose every write takes 20 ms; remembers the size of each batch."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    async def insert_events(self, events: Sequence[Event], uids: Sequence[bytes] | None = None) -> None:
        self.batches.append(len(events))
        await asyncio.sleep(0.02)
        await super().insert_events(events, uids)


class CountingSpool(Spool):
    appended = 0

    def append(self, items: Any) -> int:
        self.appended += len(items)
        return super().append(items)


async def test_events_arriving_during_a_write_wait_for_the_next_tick(tmp_path: Path) -> None:
    """Steady traffic gives one commit per tick, not one per handful of events; a healthy store never spools."""
    store, spool = TimedStore(), CountingSpool(tmp_path, 1 << 20)
    spool.open()
    s = EventSink(store, Pricer(), max_queue=1000, batch=500, interval=0.2, spool=spool, write_timeout=5.0)
    task = asyncio.create_task(s.run())
    loop = asyncio.get_running_loop()
    start, sent, n = loop.time(), [], 0
    while loop.time() - start < 0.6:  # an event every ~2 ms
        sent += put(s, range(n, n + 1))
        n += 1
        await asyncio.sleep(0.002)
    elapsed = loop.time() - start
    for _ in range(300):
        if store.stored == sent:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.stored == sent
    # Back-to-back writes would have made one commit per 20 ms write (about 30 here).
    assert len(store.batches) <= elapsed / 0.2 + 2, store.batches
    assert spool.appended == 0


async def test_a_stop_that_lands_as_the_writer_wakes_still_stops_it(tmp_path: Path) -> None:
    """Shutdown cancels the writer; a cancel arriving in the same loop turn as its wake-up must not be lost
    (Python 3.11's wait_for swallows it, and shutdown then waits forever)."""
    s = EventSink(FlakyStore(), Pricer(), max_queue=1000, batch=4, interval=30.0, spool=spool_at(tmp_path),
                  write_timeout=5.0)
    task = asyncio.create_task(s.run())
    await asyncio.sleep(0.01)  # the writer is waiting for its tick
    s._wake.set()
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=2)
    assert done, "the writer ignored the cancel"
    assert task.cancelled()
