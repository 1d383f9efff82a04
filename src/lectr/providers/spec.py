"""What a provider is, as data: where it lives, how it wants the key, which models are its own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    # Settings attribute holding the OpenAI-compatible base URL; "" when the URL is per org (Azure).
    base_url_setting: str
    # Header the provider key goes in: "authorization" (Bearer), "x-api-key" or "api-key".
    auth_header: str
    # Model-name prefixes that identify the provider (lower-case).
    model_prefixes: tuple[str, ...] = ()
    # Exact model names that identify the provider.
    model_names: frozenset[str] = frozenset()
    # Extra headers every upstream request carries unless the client set them.
    default_headers: tuple[tuple[str, str], ...] = ()

    def auth_value(self, key: str) -> str:
        return f"Bearer {key}" if self.auth_header == "authorization" else key
