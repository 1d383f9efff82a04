"""The Pricer: resolve (provider, model, date) to rates once, then price each event with plain Decimal arithmetic."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from genai_prices import data_snapshot

from lectr.pricing.cost import ModelRates, round_usd, usage_counts
from lectr.pricing.overrides import OverrideIndex, PriceOverride
from lectr.pricing.table import GenaiTable, TableModel
from lectr.pricing.values import ESTIMATED, PRICED, UNPRICED_RESULT, PriceResult, Usage

log = logging.getLogger("lectr.pricing")

_TOKEN_SOURCES: Final = frozenset({"provider", "estimated", "missing"})


@dataclass(frozen=True, slots=True)
class _Resolved:
    """Cached outcome of a lookup: fixed rates for the date, or a table model whose price varies within a day."""

    rates: ModelRates | None
    varying: TableModel | None = None

    def at(self, at: datetime) -> ModelRates | None:
        return self.varying.rates_at(at) if self.varying is not None else self.rates


_MISS: Final = _Resolved(None)


class LookupCache:
    """Bounded memo of (provider, reported, requested, UTC date) -> _Resolved; cleared wholesale when full."""

    __slots__ = ("_entries", "_max_entries", "snapshot")

    def __init__(self, max_entries: int = 50_000) -> None:
        self._entries: dict[tuple[str, str | None, str | None, date], _Resolved] = {}
        self._max_entries = max_entries
        self.snapshot: object | None = None  # genai-prices snapshot the entries were computed from

    def get(self, key: tuple[str, str | None, str | None, date]) -> _Resolved | None:
        return self._entries.get(key)

    def put(self, key: tuple[str, str | None, str | None, date], value: _Resolved) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _utc_day(at: datetime) -> date:
    """UTC calendar date; naive datetimes are taken as UTC (as genai-prices does)."""
    if at.tzinfo is None or at.tzinfo is UTC:
        return at.date()
    return at.astimezone(UTC).date()


class Pricer:
    """Prices normalised usage. One instance per process; all caching lives in the instance."""

    def __init__(self, overrides: Sequence[PriceOverride] = ()) -> None:
        self._overrides = OverrideIndex(overrides)
        self._table = GenaiTable()
        self.cache = LookupCache()

    def price(
        self,
        provider: str,
        model_reported: str | None,
        model_requested: str | None,
        usage: Usage,
        token_source: str,
        at: datetime,
    ) -> PriceResult:
        if token_source not in _TOKEN_SOURCES:
            raise ValueError(f"token_source must be one of {sorted(_TOKEN_SOURCES)}, got {token_source!r}")
        if token_source == "missing" or (usage.input_tokens is None and usage.output_tokens is None):
            return UNPRICED_RESULT
        rates = self._rates(provider, model_reported, model_requested, at)
        if rates is None:
            return UNPRICED_RESULT
        counts = usage_counts(usage)
        if counts is None:
            log.warning("inconsistent usage for provider=%s model=%s: %r", provider, model_reported, usage)
            return UNPRICED_RESULT
        cost = rates.cost(*counts)
        if cost is None:  # tokens in a direction the model has no rate for
            return UNPRICED_RESULT
        partial = usage.input_tokens is None or usage.output_tokens is None
        status = ESTIMATED if token_source == "estimated" or partial else PRICED
        return PriceResult(round_usd(cost), status, rates.source, rates.model)

    def warm(self) -> None:
        """Load the bundled price table now, at start-up, rather than on the first event."""
        self._table.find("openai", "gpt-4o")  # loads the genai-prices snapshot on its first call

    def unit_prices(self, provider: str, model: str, at: datetime) -> ModelRates | None:
        """Rates that would price ``model`` on ``provider`` at ``at`` (overrides first), or None if unknown."""
        return self._rates(provider, model, None, at)

    def _rates(
        self, provider: str, model_reported: str | None, model_requested: str | None, at: datetime
    ) -> ModelRates | None:
        snapshot = data_snapshot.get_snapshot()
        if snapshot is not self.cache.snapshot:  # genai-prices data was replaced (auto-update): start over
            self.cache.clear()
            self.cache.snapshot = snapshot
        key = (provider, model_reported, model_requested, _utc_day(at))
        resolved = self.cache.get(key)
        if resolved is None:
            resolved = self._resolve(provider, model_reported, model_requested, key[3])
            self.cache.put(key, resolved)
        return resolved.at(at)

    def _resolve(self, provider: str, reported: str | None, requested: str | None, day: date) -> _Resolved:
        candidates = [m for m in (reported, requested) if m]
        if self._overrides:
            for model in candidates:
                override = self._overrides.find(provider, model, day)
                if override is not None:
                    return _Resolved(_override_rates(override))
        for model in candidates:
            found = self._table.find(provider, model)
            if found is not None:
                if found.time_of_day:
                    return _Resolved(None, found)
                noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)  # any instant of the UTC day
                return _Resolved(found.rates_at(noon))
        return _MISS


def _override_rates(override: PriceOverride) -> ModelRates:
    return ModelRates(
        model=override.model,
        source=f"override:{override.source}",
        input_per_mtok=override.input_per_mtok,
        output_per_mtok=override.output_per_mtok,
        cache_read_per_mtok=override.cache_read_per_mtok,
        cache_write_per_mtok=override.cache_write_per_mtok,
    )
