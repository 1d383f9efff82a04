"""Latency percentiles from the rollups' merged histograms.

Each histogram bucket i counts requests with latency in (LATENCY_BOUNDS_MS[i-1], LATENCY_BOUNDS_MS[i]];
the last bucket is open-ended. A percentile is interpolated linearly inside the bucket that holds its
rank, so it is exact to within that bucket's width; one in the open-ended bucket reports its lower bound.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from lectr.store.base import LATENCY_BOUNDS_MS


def merge_histograms(hists: Iterable[Sequence[int]]) -> tuple[int, ...]:
    total = [0] * (len(LATENCY_BOUNDS_MS) + 1)
    for hist in hists:
        for i, count in enumerate(hist[: len(total)]):
            total[i] += count
    return tuple(total)


def percentile(hist: Sequence[int], pct: float) -> float | None:
    """The pct-th percentile (0–100) of a histogram, or None when it is empty."""
    count = sum(hist)
    if count == 0:
        return None
    rank = pct / 100 * count
    seen = 0
    for i, in_bucket in enumerate(hist):
        if in_bucket and seen + in_bucket >= rank:
            lower = LATENCY_BOUNDS_MS[i - 1] if i > 0 else 0.0
            if i >= len(LATENCY_BOUNDS_MS):
                return float(lower)
            upper = LATENCY_BOUNDS_MS[i]
            return float(lower + (upper - lower) * max(rank - seen, 0) / in_bucket)
        seen += in_bucket
    return float(LATENCY_BOUNDS_MS[-1])
