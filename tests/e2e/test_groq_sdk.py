"""Groq SDK → Lectr → fake Groq: identical answers, exact stream usage; Groq models through the OpenAI SDK too."""

from __future__ import annotations

import json

import groq

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, groq_direct, groq_via, openai_direct, openai_via
from tests.support.gateway import Gateway

MODEL = "llama-3.1-70b-versatile"
MESSAGES = [{"role": "user", "content": "Say hello to the gateway"}]


def _raw_stream(client, **kwargs) -> bytes:
    with client.chat.completions.with_streaming_response.create(stream=True, **kwargs) as response:
        return b"".join(response.iter_bytes())


def _x_groq_usage(raw: bytes) -> dict:
    """The usage Groq reports in the finishing chunk's x_groq."""
    chunks = [json.loads(line[6:]) for line in raw.split(b"\n") if line.startswith(b"data: {")]
    [usage] = [c["x_groq"]["usage"] for c in chunks if "usage" in c.get("x_groq", {})]
    return usage


def test_groq_sdk_non_stream_is_identical_to_direct_and_recorded(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    kwargs = dict(model=MODEL, messages=MESSAGES)
    direct = groq_direct(fakes.root_urls["groq"]).chat.completions.with_raw_response.create(**kwargs)
    proxied = groq_via(gateway.url, org_key).chat.completions.with_raw_response.create(**kwargs)

    assert proxied.http_response.content == direct.http_response.content
    assert proxied.http_response.headers.get_list("x-request-id") == [direct.http_response.headers["x-request-id"]]
    completion = proxied.parse()
    assert completion.choices[0].message.content
    seen = fakes.last("groq")
    assert seen.path == "/openai/v1/chat/completions"
    assert seen.headers["authorization"] == f"Bearer {PROVIDER_KEYS['groq']}"
    assert not [h for h in seen.headers if h.startswith("x-lectr-")]

    [event] = gateway.wait_events(org_key, 1)
    assert event["provider"] == "groq" and event["provider_unknown"] is False
    assert event["endpoint"] == "chat.completions"
    assert event["model_requested"] == MODEL and event["model_reported"] == completion.model
    assert event["streaming"] is False and event["status_code"] == 200
    usage = completion.usage
    assert (event["input_tokens"], event["output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)
    assert event["token_source"] == "provider"
    assert event["cost_status"] == "priced" and event["cost_usd"] > 0
    assert event["request_id"] == proxied.http_response.headers["x-request-id"]


def test_groq_sdk_stream_is_byte_identical_and_usage_is_exact(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    direct = _raw_stream(groq_direct(fakes.root_urls["groq"]), model=MODEL, messages=MESSAGES)
    proxied = _raw_stream(groq_via(gateway.url, org_key), model=MODEL, messages=MESSAGES)

    assert proxied == direct
    assert proxied.endswith(b"data: [DONE]\n\n")
    assert b'"choices":[]' not in proxied  # no usage-only chunk the client did not ask for
    seen = fakes.last("groq")
    assert seen.path == "/openai/v1/chat/completions" and seen.json["stream"] is True

    [event] = gateway.wait_events(org_key, 1)
    usage = _x_groq_usage(direct)
    assert event["streaming"] is True and event["token_source"] == "provider"
    assert (event["input_tokens"], event["output_tokens"]) == (usage["prompt_tokens"], usage["completion_tokens"])
    assert event["provider"] == "groq" and event["model_reported"] == MODEL


def test_groq_sdk_iterates_stream_normally(gateway: Gateway, org_key: str) -> None:
    stream = groq_via(gateway.url, org_key).chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text.startswith("Hello from groq!")


def test_groq_sdk_at_host_root_also_works(gateway: Gateway, fakes: FakeProviders, org_key: str) -> None:
    client = groq.Groq(
        api_key=PROVIDER_KEYS["groq"], base_url=gateway.url, default_headers={"X-Lectr-Key": org_key},
        max_retries=0, timeout=15,
    )
    completion = client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content
    assert fakes.last("groq").path == "/openai/v1/chat/completions"


def test_groq_sdk_honours_provider_override(gateway: Gateway, fakes: FakeProviders, org_key: str) -> None:
    client = groq.Groq(
        api_key=PROVIDER_KEYS["groq"], base_url=gateway.url + "/v1", max_retries=0, timeout=15,
        default_headers={"X-Lectr-Key": org_key, "X-Lectr-Provider": "openai"},
    )
    completion = client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert completion.choices[0].message.content
    seen = fakes.last()
    assert (seen.provider, seen.path) == ("openai", "/v1/chat/completions")
    [event] = gateway.wait_events(org_key, 1)
    assert event["provider"] == "openai" and event["model_reported"] == completion.model


def test_groq_model_through_openai_sdk_is_detected(gateway: Gateway, fakes: FakeProviders, org_key: str) -> None:
    direct = openai_direct(fakes.base_urls["groq"], "groq")
    via = openai_via(gateway.url, org_key, provider="groq")

    proxied = via.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES)
    seen = fakes.last()
    assert (seen.provider, seen.path) == ("groq", "/openai/v1/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {PROVIDER_KEYS['groq']}"
    expected = direct.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES)
    assert proxied.http_response.content == expected.http_response.content

    streamed = _raw_stream(via, model=MODEL, messages=MESSAGES)
    assert fakes.last().provider == "groq"
    assert streamed == _raw_stream(direct, model=MODEL, messages=MESSAGES)

    events = gateway.wait_events(org_key, 2)
    usage = proxied.parse().usage
    assert {e["streaming"] for e in events} == {True, False}
    for event in events:
        assert event["provider"] == "groq" and event["provider_unknown"] is False
        assert event["token_source"] == "provider"
        assert (event["input_tokens"], event["output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)
