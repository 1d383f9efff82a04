"""Folding a batch once per minute and re-folding for coarser levels gives what folding each level directly gives."""

from __future__ import annotations

import random

from lectr.store.rollup import LEVELS, aggregate, aggregate_all
from tests.store.test_contract_events import T0, ev


def test_every_level_matches_a_direct_fold() -> None:
    rng = random.Random(4)
    events = [
        ev(n, ts_ms=T0 + rng.randrange(3 * 86_400_000), provider=rng.choice(["openai", "groq"]),
           feature=rng.choice(["a", "b"]), status_code=rng.choice([200, 200, 500]), latency_ms=rng.uniform(1, 9e4),
           cost_usd=rng.choice([None, 0.5, 0.25]), ttfb_ms=rng.choice([None, 5.0]), streaming=rng.random() < 0.5)
        for n in range(400)
    ]
    folded = aggregate_all(events)
    for level in LEVELS:
        direct = aggregate(events, level)
        assert [r[:9] for r in folded[level]] == [r[:9] for r in direct], level
        for got, want in zip(folded[level], direct):
            assert got[9:] == want[9:] or all(abs(a - b) < 1e-6 for a, b in zip(got[9:], want[9:]))
    assert sum(r[9] for r in folded[LEVELS[0]]) == 400
