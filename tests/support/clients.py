"""Official SDK clients configured exactly as the seed page shows: base URL + X-Lectr-Key."""

from __future__ import annotations

from typing import Any

import anthropic
import groq
import openai

PROVIDER_KEYS = {
    "openai": "sk-proj-OPENAIKEYtest0000000000001",
    "anthropic": "sk-ant-api03-ANTHROPICKEYtest00000001",
    "groq": "gsk_GROQKEYtest000000000000000001",
    "gemini": "AIzaGEMINIKEYtest000000000000001",
    "azure": "azureKEYtest00000000000000000001",
}


def openai_via(url: str, lectr_key: str | None, provider: str = "openai", **headers: str) -> openai.OpenAI:
    default: dict[str, str] = {"X-Lectr-Key": lectr_key} if lectr_key else {}
    default.update(headers)
    return openai.OpenAI(
        api_key=PROVIDER_KEYS[provider], base_url=url + "/v1", default_headers=default, max_retries=0, timeout=15
    )


def openai_direct(base_url: str, provider: str = "openai") -> openai.OpenAI:
    return openai.OpenAI(api_key=PROVIDER_KEYS[provider], base_url=base_url, max_retries=0, timeout=15)


def anthropic_via(url: str, lectr_key: str, **kw: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=PROVIDER_KEYS["anthropic"], base_url=url + "/v1", default_headers={"X-Lectr-Key": lectr_key},
        max_retries=0, timeout=15, **kw,
    )


def anthropic_direct(host_root: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=PROVIDER_KEYS["anthropic"], base_url=host_root, max_retries=0, timeout=15)


def groq_via(url: str, lectr_key: str) -> groq.Groq:
    return groq.Groq(
        api_key=PROVIDER_KEYS["groq"], base_url=url + "/v1", default_headers={"X-Lectr-Key": lectr_key},
        max_retries=0, timeout=15,
    )


def groq_direct(host_root: str) -> groq.Groq:
    return groq.Groq(api_key=PROVIDER_KEYS["groq"], base_url=host_root, max_retries=0, timeout=15)


def host_root(base_url: str) -> str:
    """http://127.0.0.1:P/v1 → http://127.0.0.1:P (the Anthropic and Groq SDKs add their own path)."""
    scheme, _, rest = base_url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
