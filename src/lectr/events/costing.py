"""Cost of one recorded request, from its raw usage: used by the batch writer and by `lectr reprice`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol

from lectr.pricing import PriceResult, Pricer, Usage, load_overrides


class Priced(Protocol):
    """What pricing reads of an event (both `Event` and the store's `PricedEvent` have it)."""

    ts_ms: int
    provider: str
    model_requested: str | None
    model_actual: str | None
    model_reported: str | None
    input_tokens: int | None
    output_tokens: int | None
    cached_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    token_source: str


def cost_of(pricer: Pricer, rec: Priced, azure_models: dict[str, str] | None = None) -> PriceResult:
    """Price the reported model; fall back to the requested one (an Azure deployment through its mapping)."""
    requested = rec.model_actual or rec.model_requested
    if rec.provider == "azure" and azure_models and requested in azure_models:
        requested = azure_models[requested]
    usage = Usage(
        input_tokens=rec.input_tokens,
        output_tokens=rec.output_tokens,
        cached_tokens=rec.cached_tokens,
        cache_write_tokens=rec.cache_write_tokens,
        reasoning_tokens=rec.reasoning_tokens,
    )
    at = datetime.fromtimestamp(rec.ts_ms / 1000, tz=timezone.utc)
    return pricer.price(rec.provider, rec.model_reported, requested, usage, rec.token_source, at)


def make_pricer(overrides_path: str) -> Pricer:
    """The table plus the overrides file named by LECTR_PRICE_OVERRIDES (empty: none)."""
    return Pricer(load_overrides(overrides_path) if overrides_path else ())
