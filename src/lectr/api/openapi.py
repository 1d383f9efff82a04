"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of every /api/v1 route (a test checks none is missing)."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from lectr.api.openapi_schemas import SCHEMAS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


PERIOD = _query("period", "Last hour, 24 hours, 7 days or 30 days; compared with the period before it.",
                {"type": "string", "enum": ["1h", "24h", "7d", "30d"], "default": "24h"})
ERRORS = {
    "401": {"description": "Missing or invalid org key / no session", "content": {"application/json": {"schema": _ref("Error")}}},
    "503": {"description": "The event store cannot be reached", "content": {"application/json": {"schema": _ref("Error")}}},
}
CHANGE_ERRORS = {
    **ERRORS,
    "400": {"description": "Invalid body", "content": {"application/json": {"schema": _ref("Error")}}},
    "403": {"description": "Session request without the right X-CSRF-Token", "content": {"application/json": {"schema": _ref("Error")}}},
}


def _get(summary: str, schema: str, params: list[dict[str, Any]] | None = None, tag: str = "dashboard") -> dict[str, Any]:
    return {"get": {
        "summary": summary, "tags": [tag], "parameters": params or [],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}}, **ERRORS},
    }}


def _post(summary: str, schema: str, body: str | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary, "tags": ["settings"],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}}, **CHANGE_ERRORS},
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    return {"post": operation}


LOG_FILTERS = [
    _query("provider", "openai, anthropic, groq, gemini or azure"),
    _query("model", "Matches the model requested, sent upstream or reported"),
    _query("feature", "X-Lectr-Feature value (`untagged` when none was sent)"),
    _query("task", "X-Lectr-Task value"),
    _query("status", "HTTP status code", {"type": "integer"}),
    _query("streaming", "Only streamed (true) or only whole (false) answers", {"type": "boolean"}),
    _query("provider_unknown", "Only requests whose provider could (not) be detected", {"type": "boolean"}),
    _query("before_id", "Keyset pagination: events older than this id (use next_before_id)", {"type": "integer"}),
    _query("limit", "Page size (events default 100, max 1000; requests default 50, max 500)", {"type": "integer"}),
]

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/overview": _get("Requests/min, error rate, p95 latency, cost/hour and totals with change; "
                             "time series; provider health cards; gateway status", "Overview", [PERIOD]),
    "/api/v1/models": _get("Model distribution across providers", "Models",
                           [PERIOD, _query("provider", "Only this provider's models")]),
    "/api/v1/cost": _get("Spend per provider and per model with period-over-period change", "Cost", [PERIOD]),
    "/api/v1/providers": _get("Provider health from the org's own traffic", "ProviderHealthView", [PERIOD]),
    "/api/v1/features": _get("Cost, requests, latency, errors and tokens per X-Lectr-Feature", "Tagged", [PERIOD]),
    "/api/v1/tasks": _get("The same per X-Lectr-Task", "Tagged", [PERIOD]),
    "/api/v1/requests": _get("The request log of the period, newest first, filtered", "RequestLog", [PERIOD, *LOG_FILTERS]),
    "/api/v1/events": _get("The org's raw events, newest first, filtered", "EventPage",
                           [*LOG_FILTERS, _query("since", "ISO 8601 time or epoch seconds")], tag="events"),
    "/api/v1/recommendations": _get("Cheaper models within each provider where the org's own traffic allows it, "
                                    "with the saving priced from its token volumes; and the groups skipped, with why",
                                    "Recommendations", [_query("days", "Window in days (1–400)", {"type": "number", "default": 30})],
                                    tag="recommendations"),
    "/api/v1/status": _get("Store reachability and dropped events", "GatewayStatus", tag="ops"),
    "/api/v1/settings": _get("The org's keys (fingerprints only) and Azure OpenAI set-up", "Settings", tag="settings"),
    "/api/v1/keys": _post("Create an additional key for the org; the new key is returned once, the others keep working", "NewKey"),
    "/api/v1/keys/rotate": _post("Replace the org's key; the new key is returned once, the old stops working", "NewKey"),
    "/api/v1/settings/azure": _post("Set the Azure OpenAI endpoint and API version", "AzureConfig", "AzureConfig"),
    "/api/v1/settings/azure/deployments": _post("Price an Azure deployment as a base model", "AzureDeployment",
                                                "AzureDeployment"),
    "/api/v1/openapi.json": {"get": {"summary": "This document", "tags": ["meta"], "security": [],
                                     "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
}

PATHS["/api/v1/recommendations"]["get"]["responses"]["400"] = {
    "description": "days is not a number between 1 and 400", "content": {"application/json": {"schema": _ref("Error")}}}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Lectr API", "version": "1",
        "description": "Per-org data behind the Lectr dashboard. Authenticate with the X-Lectr-Key header, or "
        "with the dashboard's session cookie; session requests that change anything must send the session's "
        "X-CSRF-Token header. Amounts are USD; `cost_usd` null means unpriced (never $0). Times are UTC.",
    },
    "security": [{"LectrKey": []}, {"Session": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "LectrKey": {"type": "apiKey", "in": "header", "name": "X-Lectr-Key"},
            "Session": {"type": "apiKey", "in": "cookie", "name": "lectr_session"},
        },
        "schemas": SCHEMAS,
    },
}


async def serve_openapi(request: web.Request) -> web.Response:
    return web.Response(body=orjson.dumps(DOCUMENT), content_type="application/json")


def openapi_route() -> web.RouteDef:
    return web.get("/api/v1/openapi.json", serve_openapi)
