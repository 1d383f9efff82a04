"""Accepted client paths → wire format, default provider and upstream suffix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Route:
    endpoint: str                 # recorded name, e.g. "chat.completions"
    wire: str                     # "openai" or "anthropic": the body and error format
    suffix: str                   # appended to the provider's base URL
    default_provider: str | None  # None: detect from the model name
    method: str = "POST"
    needs_model: bool = True
    deployment: str | None = None  # Azure deployment taken from the path


CHAT = Route("chat.completions", "openai", "/chat/completions", None)
_STATIC: dict[tuple[str, str], Route] = {
    ("POST", "/v1/chat/completions"): CHAT,
    ("POST", "/v1/embeddings"): Route("embeddings", "openai", "/embeddings", None),
    ("POST", "/v1/completions"): Route("completions", "openai", "/completions", None),
    ("POST", "/v1/responses"): Route("responses", "openai", "/responses", None),
    ("GET", "/v1/models"): Route("models", "openai", "/models", "openai", "GET", needs_model=False),
    # Groq SDK: base URL …/v1 → /v1/openai/v1/…; host-root base URL → /openai/v1/…
    ("POST", "/v1/openai/v1/chat/completions"): Route("chat.completions", "openai", "/chat/completions", "groq"),
    ("POST", "/openai/v1/chat/completions"): Route("chat.completions", "openai", "/chat/completions", "groq"),
    ("POST", "/v1/openai/v1/embeddings"): Route("embeddings", "openai", "/embeddings", "groq"),
    ("GET", "/v1/openai/v1/models"): Route("models", "openai", "/models", "groq", "GET", needs_model=False),
    ("GET", "/openai/v1/models"): Route("models", "openai", "/models", "groq", "GET", needs_model=False),
    # Anthropic SDK: base URL …/v1 → /v1/v1/messages; host-root base URL → /v1/messages
    ("POST", "/v1/v1/messages"): Route("messages", "anthropic", "/messages", "anthropic"),
    ("POST", "/v1/messages"): Route("messages", "anthropic", "/messages", "anthropic"),
    ("POST", "/v1/v1/messages/count_tokens"): Route("messages.count_tokens", "anthropic", "/messages/count_tokens", "anthropic"),
    ("POST", "/v1/messages/count_tokens"): Route("messages.count_tokens", "anthropic", "/messages/count_tokens", "anthropic"),
}
STATIC_ROUTES = tuple(_STATIC)  # (method, path) pairs the app registers as plain routes
_AZURE_OPS = {"chat/completions": "chat.completions", "embeddings": "embeddings", "completions": "completions"}
_AZURE_PREFIX = "/openai/deployments/"


def match(method: str, path: str) -> Route | None:
    route = _STATIC.get((method, path))
    if route is not None or not path.startswith(_AZURE_PREFIX):
        return route
    # AzureOpenAI client: /openai/deployments/{deployment}/{operation}
    deployment, _, operation = path[len(_AZURE_PREFIX):].partition("/")
    endpoint = _AZURE_OPS.get(operation)
    if method != "POST" or not deployment or endpoint is None:
        return None
    return Route(endpoint, "openai", "/" + operation, "azure", deployment=deployment)


def wire_for_path(path: str) -> str:
    """The error format for a path that matched no route (so even a 404 speaks the client's dialect)."""
    return "anthropic" if path.endswith("/messages") or "/messages/" in path else "openai"
