"""Value types that cross the pricing module boundary: normalised usage in, a price result out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PRICED: Final = "priced"
ESTIMATED: Final = "estimated"
UNPRICED: Final = "unpriced"


@dataclass(frozen=True, slots=True)
class Usage:
    """Normalised token usage, already converted from each provider's wire shape by the gateway.

    Parent counts INCLUDE their parts: ``input_tokens`` includes cache reads and cache writes,
    ``output_tokens`` includes reasoning tokens. (Anthropic's native ``input_tokens`` excludes
    cache reads/writes, so the gateway adds them before building this object.)
    """

    input_tokens: int | None
    output_tokens: int | None
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class PriceResult:
    """Outcome of pricing one event. ``cost_usd`` is None (never 0.0) when the event could not be priced."""

    cost_usd: float | None
    cost_status: str  # "priced" | "estimated" | "unpriced"
    price_source: str  # "genai-prices 0.2.3" | "override:<file name>" | "" when unpriced
    priced_model: str | None  # model id the price was found for; None when unpriced


UNPRICED_RESULT: Final = PriceResult(None, UNPRICED, "", None)
