"""Azure OpenAI: the OpenAI SDK with X-Lectr-Provider: azure, the AzureOpenAI client, and per-org endpoint config."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any, Callable, TypeVar

import openai
import pytest

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, openai_via
from tests.support.gateway import Gateway

DEPLOYMENT = "my-gpt4o-deployment"
MESSAGES = [{"role": "user", "content": "Say hello to the gateway"}]
AZURE = {"X-Lectr-Provider": "azure"}
_names = itertools.count(1)
T = TypeVar("T")


def azure_client(endpoint: str, api_version: str, lectr_key: str | None = None) -> openai.AzureOpenAI:
    headers = {"X-Lectr-Key": lectr_key} if lectr_key else {}
    return openai.AzureOpenAI(
        azure_endpoint=endpoint, api_version=api_version, api_key=PROVIDER_KEYS["azure"],
        default_headers=headers, max_retries=0, timeout=15,
    )


def azure_org(gateway: Gateway, fakes: FakeProviders, *options: str) -> tuple[str, str]:
    """(name, key) of a new org whose Azure endpoint is the fake's."""
    name = f"azure-org{next(_names)}-{time.monotonic_ns()}"
    key = gateway.create_org(name)
    gateway.cli("azure", "set", name, "--endpoint", fakes.base_urls["azure"], *options)
    return name, key


def once_configured(call: Callable[[], T], timeout: float = 3.0) -> T:
    """`call()` once the gateway has picked up the org's Azure config (it answers azure_config_missing until then)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except openai.BadRequestError as exc:
            if exc.code != "azure_config_missing" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _raw_stream(client: Any, **kwargs: Any) -> bytes:
    with client.chat.completions.with_streaming_response.create(stream=True, **kwargs) as response:
        return b"".join(response.iter_bytes())


def test_openai_sdk_with_provider_header_reaches_the_org_deployment(gateway: Gateway, fakes: FakeProviders) -> None:
    _, key = azure_org(gateway, fakes)
    via = openai_via(gateway.url, key, provider="azure", **AZURE)
    proxied = once_configured(
        lambda: via.chat.completions.with_raw_response.create(model=DEPLOYMENT, messages=MESSAGES)
    )

    seen = fakes.last()
    assert (seen.provider, seen.path) == ("azure", f"/openai/deployments/{DEPLOYMENT}/chat/completions")
    assert seen.query == {"api-version": "2024-02-01"}
    assert seen.headers["api-key"] == PROVIDER_KEYS["azure"]
    assert "authorization" not in seen.headers
    assert not [h for h in seen.headers if h.startswith("x-lectr-")]
    direct = azure_client(fakes.base_urls["azure"], "2024-02-01").chat.completions.with_raw_response.create(
        model=DEPLOYMENT, messages=MESSAGES
    )
    assert proxied.http_response.content == direct.http_response.content
    assert proxied.http_response.headers.get_list("x-request-id") == [direct.http_response.headers["x-request-id"]]

    completion = proxied.parse()
    [event] = gateway.wait_events(key, 1, status=200)
    assert event["provider"] == "azure" and event["provider_unknown"] is False
    assert event["model_requested"] == DEPLOYMENT
    assert event["model_reported"] == completion.model == "gpt-4o-2024-08-06"
    assert event["streaming"] is False
    usage = completion.usage
    assert (event["input_tokens"], event["output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)
    assert event["token_source"] == "provider"
    assert event["cost_status"] == "priced" and event["cost_usd"] > 0
    assert PROVIDER_KEYS["azure"] not in json.dumps(event)


def test_openai_sdk_stream_through_azure_is_identical_and_exact(gateway: Gateway, fakes: FakeProviders) -> None:
    _, key = azure_org(gateway, fakes)
    via = openai_via(gateway.url, key, provider="azure", **AZURE)
    proxied = once_configured(lambda: _raw_stream(via, model=DEPLOYMENT, messages=MESSAGES))

    direct = azure_client(fakes.base_urls["azure"], "2024-02-01")
    assert proxied == _raw_stream(direct, model=DEPLOYMENT, messages=MESSAGES)
    assert b'"usage"' not in proxied
    assert b"prompt_filter_results" in proxied

    with_usage = list(direct.chat.completions.create(
        model=DEPLOYMENT, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    ))
    usage = with_usage[-1].usage
    [event] = gateway.wait_events(key, 1, status=200)
    assert event["provider"] == "azure" and event["streaming"] is True
    assert event["model_requested"] == DEPLOYMENT and event["model_reported"] == "gpt-4o-2024-08-06"
    assert event["token_source"] == "provider"
    assert (event["input_tokens"], event["output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)


def test_azure_openai_client_keeps_its_own_api_version(gateway: Gateway, fakes: FakeProviders) -> None:
    _, key = azure_org(gateway, fakes)
    via = azure_client(gateway.url, "2024-06-01", key)
    direct = azure_client(fakes.base_urls["azure"], "2024-06-01")

    proxied = once_configured(
        lambda: via.chat.completions.with_raw_response.create(model=DEPLOYMENT, messages=MESSAGES)
    )
    seen = fakes.last()
    assert (seen.provider, seen.path) == ("azure", f"/openai/deployments/{DEPLOYMENT}/chat/completions")
    assert seen.query == {"api-version": "2024-06-01"}
    assert seen.headers["api-key"] == PROVIDER_KEYS["azure"]
    assert "authorization" not in seen.headers and "x-lectr-key" not in seen.headers
    expected = direct.chat.completions.with_raw_response.create(model=DEPLOYMENT, messages=MESSAGES)
    assert proxied.http_response.content == expected.http_response.content

    streamed = _raw_stream(via, model=DEPLOYMENT, messages=MESSAGES)
    assert fakes.last("azure").query == {"api-version": "2024-06-01"}
    assert streamed == _raw_stream(direct, model=DEPLOYMENT, messages=MESSAGES)

    events = gateway.wait_events(key, 2, status=200)
    assert {e["streaming"] for e in events} == {True, False}
    assert all(e["provider"] == "azure" and e["model_requested"] == DEPLOYMENT for e in events)
    assert all(e["model_reported"] == "gpt-4o-2024-08-06" for e in events)


def test_azure_openai_client_embeddings(gateway: Gateway, fakes: FakeProviders) -> None:
    _, key = azure_org(gateway, fakes)
    via = azure_client(gateway.url, "2024-06-01", key)
    emb = once_configured(lambda: via.embeddings.create(model="my-embedding-3-small", input="hello gateway"))

    seen = fakes.last()
    assert (seen.provider, seen.path) == ("azure", "/openai/deployments/my-embedding-3-small/embeddings")
    assert seen.query == {"api-version": "2024-06-01"}
    expected = azure_client(fakes.base_urls["azure"], "2024-06-01").embeddings.create(
        model="my-embedding-3-small", input="hello gateway"
    )
    assert emb.data[0].embedding == expected.data[0].embedding
    [event] = gateway.wait_events(key, 1, status=200)
    assert event["provider"] == "azure" and event["endpoint"] == "embeddings"
    assert event["model_requested"] == "my-embedding-3-small" and event["model_reported"] == emb.model
    assert (event["input_tokens"], event["output_tokens"]) == (emb.usage.prompt_tokens, 0)


def test_org_without_azure_endpoint_gets_azure_config_missing(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    before = len(fakes.received)
    with pytest.raises(openai.BadRequestError) as raised:
        openai_via(gateway.url, org_key, provider="azure", **AZURE).chat.completions.create(
            model=DEPLOYMENT, messages=MESSAGES
        )
    assert raised.value.status_code == 400 and raised.value.code == "azure_config_missing"
    assert raised.value.response.headers["x-should-retry"] == "false"

    with pytest.raises(openai.BadRequestError) as raised_azure:
        azure_client(gateway.url, "2024-06-01", org_key).chat.completions.create(model=DEPLOYMENT, messages=MESSAGES)
    assert raised_azure.value.code == "azure_config_missing"

    assert len(fakes.received) == before
    events = gateway.wait_events(org_key, 2)
    assert all(e["provider"] == "azure" and e["status_code"] == 400 for e in events)
    assert {(e["error_category"], e["error_source"]) for e in events} == {("azure_config_missing", "proxy")}


def test_lectr_azure_set_api_version_changes_the_upstream_version(gateway: Gateway, fakes: FakeProviders) -> None:
    name, key = azure_org(gateway, fakes)
    via = openai_via(gateway.url, key, provider="azure", **AZURE)
    once_configured(lambda: via.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES))
    assert fakes.last("azure").query["api-version"] == "2024-02-01"

    gateway.cli("azure", "set", name, "--endpoint", fakes.base_urls["azure"], "--api-version", "2024-10-21")
    deadline = time.monotonic() + 3.0
    while True:
        completion = via.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES)
        version = fakes.last("azure").query["api-version"]
        if version != "2024-02-01" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert version == "2024-10-21"
    assert completion.choices[0].message.content
