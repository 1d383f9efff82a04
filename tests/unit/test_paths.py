"""Client paths (CONTRACT §1) → wire format, upstream provider and upstream suffix."""

from __future__ import annotations

import pytest

from lectr.proxy.paths import match


@pytest.mark.parametrize(
    ("method", "path", "wire", "provider", "suffix", "endpoint"),
    [
        # OpenAI SDK (Python/Node), curl: provider detected from `model`
        ("POST", "/v1/chat/completions", "openai", None, "/chat/completions", "chat.completions"),
        ("POST", "/v1/embeddings", "openai", None, "/embeddings", "embeddings"),
        ("POST", "/v1/completions", "openai", None, "/completions", "completions"),
        ("POST", "/v1/responses", "openai", None, "/responses", "responses"),
        # Groq SDK with base URL …/v1, and with a host-root base URL
        ("POST", "/v1/openai/v1/chat/completions", "openai", "groq", "/chat/completions", "chat.completions"),
        ("POST", "/openai/v1/chat/completions", "openai", "groq", "/chat/completions", "chat.completions"),
        # Anthropic SDK with base URL …/v1, and with a host-root base URL: native Messages
        ("POST", "/v1/v1/messages", "anthropic", "anthropic", "/messages", "messages"),
        ("POST", "/v1/messages", "anthropic", "anthropic", "/messages", "messages"),
        # AzureOpenAI client
        ("POST", "/openai/deployments/prod-gpt4o/chat/completions", "openai", "azure", "/chat/completions",
         "chat.completions"),
    ],
)
def test_client_paths(method: str, path: str, wire: str, provider: str | None, suffix: str, endpoint: str) -> None:
    route = match(method, path)
    assert route is not None
    assert (route.wire, route.default_provider, route.suffix, route.endpoint) == (wire, provider, suffix, endpoint)
    assert route.method == method


def test_models_list_is_a_get_without_a_model() -> None:
    route = match("GET", "/v1/models")
    assert route is not None
    assert (route.wire, route.suffix, route.method, route.needs_model) == ("openai", "/models", "GET", False)
    assert route.default_provider in (None, "openai")


@pytest.mark.parametrize(
    ("path", "deployment", "suffix", "endpoint"),
    [
        ("/openai/deployments/prod-gpt4o/chat/completions", "prod-gpt4o", "/chat/completions", "chat.completions"),
        ("/openai/deployments/gpt-4o-mini.eu_2/chat/completions", "gpt-4o-mini.eu_2", "/chat/completions",
         "chat.completions"),
        ("/openai/deployments/embed-small/embeddings", "embed-small", "/embeddings", "embeddings"),
    ],
)
def test_azure_deployment_is_taken_from_the_path(path: str, deployment: str, suffix: str, endpoint: str) -> None:
    route = match("POST", path)
    assert route is not None
    assert route.default_provider == "azure" and route.wire == "openai"
    assert (route.deployment, route.suffix, route.endpoint) == (deployment, suffix, endpoint)


def test_only_azure_routes_carry_a_deployment() -> None:
    for method, path in [("POST", "/v1/chat/completions"), ("POST", "/v1/v1/messages"),
                         ("POST", "/v1/openai/v1/chat/completions"), ("GET", "/v1/models")]:
        route = match(method, path)
        assert route is not None and route.deployment is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/chat/completions"),
        ("POST", "/v2/chat/completions"),
        ("POST", "/v1/chat/completion"),
        ("POST", "/v1/v1/v1/messages"),
        ("POST", "/v1/images/generations"),
        ("POST", "/"),
        ("GET", "/v1/chat/completions"),
        ("POST", "/openai/deployments//chat/completions"),
        ("POST", "/openai/deployments/prod-gpt4o"),
        ("POST", "/openai/deployments/prod-gpt4o/images/generations"),
        ("GET", "/openai/deployments/prod-gpt4o/chat/completions"),
    ],
)
def test_unknown_paths_match_nothing(method: str, path: str) -> None:
    assert match(method, path) is None
