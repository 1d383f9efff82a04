"""Google Gemini through its OpenAI-compatible endpoint."""

from lectr.providers.spec import ProviderSpec

GEMINI = ProviderSpec(
    name="gemini",
    base_url_setting="gemini_base_url",
    auth_header="authorization",
    model_prefixes=("gemini-", "models/gemini-", "text-embedding-004", "gemini-embedding"),
)
