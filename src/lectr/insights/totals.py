"""Totals over rollup rows, the figures derived from them, and period-over-period change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from lectr.insights.latency import merge_histograms, percentile
from lectr.insights.periods import Window
from lectr.store.base import LATENCY_BOUNDS_MS, RollupRow

EMPTY_HIST = (0,) * (len(LATENCY_BOUNDS_MS) + 1)


@dataclass(frozen=True, slots=True)
class Totals:
    requests: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float = 0.0
    unpriced_requests: int = 0
    latency_sum_ms: float = 0.0
    ttfb_sum_ms: float = 0.0
    ttfb_count: int = 0
    hist: tuple[int, ...] = EMPTY_HIST

    @classmethod
    def of(cls, rows: Iterable[RollupRow]) -> "Totals":
        rows = list(rows)
        return cls(
            requests=sum(r.requests for r in rows),
            errors=sum(r.errors for r in rows),
            input_tokens=sum(r.input_tokens for r in rows),
            output_tokens=sum(r.output_tokens for r in rows),
            cached_tokens=sum(r.cached_tokens for r in rows),
            cache_write_tokens=sum(r.cache_write_tokens for r in rows),
            reasoning_tokens=sum(r.reasoning_tokens for r in rows),
            cost_usd=sum(r.cost_usd for r in rows),
            unpriced_requests=sum(r.unpriced_requests for r in rows),
            latency_sum_ms=sum(r.latency_sum_ms for r in rows),
            ttfb_sum_ms=sum(r.ttfb_sum_ms for r in rows),
            ttfb_count=sum(r.ttfb_count for r in rows),
            hist=merge_histograms(r.latency_hist for r in rows),
        )

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None

    @property
    def avg_latency_ms(self) -> float | None:
        return self.latency_sum_ms / self.requests if self.requests else None

    @property
    def avg_ttfb_ms(self) -> float | None:
        return self.ttfb_sum_ms / self.ttfb_count if self.ttfb_count else None

    @property
    def cost(self) -> float | None:
        """Spend in USD; None when every request was unpriced (shown as "unpriced", never $0)."""
        if self.requests and self.unpriced_requests >= self.requests:
            return None
        return self.cost_usd

    def p(self, pct: float) -> float | None:
        return percentile(self.hist, pct)


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change (0.25 = +25 %); None when there is nothing to compare against."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def compared(current: float | None, previous: float | None) -> dict[str, float | None]:
    return {"value": current, "previous": previous, "change": change(current, previous)}


def headline(now: Totals, before: Totals, window: Window, previous: Window) -> dict[str, Any]:
    """The overview's figures, each with its previous-period value and change."""
    def rate_per_min(t: Totals, w: Window) -> float:
        return t.requests / w.elapsed_minutes

    def cost_per_hour(t: Totals, w: Window) -> float | None:
        return None if t.cost is None else t.cost_usd / w.elapsed_hours

    return {
        "requests_per_min": compared(rate_per_min(now, window), rate_per_min(before, previous)),
        "error_rate": compared(now.error_rate, before.error_rate),
        "p95_latency_ms": compared(now.p(95), before.p(95)),
        "cost_per_hour": compared(cost_per_hour(now, window), cost_per_hour(before, previous)),
        "requests": compared(now.requests, before.requests),
        "errors": compared(now.errors, before.errors),
        "cost_usd": compared(now.cost, before.cost),
        "tokens": compared(now.tokens, before.tokens),
        "unpriced_requests": now.unpriced_requests,
    }


def figures(t: Totals) -> dict[str, Any]:
    """One row of a breakdown table."""
    return {
        "requests": t.requests,
        "errors": t.errors,
        "error_rate": t.error_rate,
        "cost_usd": t.cost,
        "unpriced_requests": t.unpriced_requests,
        "avg_latency_ms": t.avg_latency_ms,
        "p50_latency_ms": t.p(50),
        "p95_latency_ms": t.p(95),
        "p99_latency_ms": t.p(99),
        "avg_ttfb_ms": t.avg_ttfb_ms,
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "cached_tokens": t.cached_tokens,
        "reasoning_tokens": t.reasoning_tokens,
        "tokens": t.tokens,
    }
