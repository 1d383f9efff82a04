"""Gemini through the OpenAI SDK → Lectr → fake Gemini's OpenAI-compatible endpoint."""

from __future__ import annotations

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, openai_direct, openai_via
from tests.support.gateway import Gateway

MODEL = "gemini-1.5-pro"
MESSAGES = [{"role": "user", "content": "Say hello to the gateway"}]


def _raw_stream(client, **kwargs) -> bytes:
    with client.chat.completions.with_streaming_response.create(stream=True, **kwargs) as response:
        return b"".join(response.iter_bytes())


def test_gemini_non_stream_is_identical_to_direct_and_recorded(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    direct = openai_direct(fakes.base_urls["gemini"], "gemini").chat.completions.with_raw_response.create(
        model=MODEL, messages=MESSAGES
    )
    via = openai_via(gateway.url, org_key, provider="gemini", **{"X-Lectr-Feature": "greeter"})
    proxied = via.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES)

    assert proxied.http_response.content == direct.http_response.content
    assert len(proxied.http_response.headers.get_list("x-request-id")) == 1
    completion = proxied.parse()
    assert completion.choices[0].message.content
    seen = fakes.last()
    assert (seen.provider, seen.path) == ("gemini", "/v1beta/openai/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {PROVIDER_KEYS['gemini']}"
    assert not [h for h in seen.headers if h.startswith("x-lectr-")]

    [event] = gateway.wait_events(org_key, 1)
    assert event["provider"] == "gemini" and event["provider_unknown"] is False
    assert event["model_requested"] == MODEL and event["model_reported"] == completion.model
    assert event["streaming"] is False and event["status_code"] == 200
    usage = completion.usage
    assert (event["input_tokens"], event["output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)
    assert event["token_source"] == "provider"
    assert event["cost_status"] == "priced" and event["cost_usd"] > 0
    assert event["feature"] == "greeter"


def test_gemini_stream_is_byte_identical_and_usage_is_exact(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    direct = openai_direct(fakes.base_urls["gemini"], "gemini")
    expected = _raw_stream(direct, model=MODEL, messages=MESSAGES)
    proxied = _raw_stream(openai_via(gateway.url, org_key, provider="gemini"), model=MODEL, messages=MESSAGES)

    assert proxied == expected
    assert b'"usage"' not in proxied
    seen = fakes.last("gemini")
    assert seen.path == "/v1beta/openai/chat/completions"
    assert seen.json["stream_options"] == {"include_usage": True}

    with_usage = list(direct.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    ))
    [event] = gateway.wait_events(org_key, 1)
    assert event["provider"] == "gemini" and event["streaming"] is True
    assert event["token_source"] == "provider"
    usage = with_usage[-1].usage
    assert (event["input_tokens"], event["output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)
    assert event["model_reported"] == with_usage[0].model
