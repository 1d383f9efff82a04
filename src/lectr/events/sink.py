"""The in-memory event queue and the batch writer that prices and stores events off the request path."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from lectr.events.record import Event
from lectr.pricing import Pricer, Usage

if TYPE_CHECKING:
    from lectr.store.base import Store

log = logging.getLogger("lectr.events")


class EventSink:
    """`put()` never blocks and never raises; `run()` drains the queue in batches."""

    def __init__(self, store: "Store", pricer: Pricer, *, max_queue: int, batch: int, interval: float) -> None:
        self._store = store
        self._pricer = pricer
        self._queue: deque[Event] = deque()
        self._max_queue = max_queue
        self._batch = batch
        self._interval = interval
        self._wake = asyncio.Event()
        self.written = 0
        self.dropped = 0
        self.failures = 0
        self.store_ok = True
        self.on_written: Callable[[list[Event]], None] | None = None

    @property
    def depth(self) -> int:
        return len(self._queue)

    def put(self, event: Event) -> None:
        if len(self._queue) >= self._max_queue:
            self.dropped += 1
            return
        self._queue.append(event)
        if len(self._queue) >= self._batch:
            self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self._interval)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.drain()

    async def drain(self) -> bool:
        """Write everything queued; False when the store refused (events stay queued, in order)."""
        while self._queue:
            batch = [self._queue.popleft() for _ in range(min(self._batch, len(self._queue)))]
            for event in batch:
                self._price(event)
            try:
                await self._store.insert_events(batch)
            except asyncio.CancelledError:
                self._queue.extendleft(reversed(batch))
                raise
            except Exception as exc:
                self._queue.extendleft(reversed(batch))
                self.failures += 1
                if self.store_ok:
                    log.error("event store unavailable, keeping %d events queued: %s", len(self._queue), type(exc).__name__)
                self.store_ok = False
                return False
            self.store_ok = True
            self.written += len(batch)
        return True

    def _price(self, event: Event) -> None:
        if event.cost_status != "unpriced" or event.token_source == "missing":
            return
        usage = Usage(
            input_tokens=event.input_tokens,
            output_tokens=event.output_tokens,
            cached_tokens=event.cached_tokens,
            cache_write_tokens=event.cache_write_tokens,
            reasoning_tokens=event.reasoning_tokens,
        )
        at = datetime.fromtimestamp(event.ts_ms / 1000, tz=timezone.utc)
        model = event.model_reported
        try:
            result = self._pricer.price(event.provider, model, event.model_actual, usage, event.token_source, at)
        except Exception as exc:  # a pricing bug must never lose the event
            log.error("pricing failed for provider=%s model=%s: %s", event.provider, model, type(exc).__name__)
            return
        event.cost_usd = result.cost_usd
        event.cost_status = result.cost_status
        event.price_source = result.price_source or None
