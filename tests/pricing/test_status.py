"""Statuses, fallbacks and the unpriced contract (None, never 0.0)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lectr.pricing import Pricer, PriceResult, Usage

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
UNPRICED = PriceResult(None, "unpriced", "", None)
USAGE = Usage(1000, 100)  # gpt-4o ($2.50 in, $10 out): 2500 + 1000 -> $0.0035


@pytest.fixture
def pricer() -> Pricer:
    return Pricer()


def test_unknown_model_is_unpriced_not_zero(pricer: Pricer) -> None:
    assert pricer.price("openai", "gpt-nonexistent-9", None, USAGE, "provider", AT) == UNPRICED
    assert pricer.price("openai", None, None, USAGE, "provider", AT) == UNPRICED


def test_unknown_provider_is_unpriced(pricer: Pricer) -> None:
    assert pricer.price("nosuchprovider", "gpt-4o", None, USAGE, "provider", AT) == UNPRICED


def test_falls_back_to_requested_model(pricer: Pricer) -> None:
    r = pricer.price("openai", "gpt-4o-weird-snapshot-id", "gpt-4o", USAGE, "provider", AT)
    assert (r.cost_status, r.priced_model) == ("priced", "gpt-4o")
    assert r.cost_usd == pytest.approx(0.0035, abs=1e-9)
    r = pricer.price("openai", None, "gpt-4o", USAGE, "provider", AT)
    assert r.priced_model == "gpt-4o"


def test_reported_model_wins_over_requested(pricer: Pricer) -> None:
    # requested alias "gpt-4o", provider actually served the 2024-05-13 snapshot ($5 in, $15 out): 5000 + 1500
    r = pricer.price("openai", "gpt-4o-2024-05-13", "gpt-4o", USAGE, "provider", AT)
    assert r.priced_model == "gpt-4o-2024-05-13"
    assert r.cost_usd == pytest.approx(0.0065, abs=1e-9)


def test_azure_priced_by_reported_model_not_deployment(pricer: Pricer) -> None:
    r = pricer.price("azure", "gpt-4o-2024-08-06", "acme-prod-4o", USAGE, "provider", AT)
    assert r.priced_model == "gpt-4o"
    assert r.cost_usd == pytest.approx(0.0035, abs=1e-9)
    # only the deployment name known -> no guess
    assert pricer.price("azure", None, "acme-prod-4o", USAGE, "provider", AT) == UNPRICED


def test_provider_ids_mapped(pricer: Pricer) -> None:
    assert pricer.price("gemini", "gemini-1.5-flash", None, USAGE, "provider", AT).priced_model == "gemini-1.5-flash"
    assert pricer.price("Anthropic", "claude-3-5-haiku-20241022", None, USAGE, "provider", AT).cost_usd is not None


def test_estimated_status(pricer: Pricer) -> None:
    r = pricer.price("openai", "gpt-4o", None, USAGE, "estimated", AT)
    assert (r.cost_status, r.priced_model) == ("estimated", "gpt-4o")
    assert r.cost_usd == pytest.approx(0.0035, abs=1e-9)


def test_missing_usage_is_unpriced(pricer: Pricer) -> None:
    assert pricer.price("openai", "gpt-4o", None, USAGE, "missing", AT) == UNPRICED
    assert pricer.price("openai", "gpt-4o", None, Usage(None, None), "provider", AT) == UNPRICED


def test_partial_usage_is_estimated(pricer: Pricer) -> None:
    # output unknown -> only input can be charged (1000*2.5 = 2500) and the status says so
    r = pricer.price("openai", "gpt-4o", None, Usage(1000, None), "provider", AT)
    assert r.cost_status == "estimated"
    assert r.cost_usd == pytest.approx(0.0025, abs=1e-9)


@pytest.mark.parametrize(
    "usage",
    [
        Usage(100, 10, cached_tokens=101),  # cache reads are a subset of input
        Usage(100, 10, cached_tokens=60, cache_write_tokens=60),
        Usage(100, 10, reasoning_tokens=11),  # reasoning is a subset of output
        Usage(-1, 10),
    ],
)
def test_inconsistent_usage_is_unpriced(pricer: Pricer, usage: Usage) -> None:
    assert pricer.price("anthropic", "claude-3-5-sonnet-20241022", None, usage, "provider", AT) == UNPRICED


def test_zero_usage_costs_zero_for_known_model(pricer: Pricer) -> None:
    r = pricer.price("openai", "gpt-4o", None, Usage(0, 0), "provider", AT)
    assert (r.cost_usd, r.cost_status) == (0.0, "priced")


def test_bad_token_source_raises(pricer: Pricer) -> None:
    with pytest.raises(ValueError, match="token_source"):
        pricer.price("openai", "gpt-4o", None, USAGE, "guess", AT)


def test_naive_and_offset_timestamps_use_utc_date(pricer: Pricer) -> None:
    # o3 price cut on 2025-06-10 (UTC): $10/$40 -> $2/$8. 2025-06-10 01:00+05:00 is still 06-09 in UTC.
    local = datetime(2025, 6, 10, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert pricer.price("openai", "o3", None, Usage(1000, 1000), "provider", local).cost_usd == pytest.approx(0.05)
    naive = datetime(2025, 6, 10, 1, 0)
    assert pricer.price("openai", "o3", None, Usage(1000, 1000), "provider", naive).cost_usd == pytest.approx(0.01)


def test_unit_prices(pricer: Pricer) -> None:
    from decimal import Decimal

    rates = pricer.unit_prices("anthropic", "claude-3-5-sonnet-20241022", AT)
    assert rates is not None
    assert (rates.model, rates.source) == ("claude-3-5-sonnet", "genai-prices 0.2.3")
    assert (rates.input_per_mtok, rates.output_per_mtok) == (Decimal("3"), Decimal("15"))
    assert (rates.cache_read_per_mtok, rates.cache_write_per_mtok) == (Decimal("0.3"), Decimal("3.75"))
    # "what would this usage cost on claude-3-5-sonnet": see test_golden -> $0.01965
    assert rates.cost_for(Usage(5000, 800, cached_tokens=3000, cache_write_tokens=1000)) == pytest.approx(0.01965)
    assert pricer.unit_prices("anthropic", "claude-nope", AT) is None


def test_lookup_is_cached_per_day(pricer: Pricer) -> None:
    for minute in range(30):
        pricer.price("openai", "gpt-4o", None, USAGE, "provider", AT + timedelta(minutes=minute))
    assert len(pricer.cache) == 1
    pricer.price("openai", "gpt-4o", None, USAGE, "provider", AT + timedelta(days=1))
    assert len(pricer.cache) == 2
