"""Override files: format, precedence over the table, validity dates, and loud failures."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lectr.pricing import Pricer, PriceOverride, PriceResult, Usage, load_overrides

USAGE = Usage(1_000_000, 1_000_000, cached_tokens=400_000)


def write(tmp_path: Path, doc: Any, name: str = "prices.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def entry(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"provider": "openai", "model": "ft:gpt-4o-mini:acme", "input_per_mtok": 0.3,
                            "output_per_mtok": 1.2, "cache_read_per_mtok": 0.15}
    base.update(fields)
    return base


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def test_load_example_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"overrides": [entry(valid_from="2026-01-01", valid_to=None)]})
    (override,) = load_overrides(path)
    assert override == PriceOverride("openai", "ft:gpt-4o-mini:acme", Decimal("0.3"), Decimal("1.2"),
                                     Decimal("0.15"), None, date(2026, 1, 1), None, "prices.json")


def test_override_prices_fine_tuned_model(tmp_path: Path) -> None:
    pricer = Pricer(load_overrides(write(tmp_path, {"overrides": [entry(valid_from="2026-01-01")]})))
    # 600k plain input * 0.30 = 180000 ; 400k cached * 0.15 = 60000 ; 1M out * 1.20 = 1200000 -> $1.44
    r = pricer.price("openai", "ft:gpt-4o-mini:acme", None, USAGE, "provider", at("2026-02-01"))
    assert r == PriceResult(1.44, "priced", "override:prices.json", "ft:gpt-4o-mini:acme")


def test_validity_dates_are_inclusive(tmp_path: Path) -> None:
    doc = {"overrides": [entry(valid_from="2026-01-01", valid_to="2026-01-31")]}
    pricer = Pricer(load_overrides(write(tmp_path, doc)))

    def price(day: str) -> PriceResult:
        return pricer.price("openai", "ft:gpt-4o-mini:acme", None, USAGE, "provider", at(day))

    assert price("2025-12-31").cost_status == "unpriced"  # before: unknown to the table too
    assert price("2026-01-01").cost_usd == 1.44
    assert price("2026-01-31").cost_usd == 1.44
    assert price("2026-02-01") == PriceResult(None, "unpriced", "", None)


def test_override_beats_table_and_falls_back_after_expiry(tmp_path: Path) -> None:
    # negotiated gpt-4o: $2 in, $8 out (no cache rate -> cached tokens at the input rate) until 2025-12-31
    doc = {"overrides": [{"provider": "openai", "model": "gpt-4o", "input_per_mtok": 2, "output_per_mtok": 8,
                          "valid_to": "2025-12-31"}]}
    pricer = Pricer(load_overrides(write(tmp_path, doc, "acme.json")))
    usage = Usage(1000, 100, cached_tokens=500)
    r = pricer.price("openai", "gpt-4o-2024-08-06", "gpt-4o", usage, "provider", at("2025-06-01"))
    assert r == PriceResult(0.0028, "priced", "override:acme.json", "gpt-4o")  # 1000*2 + 100*8
    # after expiry the table applies: 500*2.5 + 500*1.25 + 100*10 = 1250 + 625 + 1000 -> $0.002875
    r = pricer.price("openai", "gpt-4o-2024-08-06", "gpt-4o", usage, "provider", at("2026-01-01"))
    assert r == PriceResult(0.002875, "priced", "genai-prices 0.2.3", "gpt-4o")


def test_azure_deployment_override_and_wildcard(tmp_path: Path) -> None:
    doc = {"overrides": [
        {"provider": "azure", "model": "acme-prod-4o", "input_per_mtok": 2.5, "output_per_mtok": 10},
        {"provider": "*", "model": "house-model", "input_per_mtok": 1, "output_per_mtok": 1},
        {"provider": "groq", "model": "house-model", "input_per_mtok": 3, "output_per_mtok": 3},
    ]}
    pricer = Pricer(load_overrides(write(tmp_path, doc)))
    r = pricer.price("azure", None, "acme-prod-4o", Usage(1000, 100), "estimated", at("2025-06-01"))
    assert (r.cost_usd, r.cost_status, r.priced_model) == (0.0035, "estimated", "acme-prod-4o")
    assert pricer.price("openai", "House-Model", None, Usage(1000, 0), "provider", at("2025-06-01")).cost_usd == 0.001
    assert pricer.price("groq", "house-model", None, Usage(1000, 0), "provider", at("2025-06-01")).cost_usd == 0.003


def test_unit_prices_from_override() -> None:
    override = PriceOverride("anthropic", "claude-custom", Decimal(1), Decimal(5), Decimal("0.1"), Decimal("1.25"))
    pricer = Pricer([override])
    rates = pricer.unit_prices("anthropic", "claude-custom", at("2025-06-01"))
    assert rates is not None and rates.source == "override:inline"
    # 1000 in (500 read, 200 write): 300*1 + 500*0.1 + 200*1.25 = 300 + 50 + 250 ; 100*5 = 500 -> $0.0011
    assert rates.cost_for(Usage(1000, 100, cached_tokens=500, cache_write_tokens=200)) == 0.0011


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid UTF-8 JSON"),
        ('{"overrides": [{"provider": "openai", "model": "x", "input_per_mtok": NaN, "output_per_mtok": 1}]}',
         "not valid"),
        ({"prices": []}, "only top-level key"),
        ({"overrides": {}}, "only top-level key"),
        ({"overrides": ["gpt-4o"]}, r"overrides\[0\]: expected an object"),
        ({"overrides": [entry(output_per_mtok=None)]}, "missing required field.*output_per_mtok"),
        ({"overrides": [entry(input_per_mtok=-1)]}, "input_per_mtok"),
        ({"overrides": [entry(input_per_mtok="0.3")]}, "input_per_mtok"),
        ({"overrides": [entry(cache_read_per_mtok=True)]}, "cache_read_per_mtok"),
        ({"overrides": [entry(input_per_mtoks=1)]}, "unknown field.*input_per_mtoks"),
        ({"overrides": [entry(valid_from="01/02/2026")]}, "valid_from"),
        ({"overrides": [entry(valid_from="2026-02-01", valid_to="2026-01-01")]}, "after valid_to"),
        ({"overrides": [entry(provider="")]}, "provider"),
        ({"overrides": [entry(), entry(valid_from="2026-01-01")]}, "overlapping"),
    ],
)
def test_invalid_files_raise(tmp_path: Path, content: Any, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ValueError, match=message) as info:
        load_overrides(path)
    assert "prices.json" in str(info.value)


def test_non_overlapping_periods_allowed(tmp_path: Path) -> None:
    doc = {"overrides": [entry(valid_to="2025-12-31"), entry(valid_from="2026-01-01", input_per_mtok=0.2)]}
    pricer = Pricer(load_overrides(write(tmp_path, doc)))
    old = pricer.unit_prices("openai", "ft:gpt-4o-mini:acme", at("2025-12-31"))
    new = pricer.unit_prices("openai", "ft:gpt-4o-mini:acme", at("2026-01-01"))
    assert old is not None and new is not None
    assert (old.input_per_mtok, new.input_per_mtok) == (Decimal("0.3"), Decimal("0.2"))


def test_conflicts_across_files_rejected() -> None:
    a = PriceOverride("openai", "m", Decimal(1), Decimal(1), source="a.json")
    b = PriceOverride("OpenAI", "M", Decimal(2), Decimal(2), source="b.json")
    with pytest.raises(ValueError, match="overlapping"):
        Pricer([a, b])


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_overrides(tmp_path / "nope.json")
