"""OpenAI SDK → Lectr → fake OpenAI: identical answers, the right upstream request, one event each."""

from __future__ import annotations

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, openai_direct, openai_via
from tests.support.gateway import Gateway

MESSAGES = [{"role": "user", "content": "Say hello to the gateway"}]


def test_chat_non_stream_is_identical_to_direct_and_recorded(gateway: Gateway, fakes: FakeProviders, org_key: str) -> None:
    direct = openai_direct(fakes.base_urls["openai"]).chat.completions.with_raw_response.create(
        model="gpt-4o", messages=MESSAGES
    )
    via = openai_via(gateway.url, org_key, **{"X-Lectr-Feature": "greeter", "X-Lectr-Task": "generation"})
    proxied = via.chat.completions.with_raw_response.create(model="gpt-4o", messages=MESSAGES)

    assert proxied.http_response.content == direct.http_response.content
    assert proxied.parse().choices[0].message.content
    seen = fakes.last("openai")
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["authorization"] == f"Bearer {PROVIDER_KEYS['openai']}"
    assert not [h for h in seen.headers if h.startswith("x-lectr-")]
    assert proxied.http_response.headers.get_list("x-request-id") == [direct.http_response.headers["x-request-id"]]

    [event] = gateway.wait_events(org_key, 1)
    usage = proxied.parse().usage
    assert event["provider"] == "openai" and event["provider_unknown"] is False
    assert event["model_requested"] == "gpt-4o"
    assert event["model_reported"] == proxied.parse().model
    assert event["streaming"] is False and event["status_code"] == 200
    assert (event["input_tokens"], event["output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)
    assert event["token_source"] == "provider"
    assert event["cost_status"] == "priced" and event["cost_usd"] > 0
    assert (event["feature"], event["task_type"]) == ("greeter", "generation")
    assert event["request_id"] == proxied.http_response.headers["x-request-id"]
    assert event["latency_ms"] > 0 and event["ttfb_ms"] is not None


def _raw_stream(client, **kwargs) -> bytes:
    with client.chat.completions.with_streaming_response.create(stream=True, **kwargs) as response:
        return b"".join(response.iter_bytes())


def test_stream_is_byte_identical_without_include_usage_and_usage_is_exact(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    direct = _raw_stream(openai_direct(fakes.base_urls["openai"]), model="gpt-4o-mini", messages=MESSAGES)
    proxied = _raw_stream(openai_via(gateway.url, org_key), model="gpt-4o-mini", messages=MESSAGES)

    assert proxied == direct
    assert b'"usage"' not in proxied
    assert fakes.last("openai").json["stream_options"] == {"include_usage": True}

    [event] = gateway.wait_events(org_key, 1)
    assert event["streaming"] is True and event["token_source"] == "provider"
    assert event["input_tokens"] > 0 and event["output_tokens"] > 0
    assert event["model_reported"] == "gpt-4o-mini-2024-07-18"


def test_stream_with_client_include_usage_passes_usage_through(
    gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    kwargs = dict(model="gpt-4o", messages=MESSAGES, stream_options={"include_usage": True})
    direct = _raw_stream(openai_direct(fakes.base_urls["openai"]), **kwargs)
    proxied = _raw_stream(openai_via(gateway.url, org_key), **kwargs)
    assert proxied == direct and b'"usage":{' in proxied

    chunks = list(openai_via(gateway.url, org_key).chat.completions.create(stream=True, **kwargs))
    final_usage = chunks[-1].usage
    events = gateway.wait_events(org_key, 2)
    assert all(e["output_tokens"] == final_usage.completion_tokens for e in events)


def test_sdk_stream_iterates_normally(gateway: Gateway, org_key: str) -> None:
    stream = openai_via(gateway.url, org_key).chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text


def test_other_openai_endpoints(gateway: Gateway, fakes: FakeProviders, org_key: str) -> None:
    client = openai_via(gateway.url, org_key)
    emb = client.embeddings.create(model="text-embedding-3-small", input="hello")
    assert emb.data[0].embedding and fakes.last("openai").path == "/v1/embeddings"
    comp = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi")
    assert comp.choices and fakes.last("openai").path == "/v1/completions"
    resp = client.responses.create(model="gpt-4o", input="hello")
    assert resp.output_text and fakes.last("openai").path == "/v1/responses"
    models = client.models.list()
    assert any(m.id for m in models) and fakes.last("openai").path == "/v1/models"

    events = {e["endpoint"]: e for e in gateway.wait_events(org_key, 4)}
    assert set(events) == {"embeddings", "completions", "responses", "models"}
    assert events["embeddings"]["input_tokens"] == emb.usage.prompt_tokens
    assert events["embeddings"]["output_tokens"] == 0
    assert events["responses"]["input_tokens"] == resp.usage.input_tokens
    assert events["responses"]["output_tokens"] == resp.usage.output_tokens
    assert events["models"]["model_requested"] is None


def test_unknown_model_defaults_to_openai_and_is_flagged(gateway: Gateway, fakes: FakeProviders, org_key: str) -> None:
    openai_via(gateway.url, org_key).chat.completions.create(model="my-house-model", messages=MESSAGES)
    assert fakes.last().provider == "openai"
    [event] = gateway.wait_events(org_key, 1)
    assert event["provider"] == "openai" and event["provider_unknown"] is True
