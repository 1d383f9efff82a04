"""Streams that go wrong (CONTRACT §5): upstream dies, upstream talks garbage, the client leaves; and no buffering."""

from __future__ import annotations

import socket

import json
import time
import uuid
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, anthropic_via, openai_via
from tests.support.gateway import Gateway

CLAUDE = "claude-3-5-haiku-20241022"
OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/v1/messages"


# ---- helpers ---------------------------------------------------------------------------------


def unique_messages(tag: str) -> list[dict[str, str]]:
    """Fakes derive ids (and x-request-id) from the body: a unique body finds its own event."""
    return [{"role": "user", "content": f"{tag} {uuid.uuid4().hex}"}]


def openai_body(tag: str) -> dict[str, Any]:
    return {"model": "gpt-4o", "messages": unique_messages(tag), "stream": True}


def anthropic_body(tag: str) -> dict[str, Any]:
    return {"model": CLAUDE, "max_tokens": 64, "messages": unique_messages(tag), "stream": True}


def headers_for(wire: str, key: str | None, scenario: str | None = None) -> dict[str, str]:
    if wire == "anthropic":
        out = {"x-api-key": PROVIDER_KEYS["anthropic"], "anthropic-version": "2023-06-01"}
    else:
        out = {"Authorization": f"Bearer {PROVIDER_KEYS['openai']}"}
    if key:
        out["X-Lectr-Key"] = key
    if scenario:
        out["X-Fake-Scenario"] = scenario
    return out


def read_all(url: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[httpx.Response, bytes, Exception | None]:
    """Stream a response to its end (or until the connection breaks); the bytes read and how it ended."""
    data = bytearray()
    with httpx.Client(timeout=15) as http, http.stream("POST", url, json=body, headers=headers) as resp:
        try:
            for piece in resp.iter_raw():
                data += piece
        except httpx.HTTPError as exc:
            return resp, bytes(data), exc
    return resp, bytes(data), None


def sse_events(raw: bytes) -> list[bytes]:
    return [e for e in raw.replace(b"\r\n", b"\n").split(b"\n\n") if e.strip()]


def data_of(event: bytes) -> bytes:
    return b"\n".join(line[5:].strip() for line in event.split(b"\n") if line.startswith(b"data:"))


def event_for(gw: Gateway, key: str, request_id: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in gw.events(key) if e["request_id"] == request_id]
        if found:
            assert len(found) == 1, found
            return found[0]
        assert time.monotonic() < deadline, f"no event with request_id {request_id}"
        time.sleep(0.05)


def assert_openai_error_event(event: bytes) -> dict[str, Any]:
    """`data: {"error": {...}}` — what the OpenAI SDK turns into an APIError while iterating."""
    assert event.startswith(b"data: "), event
    err = json.loads(data_of(event))["error"]
    assert isinstance(err["message"], str) and err["message"], err
    assert err["type"] and err["code"], err
    return err


def assert_anthropic_error_event(event: bytes) -> dict[str, Any]:
    """`event: error` + `data: {"type":"error","error":{...}}` — Anthropic's own in-stream error."""
    lines = event.split(b"\n")
    assert lines[0] == b"event: error", event
    payload = json.loads(data_of(event))
    assert payload["type"] == "error", payload
    assert payload["error"]["type"] and payload["error"]["message"], payload
    return payload["error"]


def assert_cut_short(event: dict[str, Any], content_chunks: int) -> None:
    """What a stream that died records: an error, usage marked estimated (never exact zeros), the status."""
    assert event["streaming"] is True
    assert event["status_code"] == 200  # what the client got before the stream died
    assert event["error_category"], event
    assert event["token_source"] == "estimated", event
    assert event["output_tokens"] is not None and event["output_tokens"] >= content_chunks > 0, event
    assert_no_false_zero_cost(event)


def assert_no_false_zero_cost(event: dict[str, Any]) -> None:
    """The provider took the prompt: a cost of exactly 0 would be a zero as if exact (§5, §6: null, never 0)."""
    assert event["cost_usd"] is None or event["cost_usd"] > 0, event
    if event["cost_usd"] is None:
        assert event["cost_status"] == "unpriced", event


@pytest.fixture(scope="module")
def key(gateway: Gateway) -> str:
    return gateway.create_org(f"streamfail-{uuid.uuid4().hex[:8]}")


# ---- upstream dies mid-stream ------------------------------------------------------------------


def test_openai_stream_dying_upstream_raises_in_the_sdk(gateway: Gateway, key: str) -> None:
    client = openai_via(gateway.url, key, **{"X-Fake-Scenario": "die_midstream"})
    stream = client.chat.completions.create(model="gpt-4o", messages=unique_messages("sdk die"), stream=True)
    request_id = stream.response.headers["x-request-id"]
    received: list[str] = []
    with pytest.raises(openai.APIError) as info:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert not isinstance(info.value, openai.APIStatusError)  # the error came inside the 200 stream
    assert info.value.message
    assert received == ["Hello", " from"]  # what the provider sent before it died reached the client

    event = event_for(gateway, key, request_id)
    assert_cut_short(event, len(received))
    assert event["provider"] == "openai" and event["model_requested"] == "gpt-4o"


def test_openai_stream_dying_upstream_keeps_the_bytes_sent_and_ends_with_an_error_event(
    gateway: Gateway, fakes: FakeProviders, key: str
) -> None:
    body = openai_body("raw die")
    _, direct, direct_end = read_all(fakes.base_urls["openai"] + "/chat/completions", body,
                                     headers_for("openai", None, "die_midstream"))
    assert direct_end is not None  # straight from the provider, the connection just breaks

    resp, via, via_end = read_all(gateway.url + OPENAI_PATH, body, headers_for("openai", key, "die_midstream"))
    assert via_end is None, via_end  # through Lectr the stream is properly terminated
    assert resp.status_code == 200
    assert via.startswith(direct), (direct, via)  # every chunk sent so far, untouched
    events = sse_events(via)
    assert len(events) == len(sse_events(direct)) + 1
    assert_openai_error_event(events[-1])
    assert b"[DONE]" not in via  # not dressed up as a success

    event = event_for(gateway, key, resp.headers["x-request-id"])
    content_chunks = sum(1 for e in sse_events(direct) if b'"content":"' in e and b'"content":""' not in e)
    assert_cut_short(event, content_chunks)


def test_anthropic_stream_dying_upstream_ends_with_an_error_event(
    gateway: Gateway, fakes: FakeProviders, key: str
) -> None:
    body = anthropic_body("anthropic die")
    _, direct, direct_end = read_all(fakes.root_urls["anthropic"] + "/v1/messages", body,
                                     headers_for("anthropic", None, "die_midstream"))
    assert direct_end is not None
    resp, via, via_end = read_all(gateway.url + ANTHROPIC_PATH, body, headers_for("anthropic", key, "die_midstream"))
    assert via_end is None, via_end
    assert resp.status_code == 200
    assert via.startswith(direct), (direct, via)  # framing intact, `event:` lines included
    events = sse_events(via)
    assert len(events) == len(sse_events(direct)) + 1
    assert_anthropic_error_event(events[-1])
    assert b"message_stop" not in via

    event = event_for(gateway, key, resp.headers["x-request-id"])
    deltas = sum(1 for e in events if e.startswith(b"event: content_block_delta"))
    assert deltas == 2
    assert_cut_short(event, deltas)
    assert event["provider"] == "anthropic"
    assert event["input_tokens"] and event["input_tokens"] > 0  # message_start did report it


def test_anthropic_sdk_raises_when_the_stream_dies(gateway: Gateway, key: str) -> None:
    client = anthropic_via(gateway.url, key)
    text: list[str] = []
    with pytest.raises(anthropic.APIError):
        stream = client.messages.create(model=CLAUDE, max_tokens=64, messages=unique_messages("anthropic sdk die"),
                                        stream=True, extra_headers={"X-Fake-Scenario": "die_midstream"})
        for ev in stream:
            if ev.type == "content_block_delta":
                text.append(ev.delta.text)  # type: ignore[union-attr]
    assert text == ["Hello", " from"]
    with pytest.raises(anthropic.APIError):  # the helper API too
        with client.messages.stream(model=CLAUDE, max_tokens=64, messages=unique_messages("anthropic helper die"),
                                    extra_headers={"X-Fake-Scenario": "die_midstream"}) as helper:
            for _ in helper.text_stream:
                pass


# ---- upstream talks garbage ----------------------------------------------------------------------


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
def test_garbage_stream_ends_with_an_error_event(gateway: Gateway, key: str, wire: str) -> None:
    path, body = (OPENAI_PATH, openai_body("garbage")) if wire == "openai" else (ANTHROPIC_PATH, anthropic_body("garbage"))
    resp, via, via_end = read_all(gateway.url + path, body, headers_for(wire, key, "garbage_stream"))
    assert via_end is None, via_end
    assert resp.status_code == 200
    last = sse_events(via)[-1]
    if wire == "openai":
        assert_openai_error_event(last)
    else:
        assert_anthropic_error_event(last)

    event = event_for(gateway, key, resp.headers["x-request-id"])
    assert event["streaming"] is True and event["error_category"], event
    assert event["status_code"] == 200
    assert event["token_source"] in ("estimated", "missing"), event  # nothing exact came back
    assert_no_false_zero_cost(event)


def test_garbage_stream_makes_the_openai_sdk_raise(gateway: Gateway, key: str) -> None:
    client = openai_via(gateway.url, key, **{"X-Fake-Scenario": "garbage_stream"})
    with pytest.raises(Exception):  # a decode error on the junk, or the APIError of the final event
        for _ in client.chat.completions.create(model="gpt-4o", messages=unique_messages("sdk garbage"), stream=True):
            pass


# ---- the client leaves ---------------------------------------------------------------------------


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
def test_client_disconnect_cancels_the_upstream_request(
    gateway: Gateway, fakes: FakeProviders, key: str, wire: str
) -> None:
    path, body = (OPENAI_PATH, openai_body("leave")) if wire == "openai" else (ANTHROPIC_PATH, anthropic_body("leave"))
    fakes.clear()
    with httpx.Client(timeout=httpx.Timeout(15, read=2)) as http:
        with http.stream("POST", gateway.url + path, json=body, headers=headers_for(wire, key, "stall_stream")) as resp:
            assert resp.status_code == 200
            request_id = resp.headers["x-request-id"]
            pieces = resp.iter_raw()
            assert next(pieces)  # the first chunk arrived; upstream is now stalled
        # leaving the block closes the connection mid-stream
    # well before the gateway's 3 s read timeout would have closed it anyway
    assert fakes.wait_disconnect(1, timeout=2.0), "the upstream request was not cancelled"

    event = event_for(gateway, key, request_id)
    assert event["status_code"] == 499 and event["error_category"] == "client_disconnected", event
    assert event["streaming"] is True
    assert event["token_source"] != "provider"

    # and the gateway keeps serving
    assert httpx.get(gateway.url + "/health", timeout=5).status_code == 200
    ok = openai_via(gateway.url, key).chat.completions.create(model="gpt-4o", messages=unique_messages("after"))
    assert ok.choices[0].message.content


# ---- unbuffered ----------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
def test_first_chunk_arrives_before_upstream_finishes(gateway: Gateway, key: str, wire: str) -> None:
    """stall_stream sends one delta and then nothing until the client leaves: only an unbuffered relay delivers it."""
    path, body = (OPENAI_PATH, openai_body("early")) if wire == "openai" else (ANTHROPIC_PATH, anthropic_body("early"))
    # read timeout 2 s < the gateway's 3 s upstream timeout: what arrives was relayed, not flushed by an error
    with httpx.Client(timeout=httpx.Timeout(15, read=2)) as http:
        with http.stream("POST", gateway.url + path, json=body, headers=headers_for(wire, key, "stall_stream")) as resp:
            assert resp.status_code == 200
            seen = b""
            pieces = resp.iter_raw()
            marker = b'"Hello"' if wire == "openai" else b'"text":"Hello"'
            while marker not in seen:
                seen += next(pieces)
    assert b"error" not in seen and b"[DONE]" not in seen and b"message_stop" not in seen
    if wire == "anthropic":
        assert seen.startswith(b"event: message_start\n")


def test_chunks_are_relayed_as_they_come(gateway: Gateway, fakes: FakeProviders, key: str) -> None:
    body = openai_body("paced")
    headers = headers_for("openai", key, "chunk_delay:60")
    _, direct, _ = read_all(fakes.base_urls["openai"] + "/chat/completions", body,
                            headers_for("openai", None, "chunk_delay:60"))
    arrivals: list[bytes] = []
    with httpx.Client(timeout=15) as http, http.stream("POST", gateway.url + OPENAI_PATH, json=body, headers=headers) as resp:
        for piece in resp.iter_raw():
            arrivals.append(piece)
    assert b"".join(arrivals) == direct  # byte-identical to the provider's own stream
    # frames 60 ms apart upstream arrive in separate reads: the gateway did not collect them first
    assert len(arrivals) >= len(sse_events(direct)) // 2, [len(a) for a in arrivals]
    assert b"[DONE]" not in arrivals[0]


def test_client_closing_right_after_the_end_marker_is_a_complete_stream(gateway: Gateway, org_key: str) -> None:
    """SDKs close the connection as soon as they read `[DONE]`; that must not be recorded as a disconnect."""
    host, port = gateway.url.removeprefix("http://").split(":")
    body = b'{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}'
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nX-Lectr-Key: {org_key}\r\n"
        f"Authorization: Bearer sk-test\r\nContent-Type: application/json\r\nX-Lectr-Feature: closer\r\n"
        "X-Fake-Scenario: chunk_delay:30\r\n"  # the provider ends its response 30 ms after [DONE]
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    rounds = 5
    for _ in range(rounds):
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(request)
            seen = b""
            while b"data: [DONE]" not in seen:
                chunk = sock.recv(65536)
                assert chunk, seen
                seen += chunk
        # closed at once, possibly before Lectr wrote the chunked terminator
    events = gateway.wait_events(org_key, rounds, feature="closer")
    assert {(e["status_code"], e["error_category"], e["token_source"]) for e in events} == {(200, None, "provider")}
