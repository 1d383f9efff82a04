"""Azure OpenAI: per-org endpoint, deployment in the path, the key in api-key. Never auto-detected."""

from lectr.providers.spec import ProviderSpec

AZURE = ProviderSpec(name="azure", base_url_setting="", auth_header="api-key")

DEFAULT_API_VERSION = "2024-02-01"
