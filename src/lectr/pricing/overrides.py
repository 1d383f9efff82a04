"""Price overrides: negotiated rates, fine-tuned models, Azure deployments the public table doesn't know.

File format (JSON, UTF-8) — see also OVERRIDES.md next to this module::

    {"overrides": [
      {"provider": "openai", "model": "ft:gpt-4o-mini:acme",
       "input_per_mtok": 0.3, "output_per_mtok": 1.2,
       "cache_read_per_mtok": 0.15, "cache_write_per_mtok": null,
       "valid_from": "2026-01-01", "valid_to": null}
    ]}

* ``provider``: the provider name Lectr routes to ("openai", "anthropic", "azure", "gemini", "groq", ...)
  or ``"*"`` for any provider. Matched case-insensitively.
* ``model``: exact model id, matched case-insensitively against the reported model, then the requested one
  (for Azure the requested model is the deployment name).
* ``*_per_mtok``: US dollars per million tokens, non-negative numbers (parsed exactly as decimals).
  ``input_per_mtok`` and ``output_per_mtok`` are required; a missing/null cache rate means those
  tokens are charged at the input rate.
* ``valid_from`` / ``valid_to``: optional ISO dates (``YYYY-MM-DD``), both INCLUSIVE, compared with the
  UTC date of the request. null/absent = open-ended.

Precedence: an override for the exact provider beats a ``"*"`` override; overrides beat the genai-prices
table. Two overrides for the same provider and model with overlapping validity are rejected.
Any invalid file raises ``ValueError`` naming the file and the offending entry; nothing is ignored silently.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

_REQUIRED: Final = ("provider", "model", "input_per_mtok", "output_per_mtok")
_OPTIONAL: Final = ("cache_read_per_mtok", "cache_write_per_mtok", "valid_from", "valid_to")
_RATE_FIELDS: Final = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok")


@dataclass(frozen=True, slots=True)
class PriceOverride:
    """One override row. Rates are $ per million tokens; ``source`` names the file it came from."""

    provider: str
    model: str
    input_per_mtok: Decimal
    output_per_mtok: Decimal
    cache_read_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = "inline"

    def __post_init__(self) -> None:
        if not isinstance(self.provider, str) or not self.provider.strip():
            raise ValueError("provider: expected a non-empty string (or '*')")
        if not isinstance(self.model, str) or not self.model.strip():
            raise ValueError("model: expected a non-empty string")
        for name in _RATE_FIELDS:
            value = getattr(self, name)
            if value is None and name in ("cache_read_per_mtok", "cache_write_per_mtok"):
                continue
            object.__setattr__(self, name, _to_rate(name, value))
        for name in ("valid_from", "valid_to"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, date):
                raise ValueError(f"{name}: expected a date or None, got {value!r}")
        if self.valid_from is not None and self.valid_to is not None and self.valid_from > self.valid_to:
            raise ValueError(f"valid_from {self.valid_from} is after valid_to {self.valid_to}")

    def active_on(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, other: PriceOverride) -> bool:
        lo = max(self.valid_from or date.min, other.valid_from or date.min)
        hi = min(self.valid_to or date.max, other.valid_to or date.max)
        return lo <= hi


def _to_rate(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{name}: expected a non-negative number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    rate = value if isinstance(value, Decimal) else Decimal(str(value))  # str(float) keeps 0.3 as 0.3
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"{name}: expected a finite non-negative number, got {value!r}")
    return rate


def _to_date(name: str, value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected an ISO date string 'YYYY-MM-DD' or null, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: expected an ISO date string 'YYYY-MM-DD', got {value!r}") from None


def _parse_entry(raw: Any, source: str) -> PriceOverride:
    if not isinstance(raw, Mapping):
        raise ValueError(f"expected an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(_REQUIRED + _OPTIONAL)}")
    missing = [key for key in _REQUIRED if raw.get(key) is None]
    if missing:
        raise ValueError(f"missing required field(s) {', '.join(missing)}")
    return PriceOverride(
        provider=raw["provider"],
        model=raw["model"],
        input_per_mtok=raw["input_per_mtok"],
        output_per_mtok=raw["output_per_mtok"],
        cache_read_per_mtok=raw.get("cache_read_per_mtok"),
        cache_write_per_mtok=raw.get("cache_write_per_mtok"),
        valid_from=_to_date("valid_from", raw.get("valid_from")),
        valid_to=_to_date("valid_to", raw.get("valid_to")),
        source=source,
    )


def load_overrides(path: str | Path) -> list[PriceOverride]:
    """Read and validate an overrides file. Raises ValueError on any problem (OSError if unreadable)."""
    path = Path(path)
    raw_bytes = path.read_bytes()
    try:
        doc = json.loads(raw_bytes.decode("utf-8"), parse_float=Decimal, parse_int=Decimal, parse_constant=_reject)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise ValueError(f"price overrides file {path}: not valid UTF-8 JSON: {exc}") from None
    if not isinstance(doc, Mapping) or set(doc) != {"overrides"} or not isinstance(doc["overrides"], list):
        raise ValueError(f'price overrides file {path}: expected {{"overrides": [...]}} as the only top-level key')
    result: list[PriceOverride] = []
    for index, raw in enumerate(doc["overrides"]):
        try:
            result.append(_parse_entry(raw, path.name))
        except ValueError as exc:
            raise ValueError(f"price overrides file {path}: overrides[{index}]: {exc}") from None
    try:
        check_no_conflicts(result)
    except ValueError as exc:
        raise ValueError(f"price overrides file {path}: {exc}") from None
    return result


def _reject(token: str) -> object:
    raise ValueError(f"{token} is not a valid number")


def check_no_conflicts(overrides: Sequence[PriceOverride]) -> None:
    """Reject two overrides for the same provider+model whose validity periods overlap (ambiguous price)."""
    seen: dict[tuple[str, str], list[PriceOverride]] = {}
    for override in overrides:
        key = (override.provider.strip().lower(), override.model.strip().lower())
        for other in seen.get(key, []):
            if override.overlaps(other):
                raise ValueError(
                    f"overlapping overrides for provider={override.provider!r} model={override.model!r} "
                    f"({other.source}: {other.valid_from}..{other.valid_to} and "
                    f"{override.source}: {override.valid_from}..{override.valid_to})"
                )
        seen.setdefault(key, []).append(override)


class OverrideIndex:
    """Immutable lookup of overrides by (provider, model); built once per Pricer."""

    __slots__ = ("_by_key",)

    def __init__(self, overrides: Sequence[PriceOverride]) -> None:
        check_no_conflicts(overrides)
        by_key: dict[tuple[str, str], list[PriceOverride]] = {}
        for override in overrides:
            key = (override.provider.strip().lower(), override.model.strip().lower())
            by_key.setdefault(key, []).append(override)
        self._by_key: Mapping[tuple[str, str], tuple[PriceOverride, ...]] = {k: tuple(v) for k, v in by_key.items()}

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def find(self, provider: str, model: str, day: date) -> PriceOverride | None:
        """The override for this provider (else '*') and model active on ``day``, if any."""
        model_key = model.strip().lower()
        for provider_key in (provider.strip().lower(), "*"):
            for override in self._by_key.get((provider_key, model_key), ()):
                if override.active_on(day):
                    return override
        return None
