"""Provider detection (CONTRACT §3): X-Lectr-Provider wins, then the route, then the model name."""

from __future__ import annotations

import pytest

from lectr.errors import BadRequest
from lectr.proxy.detect import detect
from lectr.proxy.paths import match

CHAT = match("POST", "/v1/chat/completions")
GROQ_SDK = match("POST", "/v1/openai/v1/chat/completions")
ANTHROPIC_SDK = match("POST", "/v1/v1/messages")
AZURE_CLIENT = match("POST", "/openai/deployments/prod-gpt4o/chat/completions")


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        # the seed page's four examples
        ("gpt-4o", "openai"),
        ("claude-3-5-sonnet-20241022", "anthropic"),
        ("llama-3.1-70b-versatile", "groq"),
        ("gemini-1.5-pro", "gemini"),
        # every prefix rule of §3
        ("gpt-4.1-mini", "openai"),
        ("o1", "openai"),
        ("o1-mini", "openai"),
        ("o3-mini", "openai"),
        ("o4-mini", "openai"),
        ("chatgpt-4o-latest", "openai"),
        ("text-embedding-3-small", "openai"),
        ("claude-3-opus-20240229", "anthropic"),
        ("claude-sonnet-4-5-20250929", "anthropic"),
        ("llama-3.1-8b-instant", "groq"),
        ("llama3-70b-8192", "groq"),
        ("mixtral-8x7b-32768", "groq"),
        ("gemma2-9b-it", "groq"),
        ("gemini-2.0-flash", "gemini"),
        # exact-name registry
        ("davinci-002", "openai"),
        ("dall-e-3", "openai"),
    ],
)
def test_model_name_decides_the_provider(model: str, provider: str) -> None:
    assert detect(None, CHAT, model) == (provider, False)


@pytest.mark.parametrize("model", ["my-house-model", "mistral-large-latest", "", None])
def test_unknown_model_falls_back_to_openai_and_is_flagged(model: str | None) -> None:
    assert detect(None, CHAT, model) == ("openai", True)


@pytest.mark.parametrize("override", ["openai", "anthropic", "groq", "gemini", "azure"])
def test_override_wins_over_the_model_name(override: str) -> None:
    assert detect(override, CHAT, "gpt-4o") == (override, False)
    assert detect(override, CHAT, "my-custom-model") == (override, False)


def test_override_wins_over_a_route_default() -> None:
    assert detect("openai", GROQ_SDK, "llama-3.1-8b-instant") == ("openai", False)


@pytest.mark.parametrize("override", ["bedrock", "open-ai", "mistral", "", "openai,groq"])
def test_invalid_override_is_a_400_invalid_provider(override: str) -> None:
    with pytest.raises(BadRequest) as info:
        detect(override, CHAT, "gpt-4o")
    assert info.value.status == 400
    assert info.value.code == "invalid_provider"
    assert "openai" in info.value.message and "azure" in info.value.message


@pytest.mark.parametrize(
    ("route", "model", "provider"),
    [
        (GROQ_SDK, "llama-3.1-8b-instant", "groq"),
        (GROQ_SDK, "my-fine-tune", "groq"),
        (match("POST", "/openai/v1/chat/completions"), "llama-3.1-8b-instant", "groq"),
        (ANTHROPIC_SDK, "claude-3-5-haiku-20241022", "anthropic"),
        (ANTHROPIC_SDK, "some-future-model", "anthropic"),
        (match("POST", "/v1/messages"), "claude-3-5-haiku-20241022", "anthropic"),
        (AZURE_CLIENT, "gpt-4o", "azure"),
        (AZURE_CLIENT, None, "azure"),
    ],
)
def test_routes_with_a_default_provider(route, model: str | None, provider: str) -> None:
    assert route is not None
    assert detect(None, route, model) == (provider, False)


def test_models_list_without_a_model_goes_to_openai() -> None:
    route = match("GET", "/v1/models")
    assert route is not None
    assert detect(None, route, None)[0] == "openai"
