"""Pricing: normalised usage -> cost in USD, from genai-prices (bundled snapshot) plus local overrides.

Public API::

    from lectr.pricing import Usage, PriceResult, Pricer, PriceOverride, load_overrides, ModelRates
"""

from lectr.pricing.cost import ModelRates
from lectr.pricing.overrides import PriceOverride, load_overrides
from lectr.pricing.pricer import Pricer
from lectr.pricing.table import GENAI_SOURCE, PROVIDER_IDS
from lectr.pricing.values import ESTIMATED, PRICED, UNPRICED, PriceResult, Usage

__all__ = (
    "ESTIMATED",
    "GENAI_SOURCE",
    "PRICED",
    "PROVIDER_IDS",
    "UNPRICED",
    "ModelRates",
    "PriceOverride",
    "PriceResult",
    "Pricer",
    "Usage",
    "load_overrides",
)
