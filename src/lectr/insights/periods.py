"""The periods a user can pick, the window each covers, and the window before it.

Periods up to 24 hours read the minute rollups; longer ones read the hour rollups. A window ends at
the end of the bucket that holds "now", so the current, still-filling bucket is included; rates
divide by the time that has actually elapsed in the window, not by its nominal length.
"""

from __future__ import annotations

from dataclasses import dataclass

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True, slots=True)
class Period:
    name: str           # as in ?period=
    label: str
    length_ms: int
    bucket: str         # "minute" | "hour": which rollups answer
    step_ms: int        # the spacing of chart points


PERIODS: dict[str, Period] = {
    p.name: p
    for p in (
        Period("1h", "Last hour", HOUR_MS, "minute", MINUTE_MS),
        Period("24h", "Last 24 hours", DAY_MS, "minute", 15 * MINUTE_MS),
        Period("7d", "Last 7 days", 7 * DAY_MS, "hour", HOUR_MS),
        Period("30d", "Last 30 days", 30 * DAY_MS, "hour", 6 * HOUR_MS),
    )
}
DEFAULT_PERIOD = "24h"


@dataclass(frozen=True, slots=True)
class Window:
    start_ms: int
    end_ms: int
    bucket: str
    elapsed_ms: int     # time actually covered so far (≤ end - start)

    @property
    def elapsed_minutes(self) -> float:
        return max(self.elapsed_ms, MINUTE_MS) / MINUTE_MS

    @property
    def elapsed_hours(self) -> float:
        return self.elapsed_minutes / 60


def bucket_ms(bucket: str) -> int:
    return MINUTE_MS if bucket == "minute" else HOUR_MS


def period_named(name: str | None) -> Period:
    """The period for a ?period= value; unknown or missing values fall back to the default."""
    return PERIODS.get(name or DEFAULT_PERIOD, PERIODS[DEFAULT_PERIOD])


def current_and_previous(period: Period, now_ms: int) -> tuple[Window, Window]:
    size = bucket_ms(period.bucket)
    end = (now_ms // size + 1) * size
    start = end - period.length_ms
    current = Window(start, end, period.bucket, min(now_ms - start, period.length_ms))
    previous = Window(start - period.length_ms, start, period.bucket, period.length_ms)
    return current, previous


def recent_window(now_ms: int, minutes: int = 15) -> Window:
    """The last few minutes (minute rollups), for a provider's current status."""
    end = (now_ms // MINUTE_MS + 1) * MINUTE_MS
    start = end - minutes * MINUTE_MS
    return Window(start, end, "minute", now_ms - start)
