"""Anthropic SDK → Lectr → fake Anthropic (native Messages API), Claude through the OpenAI SDK, and X-Lectr-Provider."""

from __future__ import annotations

import json

import anthropic
import httpx
import openai
import pytest

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, anthropic_direct, anthropic_via, openai_direct, openai_via
from tests.support.gateway import Gateway

MODEL = "claude-3-5-sonnet-20241022"
MESSAGES = [{"role": "user", "content": "Say hello to the gateway"}]
CACHE = {"X-Fake-Cached-Tokens": "5", "X-Fake-Cache-Write-Tokens": "3"}


def _raw_stream(client: anthropic.Anthropic, **kwargs) -> bytes:
    with client.messages.with_streaming_response.create(stream=True, **kwargs) as response:
        return b"".join(response.iter_bytes())


def test_messages_non_stream_is_identical_to_direct_and_recorded(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    headers = {**CACHE, "anthropic-beta": "tools-2024-05-16"}
    kwargs = dict(model=MODEL, max_tokens=256, messages=MESSAGES, extra_headers=headers)
    direct = anthropic_direct(fakes.root_urls["anthropic"]).messages.with_raw_response.create(**kwargs)
    sdk_version = fakes.last("anthropic").headers["anthropic-version"]
    proxied = anthropic_via(gateway.url, org_key).messages.with_raw_response.create(**kwargs)

    assert proxied.http_response.content == direct.http_response.content
    assert proxied.http_response.headers["request-id"] == direct.http_response.headers["request-id"]
    assert set(proxied.http_response.headers) - set(direct.http_response.headers) == {"x-request-id"}
    assert len(proxied.http_response.headers.get_list("x-request-id")) == 1
    message = proxied.parse()
    assert message.content[0].text
    seen = fakes.last("anthropic")
    assert seen.path == "/v1/messages"
    assert seen.headers["x-api-key"] == PROVIDER_KEYS["anthropic"]
    assert "authorization" not in seen.headers
    assert seen.headers["anthropic-version"] == sdk_version  # the SDK's own, not Lectr's default
    assert seen.headers["anthropic-beta"] == "tools-2024-05-16"
    assert not [h for h in seen.headers if h.startswith("x-lectr-")]

    [event] = gateway.wait_events(org_key, 1)
    usage = message.usage
    assert (usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (5, 3)
    assert event["provider"] == "anthropic" and event["provider_unknown"] is False
    assert event["endpoint"] == "messages"
    assert event["model_requested"] == MODEL and event["model_reported"] == message.model
    assert event["streaming"] is False and event["status_code"] == 200
    cache = usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    assert event["input_tokens"] == usage.input_tokens + cache
    assert (event["cached_tokens"], event["cache_write_tokens"]) == (5, 3)
    assert event["output_tokens"] == usage.output_tokens
    assert event["token_source"] == "provider"
    assert event["cost_status"] == "priced" and event["cost_usd"] > 0
    assert event["feature"] == "untagged"
    assert PROVIDER_KEYS["anthropic"] not in json.dumps(event)
    assert event["request_id"] == proxied.http_response.headers["x-request-id"]


def test_messages_stream_is_byte_identical_with_event_lines(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    kwargs = dict(model=MODEL, max_tokens=256, messages=MESSAGES)
    direct = _raw_stream(anthropic_direct(fakes.root_urls["anthropic"]), **kwargs)
    proxied = _raw_stream(anthropic_via(gateway.url, org_key), **kwargs)

    assert proxied == direct
    for name in (b"message_start", b"content_block_start", b"content_block_delta", b"message_delta", b"message_stop"):
        assert b"event: " + name + b"\ndata: " in proxied
    assert proxied.endswith(b"\n\n")
    seen = fakes.last("anthropic")
    assert seen.path == "/v1/messages" and seen.json["stream"] is True
    assert "stream_options" not in seen.json

    [event] = gateway.wait_events(org_key, 1)
    assert event["streaming"] is True and event["status_code"] == 200
    assert event["provider"] == "anthropic" and event["token_source"] == "provider"


def test_messages_stream_helper_final_message_and_exact_usage(gateway: Gateway, org_key: str) -> None:
    client = anthropic_via(gateway.url, org_key)
    with client.messages.stream(model=MODEL, max_tokens=256, messages=MESSAGES, extra_headers=CACHE) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()

    assert text and text == final.content[0].text
    assert final.usage.output_tokens > 1  # message_start says 1; the cumulative message_delta has the total
    [event] = gateway.wait_events(org_key, 1)
    usage = final.usage
    assert event["streaming"] is True and event["token_source"] == "provider"
    assert event["output_tokens"] == usage.output_tokens
    cache = usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    assert event["input_tokens"] == usage.input_tokens + cache
    assert (event["cached_tokens"], event["cache_write_tokens"]) == (5, 3)
    assert event["model_reported"] == final.model


def test_anthropic_version_defaults_upstream_and_client_value_passes_through(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    body = {"model": MODEL, "max_tokens": 64, "messages": MESSAGES}
    headers = {"X-Lectr-Key": org_key, "x-api-key": PROVIDER_KEYS["anthropic"]}

    bare = httpx.post(gateway.url + "/v1/v1/messages", json=body, headers=headers, timeout=10)
    assert bare.status_code == 200, bare.text
    assert bare.json()["type"] == "message"
    assert fakes.last("anthropic").headers["anthropic-version"] == "2023-06-01"

    pinned = httpx.post(  # host-root base URL: the SDK's own /v1/messages
        gateway.url + "/v1/messages", json=body, headers={**headers, "anthropic-version": "2023-01-01"}, timeout=10
    )
    assert pinned.status_code == 200, pinned.text
    seen = fakes.last("anthropic")
    assert seen.path == "/v1/messages"
    assert seen.headers["anthropic-version"] == "2023-01-01"
    assert seen.headers["x-api-key"] == PROVIDER_KEYS["anthropic"]


def test_claude_through_openai_sdk_goes_to_anthropic_compat(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    direct = openai_direct(fakes.base_urls["anthropic"], "anthropic")
    via = openai_via(gateway.url, org_key, provider="anthropic")

    proxied = via.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES)
    seen = fakes.last("anthropic")
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["x-api-key"] == PROVIDER_KEYS["anthropic"]
    assert "authorization" not in seen.headers
    assert not [h for h in seen.headers if h.startswith("x-lectr-")]
    expected = direct.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES)
    assert proxied.http_response.content == expected.http_response.content

    with via.chat.completions.with_streaming_response.create(model=MODEL, messages=MESSAGES, stream=True) as r:
        streamed = b"".join(r.iter_bytes())
    with direct.chat.completions.with_streaming_response.create(model=MODEL, messages=MESSAGES, stream=True) as r:
        assert streamed == b"".join(r.iter_bytes())

    events = {e["streaming"]: e for e in gateway.wait_events(org_key, 2)}
    usage = proxied.parse().usage
    for event in events.values():
        assert event["provider"] == "anthropic" and event["provider_unknown"] is False
        assert event["endpoint"] == "chat.completions" and event["status_code"] == 200
        assert event["model_requested"] == MODEL
        assert event["token_source"] == "provider"
        assert (event["input_tokens"], event["output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)


def test_provider_override_sends_unknown_model_to_anthropic(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    via = openai_via(gateway.url, org_key, provider="anthropic", **{"X-Lectr-Provider": "anthropic"})
    completion = via.chat.completions.create(model="my-custom-model", messages=MESSAGES)

    assert completion.choices[0].message.content
    seen = fakes.last()
    assert (seen.provider, seen.path) == ("anthropic", "/v1/chat/completions")
    assert seen.json["model"] == "my-custom-model"
    assert seen.headers["x-api-key"] == PROVIDER_KEYS["anthropic"]
    assert "x-lectr-provider" not in seen.headers
    [event] = gateway.wait_events(org_key, 1)
    assert event["provider"] == "anthropic" and event["provider_unknown"] is False
    assert event["model_requested"] == "my-custom-model"


def test_invalid_provider_override_is_a_typed_400_that_never_reaches_a_provider(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    before = len(fakes.received)
    via = openai_via(gateway.url, org_key, **{"X-Lectr-Provider": "bedrock"})
    with pytest.raises(openai.BadRequestError) as raised:
        via.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    err = raised.value
    assert err.status_code == 400 and err.code == "invalid_provider"
    assert err.body["code"] == "invalid_provider"
    assert err.response.headers["x-should-retry"] == "false"

    native = anthropic.Anthropic(
        api_key=PROVIDER_KEYS["anthropic"], base_url=gateway.url + "/v1", max_retries=0, timeout=15,
        default_headers={"X-Lectr-Key": org_key, "X-Lectr-Provider": "bedrock"},
    )
    with pytest.raises(anthropic.BadRequestError) as raised_native:
        native.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
    body = raised_native.value.response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert body["error"]["code"] == "invalid_provider"

    assert len(fakes.received) == before
    events = gateway.wait_events(org_key, 2)
    assert all(e["status_code"] == 400 and e["error_source"] == "proxy" for e in events)
    assert {e["error_category"] for e in events} == {"invalid_provider"}

