"""Which provider a request goes to: X-Lectr-Provider wins, then the route, then the model name."""

from __future__ import annotations

from functools import lru_cache

from lectr.errors import BadRequest
from lectr.providers import REGISTRY
from lectr.proxy.paths import Route

_BY_NAME: dict[str, str] = {m: p.name for p in REGISTRY.values() for m in p.model_names}
_BY_PREFIX: tuple[tuple[str, str], ...] = tuple(
    sorted(((pre, p.name) for p in REGISTRY.values() for pre in p.model_prefixes), key=lambda t: -len(t[0]))
)


@lru_cache(maxsize=4096)  # a team uses a handful of model names; the prefix scan runs once per name
def provider_for_model(model: str) -> str | None:
    """The provider a model name belongs to, or None when no rule knows it."""
    name = model.lower()
    exact = _BY_NAME.get(name)
    if exact is not None:
        return exact
    for prefix, provider in _BY_PREFIX:
        if name.startswith(prefix):
            return provider
    return None


def detect(override: str | None, route: Route, model: str | None) -> tuple[str, bool]:
    """(provider, provider_unknown)."""
    if override is not None:
        name = override.strip().lower()
        if name not in REGISTRY:
            raise BadRequest(
                f"X-Lectr-Provider must be one of {', '.join(REGISTRY)}; got an unknown value.",
                code="invalid_provider",
            )
        return name, False
    if route.default_provider is not None:
        return route.default_provider, False
    found = provider_for_model(model) if model else None
    return (found, False) if found is not None else ("openai", True)
