"""Retention: delete raw events and rollups past their age, a small batch per transaction.

Small batches keep each delete's locks short (SQLite has one writer; PostgreSQL rows stay hot), and the
pause between batches lets the event writer and the dashboard in. Several gateways may prune at once:
the stores skip rows another pruner holds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from lectr.config import Settings
from lectr.store.base import Store

log = logging.getLogger("lectr.retention")
DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Pruned:
    events: int
    minute_rollups: int
    hour_rollups: int


class Retention:
    def __init__(
        self, store: Store, *, event_days: int, hour_days: int, minute_days: int, batch: int = 5000,
        interval: float = 300.0, pause: float = 0.01, first_delay: float = 10.0,
    ) -> None:
        self._store = store
        self._days = {"events": event_days, "minute": minute_days, "hour": hour_days}
        self._batch, self._interval, self._pause, self._first_delay = batch, interval, pause, first_delay

    @classmethod
    def from_settings(cls, store: Store, settings: Settings) -> "Retention":
        return cls(
            store, event_days=settings.retention_days, hour_days=settings.rollup_retention_days,
            minute_days=settings.minute_rollup_retention_days, batch=settings.prune_batch,
            interval=settings.prune_interval_seconds,
        )

    async def prune_once(self, now_ms: int | None = None) -> Pruned:
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms

        def cutoff(kind: str) -> int | None:
            return now_ms - self._days[kind] * DAY_MS if self._days[kind] > 0 else None

        events = await self._loop(cutoff("events"), lambda c: self._store.prune_events(c, self._batch))
        minute = await self._loop(cutoff("minute"), lambda c: self._store.prune_rollups(c, self._batch, "minute"))
        hour = await self._loop(cutoff("hour"), lambda c: self._store.prune_rollups(c, self._batch, "hour"))
        return Pruned(events, minute, hour)

    async def _loop(self, before_ms: int | None, step: Callable[[int], Awaitable[int]]) -> int:
        if before_ms is None:
            return 0
        total = 0
        while True:
            deleted = await step(before_ms)
            total += deleted
            if deleted < self._batch:
                return total
            await asyncio.sleep(self._pause)

    async def run(self) -> None:
        delay = self._first_delay
        while True:
            await asyncio.sleep(delay)
            delay = self._interval
            try:
                pruned = await self.prune_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the store is down: try again next round
                log.warning("pruning failed: %s", type(exc).__name__)
                continue
            if pruned.events or pruned.minute_rollups or pruned.hour_rollups:
                log.info("pruned %d events, %d minute and %d hour rollup rows",
                         pruned.events, pruned.minute_rollups, pruned.hour_rollups)
