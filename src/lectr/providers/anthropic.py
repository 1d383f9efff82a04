"""Anthropic: native Messages API and its OpenAI-compatible surface; the key goes in x-api-key."""

from lectr.providers.spec import ProviderSpec

ANTHROPIC = ProviderSpec(
    name="anthropic",
    base_url_setting="anthropic_base_url",
    auth_header="x-api-key",
    model_prefixes=("claude-", "claude"),
    default_headers=(("anthropic-version", "2023-06-01"),),
)
