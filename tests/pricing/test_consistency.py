"""The fast path must agree with genai_prices.calc_price for every token-priced model we route to."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from genai_prices import Usage as GenaiUsage
from genai_prices import calc_price, data_snapshot

from lectr.pricing import Pricer, Usage

PROVIDERS = ("openai", "anthropic", "google", "groq", "azure", "deepseek")
TIMES = (datetime(2025, 3, 1, 10, tzinfo=UTC), datetime(2026, 11, 20, 20, tzinfo=UTC))


def _models() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for provider in data_snapshot.get_snapshot().providers:
        if provider.id in PROVIDERS:
            out.extend((provider.id, model.id) for model in provider.models)
    return out


@pytest.mark.parametrize(("provider", "model"), _models())
def test_matches_genai_prices(provider: str, model: str) -> None:
    pricer = Pricer()
    rng = random.Random(f"{provider}/{model}")
    for at in TIMES:
        for _ in range(6):
            inp = rng.choice([0, 10, 5_000, 150_000, 260_000, 1_500_000])
            cached = rng.randint(0, inp)
            write = rng.randint(0, inp - cached)
            out = rng.choice([0, 1, 700, 40_000])
            reasoning = rng.randint(0, out)
            mine = pricer.price(provider, model, None, Usage(inp, out, cached, write, reasoning), "provider", at)
            genai_usage = GenaiUsage(input_tokens=inp, output_tokens=out, cache_read_tokens=cached,
                                     cache_write_tokens=write, output_reasoning_tokens=reasoning)
            try:
                expected = calc_price(genai_usage, model, provider_id=provider, genai_request_timestamp=at).total_price
            except LookupError:  # a few table ids don't match their own patterns (e.g. "ft:gpt-4o")
                assert mine.cost_usd is None
                continue
            if mine.cost_usd is None:
                # only allowed where the table has no rate for a direction we used (never a silent $0)
                rates = pricer.unit_prices(provider, model, at)
                assert rates is not None
                assert (rates.input_per_mtok is None and inp) or (rates.output_per_mtok is None and out)
                continue
            assert mine.cost_usd == float(expected.quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)), (inp, out)
