"""GET /api/v1/recommendations and /api/v1/events for the dashboard: the session cookie works like X-Lectr-Key,
one org's session never sees another's, and the response is the shape the OpenAPI description gives."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from lectr.api.openapi import DOCUMENT
from tests.dashboard.browserless import signed_in
from tests.dashboard.recommendation_traffic import (
    CLASSIFIER_REQUESTS, DIGEST_REQUESTS, PLANNER_REQUESTS, send_recommendation_traffic,
)
from tests.dashboard.traffic import Org, make_org
from tests.fakes.server import FakeProviders
from tests.support.gateway import Gateway


@pytest.fixture(scope="module")
def advised(gateway: Gateway, fakes: FakeProviders) -> Org:
    """An org whose traffic yields one recommendation and two skipped groups."""
    org = make_org(gateway, fakes, "advised-org")
    send_recommendation_traffic(gateway, org)
    return org


def by_key(org: Org, gateway: Gateway, path: str) -> dict[str, Any]:
    response = gateway.api(path, org.key)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("path", ["/api/v1/recommendations", "/api/v1/events"])
def test_neither_route_answers_without_a_key_or_a_session(gateway: Gateway, path: str) -> None:
    missing = httpx.get(gateway.url + path, timeout=10)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_lectr_key"
    wrong = httpx.get(gateway.url + path, headers={"X-Lectr-Key": "lc_key_nope"}, timeout=10)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_lectr_key"
    forged = httpx.get(gateway.url + path, cookies={"lectr_session": "forged.cookie"}, timeout=10)
    assert forged.status_code == 401


def test_the_session_cookie_reads_the_same_recommendations_as_the_key(gateway: Gateway, advised: Org) -> None:
    browser, _ = signed_in(gateway, advised.key)
    for days in (7, 30):
        response = browser.get("/api/v1/recommendations", params={"days": days})
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.json() == by_key(advised, gateway, f"/api/v1/recommendations?days={days}")
    report = browser.get("/api/v1/recommendations").json()
    assert report["window_days"] == 30
    [rec] = report["data"]
    assert (rec["feature"], rec["task_type"], rec["model"]) == ("classifier", "classification", "gpt-4o")
    assert (rec["recommended_model"], rec["confidence"], rec["requests"]) == ("gpt-4o-mini", "high", CLASSIFIER_REQUESTS)
    skipped = {s["feature"]: s for s in report["skipped"]}
    assert set(skipped) == {"planner", "digest"}
    assert skipped["planner"]["requests"] == PLANNER_REQUESTS and "reasoning" in skipped["planner"]["reason"]
    assert skipped["digest"]["requests"] == DIGEST_REQUESTS and "too little traffic" in skipped["digest"]["reason"]
    bad = browser.get("/api/v1/recommendations", params={"days": "soon"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "days"


def test_the_session_cookie_reads_the_orgs_events(gateway: Gateway, advised: Org) -> None:
    browser, _ = signed_in(gateway, advised.key)
    response = browser.get("/api/v1/events", params={"feature": "digest"})
    assert response.status_code == 200, response.text
    events = response.json()["data"]
    assert len(events) == DIGEST_REQUESTS and {e["task_type"] for e in events} == {"summarisation"}
    assert response.json() == by_key(advised, gateway, "/api/v1/events?feature=digest")


def test_another_orgs_session_never_sees_these_recommendations_or_events(
    gateway: Gateway, advised: Org, new_org: Org
) -> None:
    intruder, _ = signed_in(gateway, new_org.key)
    assert intruder.get("/api/v1/recommendations").json() == {
        "window_days": 30, "min_requests": 50, "data": [], "skipped": []}
    assert intruder.get("/api/v1/events", params={"limit": 1000}).json()["data"] == []
    # a header wins over the cookie: the session's own org is not widened by sending someone's key...
    mixed = intruder.get("/api/v1/recommendations", headers={"X-Lectr-Key": "lc_key_not-a-key"})
    assert mixed.status_code == 401
    # ... and the owner still sees its own
    assert [r["feature"] for r in by_key(advised, gateway, "/api/v1/recommendations")["data"]] == ["classifier"]


def test_the_response_has_the_documented_shape(gateway: Gateway, advised: Org) -> None:
    schema = DOCUMENT["components"]["schemas"]["Recommendations"]
    report = by_key(advised, gateway, "/api/v1/recommendations")
    assert set(report) == set(schema["properties"]) == set(schema["required"])
    item = schema["properties"]["data"]["items"]
    skipped = schema["properties"]["skipped"]["items"]
    assert all(set(r) == set(item["properties"]) for r in report["data"]) and report["data"]
    assert all(set(s) == set(skipped["properties"]) for s in report["skipped"]) and report["skipped"]
    operation = DOCUMENT["paths"]["/api/v1/recommendations"]["get"]
    assert "security" not in operation  # the document's default: X-Lectr-Key or the session cookie
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Recommendations")
