"""Golden costs computed BY HAND from published per-token prices (USD per million tokens, "MTok")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lectr.pricing import Pricer, PriceResult, Usage

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SRC = "genai-prices 0.2.3"


@pytest.fixture(scope="module")
def pricer() -> Pricer:
    return Pricer()


def cost(pricer: Pricer, provider: str, model: str | None, usage: Usage, requested: str | None = None) -> PriceResult:
    return pricer.price(provider, model, requested, usage, "provider", AT)


def test_gpt4o_with_cached_input(pricer: Pricer) -> None:
    # gpt-4o: $2.50/MTok input, $1.25/MTok cached input, $10/MTok output.
    # 1200 input of which 1024 cached: 176*2.50 + 1024*1.25 = 440 + 1280; 300 out * 10 = 3000 -> 4720 / 1e6
    r = cost(pricer, "openai", "gpt-4o-2024-08-06", Usage(1200, 300, cached_tokens=1024), requested="gpt-4o")
    assert (r.cost_status, r.price_source, r.priced_model) == ("priced", SRC, "gpt-4o")
    assert r.cost_usd == pytest.approx(0.00472, abs=1e-9)


def test_dated_id_with_its_own_price(pricer: Pricer) -> None:
    # gpt-4o-2024-05-13 kept the launch price: $5/MTok in, $15/MTok out. 1000*5 + 100*15 = 6500 -> $0.0065
    r = cost(pricer, "openai", "gpt-4o-2024-05-13", Usage(1000, 100), requested="gpt-4o")
    assert r.priced_model == "gpt-4o-2024-05-13"
    assert r.cost_usd == pytest.approx(0.0065, abs=1e-9)


def test_claude_cache_read_and_write_not_double_counted(pricer: Pricer) -> None:
    # claude-3-5-sonnet: $3 in, $3.75 cache write, $0.30 cache read, $15 out.
    # input_tokens=5000 INCLUDES 3000 reads + 1000 writes -> 1000 plain input.
    # 1000*3 + 3000*0.30 + 1000*3.75 + 800*15 = 3000 + 900 + 3750 + 12000 = 19650 -> $0.01965
    usage = Usage(5000, 800, cached_tokens=3000, cache_write_tokens=1000)
    r = cost(pricer, "anthropic", "claude-3-5-sonnet-20241022", usage)
    assert (r.cost_status, r.price_source, r.priced_model) == ("priced", SRC, "claude-3-5-sonnet")
    assert r.cost_usd == pytest.approx(0.01965, abs=1e-9)


def test_claude_only_cache_write(pricer: Pricer) -> None:
    # 2000 input, all cache writes: 2000*3.75 = 7500 ; 10 out * 15 = 150 -> 7650 -> $0.00765 (not 2000*3 + 7500)
    usage = Usage(2000, 10, cached_tokens=0, cache_write_tokens=2000)
    r = cost(pricer, "anthropic", "claude-3-5-sonnet-20241022", usage)
    assert r.cost_usd == pytest.approx(0.00765, abs=1e-9)


def test_o1_reasoning_priced_as_output(pricer: Pricer) -> None:
    # o1: $15 in, $7.50 cached, $60 out; reasoning tokens are billed as output tokens.
    # 1000*15 = 15000 ; 5000 out (4000 of them reasoning) * 60 = 300000 -> 315000 -> $0.315
    with_reasoning = cost(pricer, "openai", "o1-2024-12-17", Usage(1000, 5000, reasoning_tokens=4000))
    assert with_reasoning.priced_model == "o1"
    assert with_reasoning.cost_usd == pytest.approx(0.315, abs=1e-9)
    # reasoning is a subset of output: reporting it must not change (or add to) the cost
    assert cost(pricer, "openai", "o1", Usage(1000, 5000)).cost_usd == with_reasoning.cost_usd


def test_groq_llama_31_70b(pricer: Pricer) -> None:
    # llama-3.1-70b-versatile on Groq: $0.59 in, $0.79 out.
    # 12345*0.59 = 7283.55 ; 678*0.79 = 535.62 -> 7819.17 -> $0.00781917
    r = cost(pricer, "groq", "llama-3.1-70b-versatile", Usage(12345, 678))
    assert (r.cost_status, r.priced_model) == ("priced", "llama-3.1-70b-versatile")
    assert r.cost_usd == pytest.approx(0.00781917, abs=1e-9)


def test_gemini_15_flash_base_tier(pricer: Pricer) -> None:
    # gemini-1.5-flash (<=128k prompt): $0.075 in, $0.01875 cached, $0.30 out.
    # 100000 in (20000 cached): 80000*0.075 = 6000 ; 20000*0.01875 = 375 ; 1000*0.30 = 300 -> 6675 -> $0.006675
    r = cost(pricer, "gemini", "gemini-1.5-flash-002", Usage(100_000, 1000, cached_tokens=20_000))
    assert (r.cost_status, r.priced_model) == ("priced", "gemini-1.5-flash")
    assert r.cost_usd == pytest.approx(0.006675, abs=1e-9)


def test_gemini_15_flash_long_context_tier(pricer: Pricer) -> None:
    # >128k prompt: $0.15 in, $0.0375 cached, $0.60 out, applied to ALL tokens.
    # 200000 in (50000 cached): 150000*0.15 = 22500 ; 50000*0.0375 = 1875 ; 2000*0.60 = 1200 -> 25575 -> $0.025575
    r = cost(pricer, "gemini", "gemini-1.5-flash", Usage(200_000, 2000, cached_tokens=50_000))
    assert r.cost_usd == pytest.approx(0.025575, abs=1e-9)


def test_gemini_tier_boundary(pricer: Pricer) -> None:
    # exactly 128000 stays on the base rate: 128000*0.075 = 9600 -> $0.0096
    assert cost(pricer, "gemini", "gemini-1.5-flash", Usage(128_000, 0)).cost_usd == pytest.approx(0.0096, abs=1e-9)
    # one more token crosses it: 128001*0.15 = 19200.15 -> $0.01920015
    r = cost(pricer, "gemini", "gemini-1.5-flash", Usage(128_001, 0))
    assert r.cost_usd == pytest.approx(0.01920015, abs=1e-9)


def test_claude_sonnet_45_long_context_tier(pricer: Pricer) -> None:
    # claude-sonnet-4-5 >200k prompt: $6 in, $0.60 cache read, $7.50 cache write, $22.50 out.
    # 250000 in = 130000 plain + 100000 reads + 20000 writes:
    # 130000*6 = 780000 ; 100000*0.6 = 60000 ; 20000*7.5 = 150000 ; 1000*22.5 = 22500 -> 1012500 -> $1.0125
    usage = Usage(250_000, 1000, cached_tokens=100_000, cache_write_tokens=20_000)
    assert cost(pricer, "anthropic", "claude-sonnet-4-5-20250929", usage).cost_usd == pytest.approx(1.0125, abs=1e-9)
    # same model under 200k: 3 in, 0.30 read, 3.75 write, 15 out:
    # 1000*3 + 1000*0.3 + 1000*3.75 + 100*15 = 3000 + 300 + 3750 + 1500 = 8550 -> $0.00855
    small = Usage(3000, 100, cached_tokens=1000, cache_write_tokens=1000)
    assert cost(pricer, "anthropic", "claude-sonnet-4-5", small).cost_usd == pytest.approx(0.00855, abs=1e-9)


def test_rounding_to_nano_dollars(pricer: Pricer) -> None:
    # one cached gemini-1.5-flash token: $0.01875/MTok = $0.00000001875 -> rounds (half up) to $0.000000019
    r = cost(pricer, "gemini", "gemini-1.5-flash", Usage(1, 0, cached_tokens=1))
    assert r.cost_usd == 0.000000019
    # gpt-4o-mini $0.15/MTok in: 1 token = $0.00000015 exactly
    assert cost(pricer, "openai", "gpt-4o-mini", Usage(1, 0)).cost_usd == 0.00000015


def test_price_change_by_date(pricer: Pricer) -> None:
    # o3 was cut from $10/$40 to $2/$8 per MTok on 2025-06-10.
    usage = Usage(1000, 1000)
    before = pricer.price("openai", "o3", None, usage, "provider", datetime(2025, 6, 9, 23, 59, tzinfo=UTC))
    after = pricer.price("openai", "o3", None, usage, "provider", datetime(2025, 6, 10, 0, 1, tzinfo=UTC))
    assert before.cost_usd == pytest.approx(0.05, abs=1e-9)  # 1000*10 + 1000*40 = 50000
    assert after.cost_usd == pytest.approx(0.01, abs=1e-9)  # 1000*2 + 1000*8 = 10000


def test_off_peak_price_within_one_day(pricer: Pricer) -> None:
    # deepseek-chat: standard $0.27 in / $1.10 out (00:30-16:30 UTC), off-peak half: $0.135 / $0.55.
    usage = Usage(1000, 1000)
    peak = pricer.price("deepseek", "deepseek-chat", None, usage, "provider", datetime(2025, 3, 1, 10, tzinfo=UTC))
    off = pricer.price("deepseek", "deepseek-chat", None, usage, "provider", datetime(2025, 3, 1, 20, tzinfo=UTC))
    assert peak.cost_usd == pytest.approx(0.00137, abs=1e-9)  # 270 + 1100
    assert off.cost_usd == pytest.approx(0.000685, abs=1e-9)  # 135 + 550
