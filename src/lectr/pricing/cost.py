"""Per-model rates and the per-event arithmetic (Decimal, rounded to 1e-9 dollars).

Semantics match genai-prices' "leaf" decomposition exactly: a part (cache read, cache write,
reasoning) is carved out of its parent count only when the model has a separate rate for it;
otherwise it stays in the parent and is charged at the parent's rate. Nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from genai_prices.types import ModelPrice

    from lectr.pricing.values import Usage

_MTOK: Final = Decimal(1_000_000)
_KREQ: Final = Decimal(1_000)
_NANO: Final = Decimal("1e-9")


def round_usd(value: Decimal) -> float:
    """Dollars rounded half-up to 1e-9 (a nano-dollar), as a float."""
    return float(value.quantize(_NANO, rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class ModelRates:
    """The $ rates (per million tokens, Decimal) that price one model at one point in time.

    A rate of None means "no separate rate": for cache reads/writes/reasoning the tokens are then
    charged at the parent (input/output) rate, exactly as the provider bills them. A None
    input/output rate with tokens in that direction makes the event unpriceable (never $0).
    For tiered (long-context) prices the fields hold the base tier; once the request's total
    input exceeds ``tier_threshold`` the cost is computed by genai-prices' own tier logic.
    """

    model: str  # id the price belongs to, e.g. "gpt-4o"
    source: str  # "genai-prices 0.2.3" | "override:<file>"
    input_per_mtok: Decimal | None
    output_per_mtok: Decimal | None
    cache_read_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None
    reasoning_per_mtok: Decimal | None = None
    request_per_k: Decimal | None = None  # flat fee per 1000 requests (rare, e.g. some search models)
    tier_threshold: int | None = None  # lowest tier start; None = not tiered
    genai_price: ModelPrice | None = field(default=None, repr=False, compare=False)

    def cost(
        self, input_tokens: int, output_tokens: int, cached: int = 0, cache_write: int = 0, reasoning: int = 0
    ) -> Decimal | None:
        """Unrounded dollars for consistent counts (parts already within their parents), or None."""
        if self.tier_threshold is not None and input_tokens > self.tier_threshold and self.genai_price is not None:
            return _genai_tiered_cost(self.genai_price, input_tokens, output_tokens, cached, cache_write, reasoning)
        total = Decimal(0)
        in_leaf = input_tokens
        if cached and self.cache_read_per_mtok is not None:
            in_leaf -= cached
            total += cached * self.cache_read_per_mtok
        if cache_write and self.cache_write_per_mtok is not None:
            in_leaf -= cache_write
            total += cache_write * self.cache_write_per_mtok
        if in_leaf:
            if self.input_per_mtok is None:
                return None
            total += in_leaf * self.input_per_mtok
        out_leaf = output_tokens
        if reasoning and self.reasoning_per_mtok is not None:
            out_leaf -= reasoning
            total += reasoning * self.reasoning_per_mtok
        if out_leaf:
            if self.output_per_mtok is None:
                return None
            total += out_leaf * self.output_per_mtok
        total /= _MTOK
        if self.request_per_k is not None:
            total += self.request_per_k / _KREQ
        return total

    def cost_for(self, usage: Usage) -> float | None:
        """Rounded dollars this model would cost for ``usage`` (recommendations); None if not computable."""
        counts = usage_counts(usage)
        if counts is None:
            return None
        value = self.cost(*counts)
        return None if value is None else round_usd(value)


def usage_counts(usage: Usage) -> tuple[int, int, int, int, int] | None:
    """(input, output, cached, cache_write, reasoning) with None parts as 0; None when inconsistent or empty.

    A missing parent (but not both) is taken as the sum of its known parts (the minimum it can be).
    """
    cached = usage.cached_tokens or 0
    cache_write = usage.cache_write_tokens or 0
    reasoning = usage.reasoning_tokens or 0
    inp, out = usage.input_tokens, usage.output_tokens
    if inp is None and out is None:
        return None
    if inp is None:
        inp = cached + cache_write
    if out is None:
        out = reasoning
    if min(inp, out, cached, cache_write, reasoning) < 0 or cached + cache_write > inp or reasoning > out:
        return None
    return inp, out, cached, cache_write, reasoning


def _genai_tiered_cost(
    price: ModelPrice, input_tokens: int, output_tokens: int, cached: int, cache_write: int, reasoning: int
) -> Decimal:
    """Long-context event: let genai-prices pick the tier and price it (its Usage uses the same inclusive parents)."""
    from genai_prices import Usage as GenaiUsage

    values = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_tokens": cached,
        "cache_write_tokens": cache_write,
        "output_reasoning_tokens": reasoning,
    }
    usage = GenaiUsage(**{key: value for key, value in values.items() if value})
    return price.calc_price(usage)["total_price"]
