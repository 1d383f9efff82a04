"""The JSON views over real traffic through the gateway: numbers, filters, pagination, isolation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dashboard.traffic import AZURE_DEPLOYMENT, ERRORS, TOTAL_REQUESTS, UNPRICED_MODEL, Org
from tests.support.gateway import Gateway

VIEWS = ("overview", "models", "cost", "providers", "features", "tasks", "requests", "settings", "status")
PROVIDERS = {"openai", "anthropic", "groq", "gemini", "azure"}


def get(gateway: Gateway, org: Org, view: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(f"{gateway.url}/api/v1/{view}", params=params, headers={"X-Lectr-Key": org.key}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return dict(response.json())


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_needs_a_valid_org_key(gateway: Gateway, view: str) -> None:
    missing = httpx.get(f"{gateway.url}/api/v1/{view}", timeout=10)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_lectr_key"
    wrong = httpx.get(f"{gateway.url}/api/v1/{view}", headers={"X-Lectr-Key": "lc_key_nope"}, timeout=10)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_lectr_key"


def test_overview_totals_rates_and_health(gateway: Gateway, shop: Org) -> None:
    data = get(gateway, shop, "overview", period="1h")
    head = data["headline"]
    assert head["requests"]["value"] == TOTAL_REQUESTS and head["errors"]["value"] == ERRORS
    assert head["error_rate"]["value"] == pytest.approx(ERRORS / TOTAL_REQUESTS)
    assert head["requests_per_min"]["value"] > 0 and head["cost_per_hour"]["value"] > 0
    assert head["p95_latency_ms"]["value"] > 0 and head["unpriced_requests"] == 3
    assert head["requests"]["previous"] == 0 and head["requests"]["change"] is None
    assert sum(data["series"]["requests"]) == TOTAL_REQUESTS and len(data["series"]["t"]) == 60
    assert {p["provider"] for p in data["providers"]} == PROVIDERS
    assert data["gateway"] == {"store_reachable": True, "events_dropped": 0, "events_queued": 0, "events_spooled": 0}
    assert data["base_url"] == gateway.url


def test_models_across_providers_and_filtered_by_one(gateway: Gateway, shop: Org) -> None:
    models = {m["model"]: m for m in get(gateway, shop, "models")["models"]}
    assert set(models) == {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022", "llama-3.1-8b-instant",
                           "gemini-1.5-flash", AZURE_DEPLOYMENT, UNPRICED_MODEL}
    assert models["gpt-4o"]["requests"] == 3 and models["gpt-4o"]["errors"] == 1
    assert models[AZURE_DEPLOYMENT]["provider"] == "azure" and models[AZURE_DEPLOYMENT]["cost_usd"] > 0
    assert models[UNPRICED_MODEL]["cost_usd"] is None and models[UNPRICED_MODEL]["unpriced_requests"] == 1
    assert all(m["avg_latency_ms"] > 0 and m["p95_latency_ms"] > 0 for m in models.values())
    only_groq = get(gateway, shop, "models", provider="groq")
    assert [m["model"] for m in only_groq["models"]] == ["llama-3.1-8b-instant"]
    assert set(only_groq["providers"]) == PROVIDERS


def test_cost_per_provider_and_model_with_unpriced_apart(gateway: Gateway, shop: Org) -> None:
    data = get(gateway, shop, "cost", period="7d")
    by_provider = {p["provider"]: p for p in data["providers"]}
    assert set(by_provider) == PROVIDERS
    assert data["total"]["value"] == pytest.approx(sum(p["cost_usd"] or 0 for p in data["providers"]))
    assert data["total"]["unpriced_requests"] == 3
    assert sum(p["share_of_spend"] for p in data["providers"]) == pytest.approx(1.0)
    assert by_provider["anthropic"]["previous_cost_usd"] == 0 and by_provider["anthropic"]["cost_change"] is None


def test_provider_health_categories(gateway: Gateway, shop: Org) -> None:
    cards = {c["provider"]: c for c in get(gateway, shop, "providers")["providers"]}
    assert cards["openai"]["errors_by_category"] == [{"category": "server_error", "count": 1}]
    assert cards["groq"]["errors_by_category"] == [{"category": "rate_limit", "count": 1}]
    assert cards["gemini"]["status"] == "healthy" and cards["gemini"]["avg_ttfb_ms"] > 0
    assert cards["openai"]["status"] == "degraded"   # 1 of 6 failed on the provider's side


def test_features_and_tasks_with_share_and_nudge(gateway: Gateway, shop: Org) -> None:
    features = get(gateway, shop, "features")
    rows = {r["feature"]: r for r in features["rows"]}
    assert set(rows) == {"checkout", "search", "support", "untagged"}
    assert rows["checkout"]["requests"] == 3 and rows["checkout"]["errors"] == 1
    assert features["nudge"]["header"] == "X-Lectr-Feature"
    tasks = {r["task_type"]: r for r in get(gateway, shop, "tasks")["rows"]}
    assert set(tasks) == {"classification", "summarisation", "extraction", "generation", "reasoning", "untagged"}
    assert tasks["reasoning"]["requests"] == 2 and tasks["untagged"]["input_tokens"] > 0


def test_request_log_pages_newest_first_without_gaps(gateway: Gateway, shop: Org) -> None:
    seen: list[int] = []
    before: int | None = None
    while True:
        page = get(gateway, shop, "requests", limit=5, **({"before_id": before} if before else {}))
        seen += [e["id"] for e in page["data"]]
        before = page["next_before_id"]
        if before is None:
            break
    assert len(seen) == TOTAL_REQUESTS and seen == sorted(seen, reverse=True)
    first = get(gateway, shop, "requests")["data"][0]
    for column in ("timestamp", "feature", "task_type", "provider", "model_requested", "model_reported", "status_code",
                   "latency_ms", "ttfb_ms", "input_tokens", "output_tokens", "cost_usd", "streaming", "provider_unknown"):
        assert column in first


@pytest.mark.parametrize("filters, count", [
    ({"provider": "groq"}, 2), ({"status": "500"}, 1), ({"streaming": "true"}, 1), ({"provider_unknown": "true"}, 1),
    ({"feature": "search"}, 3), ({"task": "reasoning"}, 2), ({"model": "gpt-4o-mini"}, 2),
    ({"provider": "openai", "status": "200"}, 5),
])
def test_request_log_filters(gateway: Gateway, shop: Org, filters: dict[str, str], count: int) -> None:
    data = get(gateway, shop, "requests", **filters)
    assert len(data["data"]) == count
    assert {k: v for k, v in data["filters"].items() if v} == filters


def test_request_log_rejects_bad_filters(gateway: Gateway, shop: Org) -> None:
    response = httpx.get(f"{gateway.url}/api/v1/requests?status=abc", headers={"X-Lectr-Key": shop.key}, timeout=10)
    assert response.status_code == 400 and response.json()["error"]["param"] == "status"


def test_one_org_never_sees_another(gateway: Gateway, shop: Org, rival: Org) -> None:
    shop_ids = {e["id"] for e in get(gateway, shop, "requests", limit=500)["data"]}
    rival_ids = {e["id"] for e in get(gateway, rival, "requests", limit=500)["data"]}
    assert len(shop_ids) == len(rival_ids) == TOTAL_REQUESTS and not shop_ids & rival_ids
    for view in ("overview", "models", "cost", "providers", "tasks"):
        assert get(gateway, rival, view)["period"] and "rival-" not in str(get(gateway, shop, view))
    assert get(gateway, rival, "overview")["headline"]["requests"]["value"] == TOTAL_REQUESTS
    assert {r["feature"] for r in get(gateway, rival, "features")["rows"]} == {
        "rival-checkout", "rival-search", "rival-support", "untagged"}
    assert get(gateway, rival, "settings")["org"]["name"] == rival.name


def test_a_new_org_sees_empty_views(gateway: Gateway, new_org: Org) -> None:
    assert get(gateway, new_org, "overview")["headline"]["requests"] == {"value": 0, "previous": 0, "change": None}
    assert get(gateway, new_org, "models")["models"] == [] and get(gateway, new_org, "requests")["data"] == []
