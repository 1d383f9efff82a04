"""Per-org request-rate and concurrent-stream limits, in memory, off when set to 0."""

from __future__ import annotations

import time
from collections import Counter

from lectr.errors import RateLimited


class OrgLimits:
    def __init__(self, requests_per_minute: int, max_streams: int) -> None:
        self._rpm = requests_per_minute
        self._max_streams = max_streams
        self._buckets: dict[int, tuple[float, float]] = {}  # org id → (tokens, last refill)
        self._streams: Counter[int] = Counter()

    def check_rate(self, org_id: int) -> None:
        """Token bucket: `rpm` requests a minute, bursts up to `rpm`."""
        if self._rpm <= 0:
            return
        now = time.monotonic()
        tokens, last = self._buckets.get(org_id, (float(self._rpm), now))
        tokens = min(float(self._rpm), tokens + (now - last) * self._rpm / 60.0)
        if tokens < 1.0:
            self._buckets[org_id] = (tokens, now)
            raise RateLimited(f"This org is limited to {self._rpm} requests per minute.")
        self._buckets[org_id] = (tokens - 1.0, now)

    def open_stream(self, org_id: int) -> bool:
        """Take a stream slot; True when one was taken (then close_stream() must follow), False when unlimited."""
        if self._max_streams <= 0:
            return False
        if self._streams[org_id] >= self._max_streams:
            raise RateLimited(
                f"This org already has {self._max_streams} streams open.", code="concurrent_streams_exceeded"
            )
        self._streams[org_id] += 1
        return True

    def close_stream(self, org_id: int) -> None:
        self._streams[org_id] -= 1
