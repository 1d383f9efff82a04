"""Every error of CONTRACT §4: status, envelope, typed SDK error, what the provider saw, what was recorded."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import anthropic
import httpx
import openai
import pytest

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, anthropic_via, openai_direct, openai_via
from tests.support.gateway import Gateway, free_port, gateway_env

MESSAGES = [{"role": "user", "content": "Say hello to the gateway"}]
ENVELOPE_KEYS = {"message", "type", "code", "param"}
MiB = 1024 * 1024
OPENAI_AUTH = {"Authorization": f"Bearer {PROVIDER_KEYS['openai']}"}


# ---- helpers ---------------------------------------------------------------------------------


def unique_messages(tag: str) -> list[dict[str, str]]:
    """Fakes derive x-request-id from the body: a unique body gives a unique id to find the event by."""
    return [{"role": "user", "content": f"{tag} {uuid.uuid4().hex}"}]


def raw(
    gw: Gateway, method: str, path: str, key: str | None, *, content: Any = None, json: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    hdrs = {**OPENAI_AUTH, **({"X-Lectr-Key": key} if key else {}), **(headers or {})}
    if content is not None and "content-type" not in {h.lower() for h in hdrs}:
        hdrs["Content-Type"] = "application/json"
    return httpx.request(method, gw.url + path, content=content, json=json, headers=hdrs, timeout=15)


def assert_envelope(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The OpenAI-shaped envelope of §4, x-should-retry on proxy-side 4xx, exactly one x-request-id."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert list(body) == ["error"], body
    err = body["error"]
    assert set(err) == ENVELOPE_KEYS, err
    assert err["code"] == code, err
    assert isinstance(err["type"], str) and err["type"], err
    assert isinstance(err["message"], str) and err["message"], err
    assert err["param"] is None or isinstance(err["param"], str), err
    if 400 <= status < 500:
        assert resp.headers.get("x-should-retry") == "false"
    assert len(resp.headers.get_list("x-request-id")) == 1
    return err


def assert_anthropic_envelope(resp: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    """Anthropic's own shape on the native Messages route: {"type":"error","error":{"type","message"}}."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["type"] == "error", body
    err = body["error"]
    assert err["type"] == error_type, err
    assert isinstance(err["message"], str) and err["message"], err
    if 400 <= status < 500:
        assert resp.headers.get("x-should-retry") == "false"
    assert len(resp.headers.get_list("x-request-id")) == 1
    return err


def event_for(gw: Gateway, key: str, resp: httpx.Response, timeout: float = 5.0) -> dict[str, Any]:
    """The one recorded event of the request that got `resp` (matched by x-request-id)."""
    rid = resp.headers["x-request-id"]
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in gw.events(key) if e["request_id"] == rid]
        if found:
            assert len(found) == 1, found
            return found[0]
        assert time.monotonic() < deadline, f"no event with request_id {rid}"
        time.sleep(0.05)


def assert_proxy_event(gw: Gateway, key: str, resp: httpx.Response, code: str) -> dict[str, Any]:
    """The event of an error Lectr answered itself. Its source says who failed: Lectr refusing the
    request ("proxy"), or the provider being unreachable, slow or broken ("provider")."""
    event = event_for(gw, key, resp)
    assert event["status_code"] == resp.status_code
    source = "provider" if code.startswith("provider_") else "proxy"
    assert (event["error_source"], event["error_category"]) == (source, code)
    return event


def sdk_error(exc_type: type[Exception], call: Any, *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(exc_type) as info:
        call(*args, **kwargs)
    return info.value


# ---- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key(gateway: Gateway) -> str:
    """One org for the module; each test finds its own events by request id."""
    return gateway.create_org(f"errors-{uuid.uuid4().hex[:8]}")


@dataclass
class SideGateways:
    limited: Gateway       # LECTR_ORG_REQUESTS_PER_MINUTE=3, LECTR_ORG_MAX_STREAMS=1
    rate_key: str          # its first-start `default` org: used only by the rate test
    streams_key: str       # an org of its own for the stream test (rate buckets are per org)
    dead: Gateway          # LECTR_OPENAI_BASE_URL → a closed port
    dead_key: str


def _first_start_key(gw: Gateway) -> str:
    """The key of the `default` org that `lectr serve --json` prints on its first start."""
    for line in gw.log_path.read_text().splitlines():
        if line.startswith("{") and '"key"' in line:
            return str(json.loads(line)["key"])
    raise AssertionError(f"no first-start key in {gw.log_path}")


@pytest.fixture(scope="module")
def side(
    fakes: FakeProviders, tmp_path_factory: pytest.TempPathFactory, gateway_postgres: Any
) -> Iterator[SideGateways]:
    """Two gateways of this module's own, started in parallel (each start costs seconds)."""

    def store_env() -> dict[str, str]:  # as conftest does: PostgreSQL when LECTR_TEST_STORE=postgres
        return {"LECTR_DATABASE_URL": gateway_postgres.create_database()} if gateway_postgres else {}

    limited_dir: Path = tmp_path_factory.mktemp("limited")
    dead_dir: Path = tmp_path_factory.mktemp("dead")
    limited = Gateway(limited_dir, gateway_env(
        limited_dir, fakes.base_urls, LECTR_ORG_REQUESTS_PER_MINUTE="3", LECTR_ORG_MAX_STREAMS="1", **store_env()
    ))
    closed = f"http://127.0.0.1:{free_port()}/v1"  # bound then released: nothing listens there
    dead = Gateway(dead_dir, gateway_env(dead_dir, {**fakes.base_urls, "openai": closed}, **store_env()))
    try:
        with ThreadPoolExecutor(2) as pool:
            started = pool.submit(lambda: limited.start("--json").create_org("streams"))
            dead_started = pool.submit(lambda: dead.start("--json"))
            streams_key = started.result()
            dead_started.result()
        yield SideGateways(limited, _first_start_key(limited), streams_key, dead, _first_start_key(dead))
    finally:
        limited.stop()
        dead.stop()


# ---- 401: org auth ---------------------------------------------------------------------------


def test_missing_key_is_401_and_never_reaches_the_provider(gateway: Gateway, fakes: FakeProviders) -> None:
    fakes.clear()
    exc = sdk_error(openai.AuthenticationError, openai_via(gateway.url, None).chat.completions.create,
                    model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 401 and exc.code == "missing_lectr_key"
    assert_envelope(exc.response, 401, "missing_lectr_key")
    assert_envelope(raw(gateway, "POST", "/v1/chat/completions", None, json={"model": "gpt-4o", "messages": MESSAGES}),
                    401, "missing_lectr_key")
    assert_envelope(raw(gateway, "POST", "/v1/chat/completions", None, json={"model": "gpt-4o", "messages": MESSAGES},
                        headers={"X-Lectr-Key": ""}), 401, "missing_lectr_key")
    assert fakes.received == []


def test_invalid_key_is_401_and_never_reaches_the_provider(gateway: Gateway, fakes: FakeProviders) -> None:
    fakes.clear()
    bogus = "lc_key_" + uuid.uuid4().hex
    exc = sdk_error(openai.AuthenticationError, openai_via(gateway.url, bogus).chat.completions.create,
                    model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 401 and exc.code == "invalid_lectr_key"
    err = assert_envelope(exc.response, 401, "invalid_lectr_key")
    assert bogus not in err["message"] and PROVIDER_KEYS["openai"] not in exc.response.text
    exc = sdk_error(openai.AuthenticationError, openai_via(gateway.url, "not-even-a-lectr-key").embeddings.create,
                    model="text-embedding-3-small", input="hi")
    assert exc.code == "invalid_lectr_key"
    assert fakes.received == []


def test_auth_errors_on_the_anthropic_route_use_anthropics_shape(gateway: Gateway, fakes: FakeProviders) -> None:
    fakes.clear()
    client = anthropic_via(gateway.url, "lc_key_" + uuid.uuid4().hex)
    exc = sdk_error(anthropic.AuthenticationError, client.messages.create,
                    model="claude-3-5-haiku-20241022", max_tokens=20, messages=MESSAGES)
    assert exc.status_code == 401
    assert_anthropic_envelope(exc.response, 401, "authentication_error")
    body = {"model": "claude-3-5-haiku-20241022", "max_tokens": 20, "messages": MESSAGES}
    assert_anthropic_envelope(raw(gateway, "POST", "/v1/v1/messages", None, json=body), 401, "authentication_error")
    assert fakes.received == []


def test_disabled_org_is_401_org_disabled(gateway: Gateway, fakes: FakeProviders) -> None:
    name = f"doomed-{uuid.uuid4().hex[:8]}"
    doomed = gateway.create_org(name)
    client = openai_via(gateway.url, doomed)
    assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices
    gateway.cli("orgs", "disable", name)
    gateway.wait_key_accepted(doomed, accepted=False, timeout=2.0)

    fakes.clear()
    exc = sdk_error(openai.AuthenticationError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 401 and exc.code == "org_disabled"
    assert_envelope(exc.response, 401, "org_disabled")
    exc = sdk_error(openai.AuthenticationError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES, stream=True)
    assert exc.code == "org_disabled"
    assert fakes.received == []


def test_lectr_headers_are_matched_case_insensitively(gateway: Gateway, key: str, fakes: FakeProviders) -> None:
    body = {"model": "gpt-4o", "messages": MESSAGES}
    for name in ("x-lectr-key", "X-LECTR-KEY", "x-LeCtR-kEy"):
        resp = httpx.post(gateway.url + "/v1/chat/completions", json=body, headers={**OPENAI_AUTH, name: key}, timeout=15)
        assert resp.status_code == 200, (name, resp.text)
        assert resp.json()["choices"]
    # the provider override too: an upper-case header name is still read (and rejected for its value)
    resp = raw(gateway, "POST", "/v1/chat/completions", key, json=body, headers={"X-LECTR-PROVIDER": "nonsense"})
    assert_envelope(resp, 400, "invalid_provider")
    resp = raw(gateway, "POST", "/v1/chat/completions", key, json=body, headers={"X-LECTR-PROVIDER": "openai"})
    assert resp.status_code == 200, resp.text


# ---- 400 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"this is not json", b"[1, 2, 3]", b'[{"model": "gpt-4o"}]', b'"gpt-4o"', b'{"messages": []}', b"", b"{"],
    ids=["not-json", "array", "array-of-objects", "string", "no-model", "empty", "truncated"],
)
def test_bad_bodies_are_400_invalid_request(
    gateway: Gateway, key: str, fakes: FakeProviders, content: bytes
) -> None:
    fakes.clear()
    resp = raw(gateway, "POST", "/v1/chat/completions", key, content=content)
    err = assert_envelope(resp, 400, "invalid_request")
    if content:
        assert content.decode() not in err["message"]  # messages never echo the body
    assert_proxy_event(gateway, key, resp, "invalid_request")
    assert fakes.received == []


def test_bad_bodies_raise_the_sdks_bad_request_error(gateway: Gateway, key: str, fakes: FakeProviders) -> None:
    fakes.clear()
    client = openai_via(gateway.url, key)
    exc = sdk_error(openai.BadRequestError, client.post, "/chat/completions", body={"messages": MESSAGES}, cast_to=object)
    assert exc.status_code == 400 and exc.code == "invalid_request"
    assert_envelope(exc.response, 400, "invalid_request")
    exc = sdk_error(openai.BadRequestError, client.chat.completions.create, model="", messages=MESSAGES)
    assert exc.code == "invalid_request"
    exc = sdk_error(openai.BadRequestError, client.embeddings.create, model=None, input="x")  # type: ignore[arg-type]
    assert exc.code == "invalid_request"
    assert fakes.received == []


def test_bad_body_on_the_anthropic_route_uses_anthropics_shape(gateway: Gateway, key: str, fakes: FakeProviders) -> None:
    fakes.clear()
    for content in (b"not json at all", b'{"max_tokens": 10, "messages": []}'):
        resp = raw(gateway, "POST", "/v1/v1/messages", key, content=content)
        assert_anthropic_envelope(resp, 400, "invalid_request_error")
        assert_proxy_event(gateway, key, resp, "invalid_request")
    exc = sdk_error(anthropic.BadRequestError, anthropic_via(gateway.url, key).post, "/v1/messages",
                    body={"max_tokens": 10, "messages": MESSAGES}, cast_to=object)
    assert_anthropic_envelope(exc.response, 400, "invalid_request_error")
    assert fakes.received == []


def test_unknown_provider_override_is_400_invalid_provider(gateway: Gateway, key: str, fakes: FakeProviders) -> None:
    fakes.clear()
    client = openai_via(gateway.url, key, **{"X-Lectr-Provider": "bedrock"})
    exc = sdk_error(openai.BadRequestError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 400 and exc.code == "invalid_provider"
    err = assert_envelope(exc.response, 400, "invalid_provider")
    assert "openai" in err["message"]  # names the accepted values
    assert_proxy_event(gateway, key, exc.response, "invalid_provider")
    exc = sdk_error(openai.BadRequestError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES, stream=True)
    assert exc.code == "invalid_provider"
    assert fakes.received == []


def test_azure_without_an_endpoint_is_400_azure_config_missing(gateway: Gateway, key: str, fakes: FakeProviders) -> None:
    fakes.clear()
    azure = openai.AzureOpenAI(
        azure_endpoint=gateway.url, api_key=PROVIDER_KEYS["azure"], api_version="2024-02-01",
        default_headers={"X-Lectr-Key": key, "X-Lectr-Provider": "azure"}, max_retries=0, timeout=15,
    )
    exc = sdk_error(openai.BadRequestError, azure.chat.completions.create, model="my-gpt4o-deployment", messages=MESSAGES)
    assert exc.status_code == 400 and exc.code == "azure_config_missing"
    assert_envelope(exc.response, 400, "azure_config_missing")
    event = assert_proxy_event(gateway, key, exc.response, "azure_config_missing")
    assert event["provider"] == "azure"
    # the override on the plain OpenAI route ends the same way
    client = openai_via(gateway.url, key, **{"X-Lectr-Provider": "azure"})
    exc = sdk_error(openai.BadRequestError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES)
    assert exc.code == "azure_config_missing"
    assert_proxy_event(gateway, key, exc.response, "azure_config_missing")
    assert fakes.received == []


# ---- 413 -------------------------------------------------------------------------------------


def _big_body(size: int) -> bytes:
    head = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "'
    tail = b'"}]}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


def test_body_over_the_limit_is_413_with_content_length(gateway: Gateway, key: str, fakes: FakeProviders) -> None:
    fakes.clear()
    resp = raw(gateway, "POST", "/v1/chat/completions", key, content=_big_body(3 * MiB))
    assert_envelope(resp, 413, "request_too_large")
    assert_proxy_event(gateway, key, resp, "request_too_large")
    assert fakes.received == []
    assert openai_via(gateway.url, key).chat.completions.create(model="gpt-4o", messages=MESSAGES).choices


def test_body_over_the_limit_is_413_when_chunked(gateway: Gateway, key: str, fakes: FakeProviders) -> None:
    body = _big_body(3 * MiB)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(body), 64 * 1024):
            yield body[i:i + 64 * 1024]

    fakes.clear()
    resp = raw(gateway, "POST", "/v1/chat/completions", key, content=chunks())
    assert "content-length" not in resp.request.headers and resp.request.headers["transfer-encoding"] == "chunked"
    assert_envelope(resp, 413, "request_too_large")
    assert_proxy_event(gateway, key, resp, "request_too_large")
    assert fakes.received == []
    # just under the limit still goes through, chunked or not
    ok = _big_body(2 * MiB - 1024)
    assert raw(gateway, "POST", "/v1/chat/completions", key, content=ok).status_code == 200
    assert raw(gateway, "POST", "/v1/chat/completions", key, content=iter([ok[:MiB], ok[MiB:]])).status_code == 200
    assert openai_via(gateway.url, key).chat.completions.create(model="gpt-4o", messages=MESSAGES).choices


def test_body_over_the_limit_on_the_anthropic_route(gateway: Gateway, key: str) -> None:
    resp = raw(gateway, "POST", "/v1/v1/messages", key, content=_big_body(3 * MiB))
    assert_anthropic_envelope(resp, 413, "request_too_large")
    assert_proxy_event(gateway, key, resp, "request_too_large")


# ---- 429 -------------------------------------------------------------------------------------


def test_org_request_rate_limit_is_429_rate_limit_exceeded(side: SideGateways, fakes: FakeProviders) -> None:
    gw, rate_key = side.limited, side.rate_key
    client = openai_via(gw.url, rate_key)
    for _ in range(3):
        assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices
    fakes.clear()
    exc = sdk_error(openai.RateLimitError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 429 and exc.code == "rate_limit_exceeded"
    assert_envelope(exc.response, 429, "rate_limit_exceeded")
    assert_proxy_event(gw, rate_key, exc.response, "rate_limit_exceeded")
    resp = raw(gw, "POST", "/v1/chat/completions", rate_key, json={"model": "gpt-4o", "messages": MESSAGES})
    assert_envelope(resp, 429, "rate_limit_exceeded")
    assert fakes.received == []


def test_org_concurrent_stream_limit_is_429_concurrent_streams_exceeded(
    side: SideGateways, fakes: FakeProviders
) -> None:
    gw, streams_key = side.limited, side.streams_key  # its own org: the rate test's exhausted bucket is not ours
    body = {"model": "gpt-4o", "messages": MESSAGES, "stream": True}
    headers = {**OPENAI_AUTH, "X-Lectr-Key": streams_key, "X-Fake-Scenario": "stall_stream"}
    fakes.clear()
    with httpx.Client(timeout=10) as http:
        with http.stream("POST", gw.url + "/v1/chat/completions", json=body, headers=headers) as held:
            assert held.status_code == 200
            pieces = held.iter_raw()  # keep the iterator: dropping it would close the stream
            assert next(pieces)  # the first stream is open and stalled upstream
            client = openai_via(gw.url, streams_key)
            exc = sdk_error(openai.RateLimitError, client.chat.completions.create,
                            model="gpt-4o", messages=MESSAGES, stream=True)
            assert exc.status_code == 429 and exc.code == "concurrent_streams_exceeded"
            assert_envelope(exc.response, 429, "concurrent_streams_exceeded")
            assert_proxy_event(gw, streams_key, exc.response, "concurrent_streams_exceeded")
            assert len(fakes.received) == 1
    assert fakes.wait_disconnect(1, timeout=3)
    # the slot is free again once the first stream is gone
    stream = openai_via(gw.url, streams_key).chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


# ---- 503 / 504 / 502 -------------------------------------------------------------------------


def test_closed_provider_port_is_503_provider_unreachable(side: SideGateways) -> None:
    gw, dead_key = side.dead, side.dead_key
    client = openai_via(gw.url, dead_key)
    exc = sdk_error(openai.InternalServerError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 503 and exc.code == "provider_unreachable"
    assert_envelope(exc.response, 503, "provider_unreachable")
    event = assert_proxy_event(gw, dead_key, exc.response, "provider_unreachable")
    assert event["provider"] == "openai" and event["model_requested"] == "gpt-4o"
    exc = sdk_error(openai.InternalServerError, client.chat.completions.create,
                    model="gpt-4o", messages=MESSAGES, stream=True)
    assert exc.code == "provider_unreachable"
    # the other providers of the same gateway are fine
    message = anthropic_via(gw.url, dead_key).messages.create(
        model="claude-3-5-haiku-20241022", max_tokens=20, messages=MESSAGES
    )
    assert message.content[0].text


def test_provider_hanging_is_504_provider_timeout(gateway: Gateway, key: str) -> None:
    client = openai_via(gateway.url, key, **{"X-Fake-Scenario": "hang"})
    exc = sdk_error(openai.InternalServerError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 504 and exc.code == "provider_timeout"
    assert_envelope(exc.response, 504, "provider_timeout")
    assert_proxy_event(gateway, key, exc.response, "provider_timeout")


def test_provider_dropping_the_connection_is_503_provider_unreachable(gateway: Gateway, key: str) -> None:
    client = openai_via(gateway.url, key, **{"X-Fake-Scenario": "die_before_body"})
    exc = sdk_error(openai.InternalServerError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 503 and exc.code == "provider_unreachable"
    assert_envelope(exc.response, 503, "provider_unreachable")
    assert_proxy_event(gateway, key, exc.response, "provider_unreachable")
    resp = raw(gateway, "POST", "/v1/v1/messages", key, headers={"X-Fake-Scenario": "die_before_body"},
               json={"model": "claude-3-5-haiku-20241022", "max_tokens": 20, "messages": MESSAGES})
    assert_anthropic_envelope(resp, 503, "api_error")


def test_provider_garbage_is_502_provider_bad_response(gateway: Gateway, key: str) -> None:
    client = openai_via(gateway.url, key, **{"X-Fake-Scenario": "garbage"})
    exc = sdk_error(openai.InternalServerError, client.chat.completions.create, model="gpt-4o", messages=MESSAGES)
    assert exc.status_code == 502 and exc.code == "provider_bad_response"
    err = assert_envelope(exc.response, 502, "provider_bad_response")
    assert "this is not json" not in err["message"]  # no body content in messages
    event = assert_proxy_event(gateway, key, exc.response, "provider_bad_response")
    assert event["provider"] == "openai" and event["token_source"] != "provider"


# ---- 404 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path", [("GET", "/nope"), ("POST", "/v2/chat/completions"), ("POST", "/chat/completions"),
                                          ("DELETE", "/v1/chat/completions"), ("POST", "/v1/chat/completion")])
def test_unknown_path_is_404_naming_the_base_url(gateway: Gateway, key: str, method: str, path: str) -> None:
    resp = raw(gateway, method, path, key, json={"model": "gpt-4o", "messages": MESSAGES} if method == "POST" else None)
    err = assert_envelope(resp, 404, "not_found")
    assert f"{gateway.url}/v1" in err["message"]


def test_unknown_path_raises_the_sdks_not_found_error(gateway: Gateway, key: str, fakes: FakeProviders) -> None:
    fakes.clear()
    exc = sdk_error(openai.NotFoundError, openai_via(gateway.url, key).get, "/nope", cast_to=object)
    assert exc.status_code == 404
    assert f"{gateway.url}/v1" in assert_envelope(exc.response, 404, "not_found")["message"]
    assert fakes.received == []


def test_unknown_messages_path_is_404_in_anthropics_shape(gateway: Gateway, key: str) -> None:
    resp = raw(gateway, "POST", "/v2/messages", key,
               json={"model": "claude-3-5-haiku-20241022", "max_tokens": 20, "messages": MESSAGES})
    err = assert_anthropic_envelope(resp, 404, "not_found_error")
    assert f"{gateway.url}/v1" in err["message"]
    client = anthropic.Anthropic(api_key=PROVIDER_KEYS["anthropic"], base_url=gateway.url + "/v2",
                                 default_headers={"X-Lectr-Key": key}, max_retries=0, timeout=15)
    exc = sdk_error(anthropic.NotFoundError, client.messages.create,
                    model="claude-3-5-haiku-20241022", max_tokens=20, messages=MESSAGES)
    assert_anthropic_envelope(exc.response, 404, "not_found_error")


# ---- provider errors pass through untouched --------------------------------------------------


@pytest.mark.parametrize(
    "status, exc_type",
    [(429, openai.RateLimitError), (500, openai.InternalServerError), (400, openai.BadRequestError),
     (401, openai.AuthenticationError), (503, openai.InternalServerError)],
)
def test_openai_provider_errors_pass_through(
    gateway: Gateway, fakes: FakeProviders, key: str, status: int, exc_type: type[openai.APIStatusError]
) -> None:
    scenario = {"X-Fake-Scenario": f"status:{status}"}
    messages = unique_messages(f"status {status}")
    direct = sdk_error(exc_type, openai_direct(fakes.base_urls["openai"]).chat.completions.create,
                       model="gpt-4o", messages=messages, extra_headers=scenario)
    via = sdk_error(exc_type, openai_via(gateway.url, key, **scenario).chat.completions.create,
                    model="gpt-4o", messages=messages)
    assert type(via) is type(direct)
    assert via.status_code == direct.status_code == status
    assert via.response.content == direct.response.content
    assert (via.code, via.type, via.message) == (direct.code, direct.type, direct.message)
    for header in ("content-type", "retry-after", "x-should-retry"):
        assert via.response.headers.get(header) == direct.response.headers.get(header), header
    assert set(via.response.headers) == set(direct.response.headers)  # Lectr adds no headers of its own
    assert via.response.headers.get_list("x-request-id") == [direct.response.headers["x-request-id"]]

    event = event_for(gateway, key, via.response)
    assert (event["status_code"], event["error_source"]) == (status, "provider")
    assert event["error_category"]
    assert event["provider"] == "openai" and event["model_requested"] == "gpt-4o"


@pytest.mark.parametrize("status, exc_type", [(429, anthropic.RateLimitError), (529, anthropic.APIStatusError),
                                              (400, anthropic.BadRequestError)])
def test_anthropic_provider_errors_pass_through(
    gateway: Gateway, fakes: FakeProviders, key: str, status: int, exc_type: type[anthropic.APIStatusError]
) -> None:
    scenario = {"X-Fake-Scenario": f"status:{status}"}
    messages = unique_messages(f"anthropic status {status}")
    direct_client = anthropic.Anthropic(api_key=PROVIDER_KEYS["anthropic"], base_url=fakes.root_urls["anthropic"],
                                        max_retries=0, timeout=15)
    direct = sdk_error(exc_type, direct_client.messages.create, model="claude-3-5-haiku-20241022", max_tokens=20,
                       messages=messages, extra_headers=scenario)
    via = sdk_error(exc_type, anthropic_via(gateway.url, key).messages.create, model="claude-3-5-haiku-20241022",
                    max_tokens=20, messages=messages, extra_headers=scenario)
    assert type(via) is type(direct) and via.status_code == direct.status_code == status
    assert via.response.content == direct.response.content
    assert via.response.headers.get("request-id") == direct.response.headers.get("request-id")
    event = event_for(gateway, key, via.response)
    assert (event["status_code"], event["error_source"]) == (status, "provider")


# ---- and after all that ------------------------------------------------------------------------


def test_gateway_keeps_serving_after_the_ugly_inputs(gateway: Gateway, key: str) -> None:
    assert httpx.get(gateway.url + "/health", timeout=5).status_code == 200
    client = openai_via(gateway.url, key)
    assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content
    stream = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    message = anthropic_via(gateway.url, key).messages.create(
        model="claude-3-5-haiku-20241022", max_tokens=20, messages=MESSAGES
    )
    assert message.content[0].text
    health = httpx.get(gateway.url + "/health", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "ok"
