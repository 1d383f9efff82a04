"""Operations surface: /health, /metrics (Prometheus) and the per-org events API."""

from __future__ import annotations

import itertools
import re
import time
from datetime import datetime, timezone

import httpx
import openai
import pytest

from tests.support.clients import groq_via, openai_via
from tests.support.gateway import Gateway

MESSAGES = [{"role": "user", "content": "Say hello to the gateway"}]
_n = itertools.count(1)


def _messages() -> list[dict[str, str]]:
    """A different prompt each time: the fakes derive x-request-id from the body."""
    return [{"role": "user", "content": f"Say hello to the gateway, call {next(_n)}"}]
EVENT_FIELDS = {
    "request_id", "timestamp", "endpoint", "provider", "provider_unknown", "model_requested", "model_actual",
    "model_reported", "streaming", "status_code", "error_category", "error_source", "latency_ms", "ttfb_ms",
    "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "token_source", "cost_usd",
    "cost_status", "feature", "task_type", "rule_applied",
}


def _chat(gateway: Gateway, key: str, model: str = "gpt-4o", **headers: str) -> str:
    """One chat completion through the OpenAI SDK; its x-request-id."""
    raw = openai_via(gateway.url, key, **headers).chat.completions.with_raw_response.create(model=model, messages=_messages())
    assert raw.parse().choices[0].message.content
    return raw.http_response.headers["x-request-id"]


def _ids(events: list[dict]) -> list[str]:
    return [e["request_id"] for e in events]


# ---- /health ------------------------------------------------------------------------------------------


def test_health(gateway: Gateway) -> None:
    response = httpx.get(gateway.url + "/health", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ok"
    assert body["store_reachable"] is True
    assert isinstance(body["event_queue_depth"], int) and body["event_queue_depth"] >= 0


def test_health_needs_no_key(gateway: Gateway) -> None:
    assert httpx.get(gateway.url + "/health", headers={"X-Lectr-Key": "lc_key_wrong"}, timeout=10).status_code == 200


# ---- /metrics --------------------------------------------------------------------------------------


def _metrics(gateway: Gateway) -> dict[str, float]:
    response = httpx.get(gateway.url + "/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, float] = {}
    for line in response.text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)", line)
        assert match, f"not a Prometheus sample line: {line!r}"
        samples[match.group(1)] = float(match.group(2))
    return samples


def _sample(samples: dict[str, float], name: str, **labels: str) -> float:
    """The value of the sample `name` whose labels include `labels` (0 when absent)."""
    total = 0.0
    for key, value in samples.items():
        metric, _, rest = key.partition("{")
        found = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if metric == name and all(found.get(k) == v for k, v in labels.items()):
            total += value
    return total


def test_metrics_after_requests(gateway: Gateway, org_key: str) -> None:
    before = _metrics(gateway)
    _chat(gateway, org_key)
    with pytest.raises(openai.InternalServerError):
        openai_via(gateway.url, org_key, **{"X-Fake-Scenario": "status:503"}).chat.completions.create(
            model="gemini-1.5-flash", messages=MESSAGES)
    gateway.wait_events(org_key, 2)
    after = _metrics(gateway)

    assert _sample(after, "lectr_requests_total", provider="openai", status="200") \
        == _sample(before, "lectr_requests_total", provider="openai", status="200") + 1
    assert _sample(after, "lectr_requests_total", provider="gemini", status="503") \
        == _sample(before, "lectr_requests_total", provider="gemini", status="503") + 1

    buckets = {k: v for k, v in after.items() if k.startswith("lectr_request_latency_ms_bucket{")}
    assert buckets and 'lectr_request_latency_ms_bucket{le="+Inf"}' in buckets
    assert max(buckets.values()) >= 2
    for name in ("lectr_events_queued", "lectr_events_written_total", "lectr_events_dropped_total"):
        assert name in after, name
    assert after["lectr_events_written_total"] >= before.get("lectr_events_written_total", 0) + 2
    assert after["lectr_events_dropped_total"] == 0


# ---- events API ------------------------------------------------------------------------------------


def test_events_api_needs_a_valid_key(gateway: Gateway) -> None:
    missing = httpx.get(gateway.url + "/api/v1/events", timeout=10)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_lectr_key"
    wrong = gateway.api("/api/v1/events", "lc_key_not-a-key")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_lectr_key"


def test_event_has_every_field_and_appears_quickly(gateway: Gateway, org_key: str) -> None:
    request_id = _chat(gateway, org_key, **{"X-Lectr-Feature": "search", "X-Lectr-Task": "classification"})
    [event] = gateway.wait_events(org_key, 1, timeout=2.0)
    assert EVENT_FIELDS <= set(event), EVENT_FIELDS - set(event)
    assert event["request_id"] == request_id
    assert (event["feature"], event["task_type"]) == ("search", "classification")
    assert event["endpoint"] and event["provider"] == "openai"
    stamp = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
    assert stamp.tzinfo is not None and abs((datetime.now(timezone.utc) - stamp).total_seconds()) < 60


def test_feature_defaults_to_untagged_and_task_is_stored_as_is(gateway: Gateway, org_key: str) -> None:
    untagged = _chat(gateway, org_key)
    custom = _chat(gateway, org_key, **{"X-Lectr-Task": "Triage/Urgent v2", "X-Lectr-Feature": "Support Bot"})
    events = {e["request_id"]: e for e in gateway.wait_events(org_key, 2)}
    assert len(events) == 2
    assert events[untagged]["feature"] == "untagged"
    assert events[untagged]["task_type"] is None
    assert events[custom]["feature"] == "Support Bot"
    assert events[custom]["task_type"] == "Triage/Urgent v2"


def test_each_org_sees_only_its_own_events(gateway: Gateway) -> None:
    suffix = time.time_ns()
    key_a = gateway.create_org(f"ops-a-{suffix}")
    key_b = gateway.create_org(f"ops-b-{suffix}")
    mine_a = {_chat(gateway, key_a, **{"X-Lectr-Feature": "a"}) for _ in range(2)}
    mine_b = {_chat(gateway, key_b, **{"X-Lectr-Feature": "b"})}

    events_a = gateway.wait_events(key_a, 2)
    events_b = gateway.wait_events(key_b, 1)
    assert len(mine_a) == 2
    assert set(_ids(events_a)) == mine_a and {e["feature"] for e in events_a} == {"a"}
    assert set(_ids(events_b)) == mine_b and {e["feature"] for e in events_b} == {"b"}
    # a filter cannot reach the other org's events either
    assert gateway.events(key_a, feature="b") == []


def test_events_newest_first_filters_and_limit(gateway: Gateway, org_key: str) -> None:
    sent: list[str] = []
    sent.append(_chat(gateway, org_key, "gpt-4o", **{"X-Lectr-Feature": "search", "X-Lectr-Task": "classification"}))
    raw = groq_via(gateway.url, org_key).chat.completions.with_raw_response.create(
        model="llama-3.1-8b-instant", messages=_messages(), extra_headers={"X-Lectr-Feature": "chat",
                                                                        "X-Lectr-Task": "summarisation"})
    sent.append(raw.http_response.headers["x-request-id"])
    since = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    sent.append(_chat(gateway, org_key, "gpt-4o-mini", **{"X-Lectr-Feature": "search", "X-Lectr-Task": "extraction"}))
    with pytest.raises(openai.InternalServerError) as failed:
        openai_via(gateway.url, org_key, **{"X-Fake-Scenario": "status:500"}).chat.completions.create(
            model="gpt-4o", messages=_messages())
    sent.append(failed.value.response.headers["x-request-id"])
    r1, r2, r3, r4 = sent
    assert len(set(sent)) == 4

    events = gateway.wait_events(org_key, 4)
    assert _ids(events) == [r4, r3, r2, r1]  # newest first
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps, reverse=True)

    def ids(**filters) -> set[str]:
        found = gateway.events(org_key, **filters)
        assert len(found) < len(events) or not filters
        return set(_ids(found))

    assert ids(provider="groq") == {r2}
    assert ids(provider="openai") == {r1, r3, r4}
    assert ids(model="gpt-4o-mini") == {r3}
    assert ids(model="llama-3.1-8b-instant") == {r2}
    assert ids(feature="search") == {r1, r3}
    assert ids(feature="untagged") == {r4}
    assert ids(task="classification") == {r1}
    assert ids(task="summarisation") == {r2}
    assert ids(status=500) == {r4}
    assert ids(status=200) == {r1, r2, r3}
    assert ids(since=since) == {r3, r4}
    assert ids(provider="openai", feature="search") == {r1, r3}
    assert ids(provider="anthropic") == set()

    assert _ids(gateway.events(org_key, limit=2)) == [r4, r3]
    assert _ids(gateway.events(org_key, limit=1)) == [r4]

    [failure] = gateway.events(org_key, status=500)
    assert failure["error_source"] == "provider" and failure["error_category"]
