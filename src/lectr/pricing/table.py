"""Lookups in the bundled genai-prices table, turned into cacheable ModelRates.

Provider ids: Lectr's "openai", "anthropic", "groq", "azure" exist under the same id in genai-prices;
Lectr's "gemini" is genai-prices' "google". genai-prices' "azure" provider carries Azure's own list and
falls back to openai/anthropic/... tables, so Azure is priced through it (a deployment name matches
nothing there — it must be resolved via the reported model id or an override).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final

import genai_prices
from genai_prices import data_snapshot
from genai_prices.types import ModelInfo, ModelPrice, TieredPrices, TimeOfDateConstraint

from lectr.pricing.cost import ModelRates

GENAI_SOURCE: Final = f"genai-prices {genai_prices.__version__}"

# Lectr provider name -> genai-prices provider id (names not listed are passed through lower-cased).
PROVIDER_IDS: Final[Mapping[str, str]] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "groq": "groq",
    "gemini": "google",
    "google": "google",
    "vertex": "google",
    "azure": "azure",
}

# Price keys whose usage genai-prices could count from our normalised Usage. Any other priced unit
# (audio, image, searches, ...) has no reported usage in Lectr events and so contributes 0 there too.
_FAST_KEYS: Final = {
    "input_mtok": "input_per_mtok",
    "output_mtok": "output_per_mtok",
    "cache_read_mtok": "cache_read_per_mtok",
    "cache_write_mtok": "cache_write_per_mtok",
    "output_reasoning_mtok": "reasoning_per_mtok",
    "requests_kcount": "request_per_k",
}


def genai_provider_id(provider: str) -> str:
    key = provider.strip().lower()
    return PROVIDER_IDS.get(key, key)


class TableModel:
    """A model found in the genai-prices table; resolves its ModelRates for a timestamp."""

    __slots__ = ("info", "time_of_day", "_rates")

    def __init__(self, info: ModelInfo) -> None:
        self.info = info
        conditional = [] if isinstance(info.prices, ModelPrice) else info.prices
        # Off-peak style prices vary within a day, so they cannot be cached per date bucket.
        self.time_of_day = any(isinstance(c.constraint, TimeOfDateConstraint) for c in conditional)
        self._rates: list[tuple[ModelPrice, ModelRates]] = []  # few entries: one per distinct price period

    def rates_at(self, at: datetime) -> ModelRates:
        price = self.info.get_prices(at)
        for known, rates in self._rates:
            if known is price:
                return rates
        rates = rates_from_genai(self.info.id, price)
        self._rates.append((price, rates))
        return rates


class GenaiTable:
    """Finds models in the current genai-prices snapshot (misses are not cached here; the Pricer caches)."""

    __slots__ = ("_models",)

    def __init__(self) -> None:
        self._models: dict[int, TableModel] = {}  # id(ModelInfo) -> wrapper; the snapshot keeps ModelInfo alive

    def find(self, provider: str, model_ref: str) -> TableModel | None:
        try:
            _, info = data_snapshot.get_snapshot().find_provider_model(
                model_ref, None, genai_provider_id(provider), None
            )
        except LookupError:
            return None
        wrapper = self._models.get(id(info))
        if wrapper is None or wrapper.info is not info:
            wrapper = self._models[id(info)] = TableModel(info)
        return wrapper


def rates_from_genai(model_id: str, price: ModelPrice) -> ModelRates:
    fields: dict[str, Decimal | None] = {}
    thresholds: list[int] = []
    for key, attr in _FAST_KEYS.items():
        value = getattr(price, key, None)
        if isinstance(value, TieredPrices):
            if value.tiers:
                thresholds.append(min(tier.start for tier in value.tiers))
            value = value.base
        fields[attr] = value
    for key, value in price.__dict__.items():  # a tiered price on any other key must also defer to genai-prices
        if key not in _FAST_KEYS and isinstance(value, TieredPrices) and value.tiers:
            thresholds.append(min(tier.start for tier in value.tiers))
    return ModelRates(
        model=model_id,
        source=GENAI_SOURCE,
        input_per_mtok=fields["input_per_mtok"],
        output_per_mtok=fields["output_per_mtok"],
        cache_read_per_mtok=fields["cache_read_per_mtok"],
        cache_write_per_mtok=fields["cache_write_per_mtok"],
        reasoning_per_mtok=fields["reasoning_per_mtok"],
        request_per_k=fields["request_per_k"],
        tier_threshold=min(thresholds) if thresholds else None,
        genai_price=price,
    )
