"""Pricing cost per event on a warm cache (the batch writer prices every event on the gateway's loop).

Run: .venv/bin/python bench/price_bench.py
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from lectr.pricing import Pricer, Usage


def main() -> None:
    pricer = Pricer()
    at = datetime(2025, 6, 1, 12, tzinfo=UTC)
    events = [
        ("openai", "gpt-4o-2024-08-06", "gpt-4o", Usage(1200, 300, cached_tokens=1024)),
        ("anthropic", "claude-3-5-sonnet-20241022", None, Usage(5000, 800, 3000, 1000)),
        ("gemini", "gemini-1.5-flash-002", None, Usage(2000, 100)),
        ("groq", "llama-3.1-70b-versatile", None, Usage(900, 100)),
        ("openai", "o1-2024-12-17", None, Usage(1000, 5000, reasoning_tokens=4000)),
    ] * 1000
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for provider, reported, requested, usage in events:
            pricer.price(provider, reported, requested, usage, "provider", at)
        best = min(best, (time.perf_counter() - start) / len(events))
    print(f"pricing: {best * 1e6:.1f} µs/event (warm cache, best of 5 x {len(events)} events)")


if __name__ == "__main__":
    main()
