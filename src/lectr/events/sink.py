"""The event pipeline off the request path: a bounded memory queue, a batch writer, and the disk spool.

put() is O(1) and cannot block or raise. The writer prices events and stores them in batches. When the
store fails or is slower than `write_timeout`, the batch and everything queued behind it go to the
on-disk spool; while the spool holds anything, new events join its tail too, and it is replayed from
the head once the store answers again — so events reach the store in arrival order. Events are
dropped only when the memory queue or the spool is full, and counted.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from typing import TYPE_CHECKING, Callable, Sequence

from lectr.events.costing import cost_of
from lectr.events.record import Event
from lectr.events.spool import Item, Spool
from lectr.pricing import Pricer

if TYPE_CHECKING:
    from lectr.store.base import Store

log = logging.getLogger("lectr.events")
_PRICE_SLICE = 16  # events priced between two yields to the loop: about a tenth of a millisecond


class EventSink:
    def __init__(
        self, store: "Store", pricer: Pricer, *, max_queue: int, batch: int, interval: float,
        spool: Spool | None = None, write_timeout: float = 5.0, retry_seconds: float = 1.0,
        azure_models: Callable[[int], dict[str, str] | None] | None = None,
    ) -> None:
        self._store, self._pricer, self._spool = store, pricer, spool
        self._azure_models = azure_models  # org id → its Azure deployment → model mapping, for pricing
        self._queue: deque[Item] = deque()
        self._max_queue, self._batch, self._interval = max_queue, batch, interval
        self._write_timeout, self._retry_seconds = write_timeout, retry_seconds
        self._wake = asyncio.Event()
        # uid = random per-process prefix + counter: unique across processes without coordination,
        # and ascending within a process, which keeps the store's uid index append-mostly.
        self._uid_prefix, self._seq = os.urandom(8), 0
        self._retry_at = 0.0
        self.written = 0
        self.dropped = 0
        self.failures = 0
        self.store_ok = True
        self.on_written: Callable[[list[Event]], None] | None = None

    @property
    def depth(self) -> int:
        """Events waiting in memory."""
        return len(self._queue)

    @property
    def spooled(self) -> int:
        return self._spool.depth if self._spool else 0

    @property
    def spool_bytes(self) -> int:
        return self._spool.size if self._spool else 0

    def put(self, event: Event) -> None:
        if len(self._queue) >= self._max_queue:
            self.dropped += 1
            return
        self._seq += 1
        self._queue.append((self._uid_prefix + self._seq.to_bytes(8, "big"), event))
        if len(self._queue) >= self._batch:
            self._wake.set()

    async def run(self) -> None:
        while True:
            try:  # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that lands as it finishes
                async with asyncio.timeout(self._interval):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not stop recording for the life of the process
                log.exception("event writer failed; retrying")

    async def flush(self) -> bool:
        """Move what is queued toward the store; True when memory and spool are both empty."""
        if self._spool is not None and self._spool.depth:
            await self._spill()  # the spool holds older events: newer ones queue behind them, on disk
            return self._due() and await self._replay()
        # Write what was queued when this flush began, then only whole batches: events arriving meanwhile
        # wait for the next tick, so batches stay large (one commit per tick, not one per few events).
        owed = len(self._queue)
        while self._queue and self._due() and (owed > 0 or len(self._queue) >= self._batch):
            owed -= self._batch
            batch = self._take()
            try:
                await self._price_all(batch)
                ok = await self._write(batch)
            except asyncio.CancelledError:
                self._queue.extendleft(reversed(batch))
                raise
            if not ok:
                self._queue.extendleft(reversed(batch))
                await self._spill()
                return False
            if self._spool is not None and len(self._queue) > self._max_queue // 2:
                # The store keeps up slower than events arrive: let the disk take the backlog before
                # the memory queue fills and put() has to drop.
                await self._spill()
                return False
        if self._queue and not self._due():  # waiting out a failure: keep memory small by moving events to disk
            await self._spill()
        return not self._queue and not self.spooled

    async def drain(self) -> bool:
        """At shutdown: store what is in memory, or spool it; replaying an old backlog waits for the next start."""
        self._retry_at = 0.0
        if not self.spooled:
            await self.flush()
        await self._spill()
        if self._queue:
            log.error("shutting down with %d events not written: the store and the spool are unavailable", self.depth)
        return not self._queue

    def _take(self) -> list[Item]:
        return [self._queue.popleft() for _ in range(min(self._batch, len(self._queue)))]

    async def _price_all(self, items: Sequence[Item]) -> None:
        """Price in slices, yielding between them: a batch priced in one go held the loop for milliseconds
        (~7 µs an event), which every request arriving meanwhile waited out. Pricing an event twice is a no-op."""
        for start in range(0, len(items), _PRICE_SLICE):
            if start:
                await asyncio.sleep(0)
            for _, event in items[start:start + _PRICE_SLICE]:
                self._price(event)

    def _due(self) -> bool:
        return time.monotonic() >= self._retry_at

    async def _write(self, items: Sequence[Item]) -> bool:
        events = [e for _, e in items]
        try:
            async with asyncio.timeout(self._write_timeout):
                await self._store.insert_events(events, [u for u, _ in items])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.failures += 1
            self._retry_at = time.monotonic() + self._retry_seconds
            if self.store_ok:
                log.error("event store unavailable (%s): events go to the spool until it is back", type(exc).__name__)
            self.store_ok = False
            return False
        if not self.store_ok:
            log.warning("event store is back")
        self.store_ok = True
        self.written += len(items)
        if self.on_written is not None:
            self.on_written(events)
        return True

    async def _spill(self) -> None:
        if self._spool is None or not self._queue:
            return
        items: list[Item] = []
        while self._queue:
            items += self._take()
        try:
            await self._price_all(items)
        except asyncio.CancelledError:
            self._queue.extendleft(reversed(items))
            raise
        try:
            self.dropped += await asyncio.to_thread(self._spool.append, items)
        except Exception as exc:  # disk full or gone: the spool cannot help; keep the events in memory
            log.error("spool write failed (%s)", type(exc).__name__)
            self._queue.extendleft(reversed(items))

    async def _replay(self) -> bool:
        assert self._spool is not None
        while True:
            items, pos = await asyncio.to_thread(self._spool.read, self._batch)
            if pos is None:
                return not self._queue
            if items and not await self._write(items):
                return False
            await asyncio.to_thread(self._spool.commit, pos)

    def _price(self, event: Event) -> None:
        if event.cost_status != "unpriced" or event.token_source == "missing":
            return
        try:
            mapping = self._azure_models(event.org_id) if event.provider == "azure" and self._azure_models else None
            result = cost_of(self._pricer, event, mapping)
        except Exception as exc:  # a pricing bug must never lose the event
            log.error("pricing failed for provider=%s model=%s: %s", event.provider, event.model_reported,
                      type(exc).__name__)
            return
        event.cost_usd = result.cost_usd
        event.cost_status = result.cost_status
        event.price_source = result.price_source or None
