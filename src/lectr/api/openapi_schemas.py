"""The JSON shapes of the /api/v1 responses, as OpenAPI 3.1 schemas."""

from __future__ import annotations

from typing import Any

NUM = {"type": "number"}
INT = {"type": "integer"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": [schema["type"], "null"]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(properties)
    return schema


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


FIGURES = {
    "requests": INT, "errors": INT, "error_rate": nullable(NUM),
    "cost_usd": {**nullable(NUM), "description": "null when every request was unpriced"},
    "unpriced_requests": INT, "avg_latency_ms": nullable(NUM), "p50_latency_ms": nullable(NUM),
    "p95_latency_ms": nullable(NUM), "p99_latency_ms": nullable(NUM), "avg_ttfb_ms": nullable(NUM),
    "input_tokens": INT, "output_tokens": INT, "cached_tokens": INT, "reasoning_tokens": INT, "tokens": INT,
}
BREAKDOWN = {
    **FIGURES, "share_of_spend": nullable(NUM), "share_of_requests": nullable(NUM),
    "previous_cost_usd": nullable(NUM), "cost_change": nullable(NUM), "previous_requests": INT,
    "requests_change": nullable(NUM),
}
PERIOD = {"name": {"enum": ["1h", "24h", "7d", "30d"]}, "label": STR, "bucket": {"enum": ["minute", "hour"]},
          "start": STR, "end": STR, "previous_start": STR, "previous_end": STR}
EVENT = {
    "id": INT, "request_id": STR, "timestamp": STR, "endpoint": STR, "provider": STR, "provider_unknown": BOOL,
    "model_requested": nullable(STR), "model_actual": nullable(STR), "model_reported": nullable(STR),
    "streaming": BOOL, "status_code": INT, "error_category": nullable(STR), "error_source": nullable(STR),
    "latency_ms": NUM, "ttfb_ms": nullable(NUM), "input_tokens": nullable(INT), "output_tokens": nullable(INT),
    "cached_tokens": nullable(INT), "cache_write_tokens": nullable(INT), "reasoning_tokens": nullable(INT),
    "token_source": {"enum": ["provider", "estimated", "missing"]}, "cost_usd": nullable(NUM),
    "cost_status": {"enum": ["priced", "estimated", "unpriced"]}, "price_source": nullable(STR),
    "feature": STR, "task_type": nullable(STR), "rule_applied": nullable(STR),
}
HEALTH = {
    "provider": STR, "status": {"enum": ["healthy", "degraded", "down", "idle"]},
    "status_basis": {"enum": ["recent", "period"], "description": "last 15 minutes, or the whole period"},
    **FIGURES, "failure_rate": nullable(NUM), "throttled": INT,
    "errors_by_category": array(obj({"category": STR, "count": INT})),
}

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({"message": STR, "type": STR, "code": STR, "param": nullable(STR)})}),
    "Compared": obj({"value": nullable(NUM), "previous": nullable(NUM),
                     "change": {**nullable(NUM), "description": "relative: 0.25 is +25 %"}}),
    "Period": obj(PERIOD),
    "GatewayStatus": obj({"store_reachable": BOOL, "events_dropped": INT, "events_queued": INT,
                           "events_spooled": {**INT, "description": "kept on disk until the store is back"}}),
    "ProviderHealth": obj(HEALTH),
    "Overview": obj({
        "period": ref("Period"),
        "headline": obj({k: ref("Compared") for k in ("requests_per_min", "error_rate", "p95_latency_ms",
                        "cost_per_hour", "requests", "errors", "cost_usd", "tokens")} | {"unpriced_requests": INT}),
        "series": obj({k: array({}) for k in ("t", "requests", "errors", "cost_usd", "avg_latency_ms",
                                               "p95_latency_ms")}),
        "providers": array(ref("ProviderHealth")), "gateway": ref("GatewayStatus"), "base_url": STR,
    }),
    "Models": obj({"period": ref("Period"), "provider": nullable(STR), "providers": array(STR),
                   "models": array(obj({"model": nullable(STR), "provider": STR, **BREAKDOWN}))}),
    "Cost": obj({
        "period": ref("Period"),
        "total": obj({"value": nullable(NUM), "previous": nullable(NUM), "change": nullable(NUM),
                      "unpriced_requests": INT, "requests": INT}),
        "providers": array(obj({"provider": STR, **BREAKDOWN})),
        "models": array(obj({"model": nullable(STR), "provider": STR, **BREAKDOWN})),
    }),
    "ProviderHealthView": obj({"period": ref("Period"), "providers": array(ref("ProviderHealth"))}),
    "Tagged": obj({
        "period": ref("Period"), "dimension": {"enum": ["feature", "task_type"]},
        "rows": array(obj(BREAKDOWN, required=False)),
        "nudge": {"oneOf": [{"type": "null"}, obj({"share": NUM, "basis": {"enum": ["spend", "requests"]},
                                                   "header": STR, "message": STR})]},
    }),
    "Event": obj(EVENT, required=False),
    "EventPage": obj({"data": array(ref("Event")), "next_before_id": nullable(INT)}),
    "RequestLog": obj({
        "period": ref("Period"), "filters": {"type": "object"},
        "options": obj({k: array({}) for k in ("provider", "model", "feature", "task", "status")}),
        "data": array(ref("Event")), "next_before_id": nullable(INT),
    }),
    "Settings": obj({
        "org": obj({"id": INT, "name": STR}),
        "keys": array(obj({"fingerprint": STR, "current": BOOL})),
        "azure": obj({"endpoint": nullable(STR), "api_version": STR,
                      "deployments": array(ref("AzureDeployment"))}),
        "base_url": STR,
    }),
    "Recommendations": obj({
        "window_days": NUM,
        "min_requests": {**INT, "description": "fewest requests a group needs in the window to be judged"},
        "data": array(obj({
            "feature": STR, "task_type": nullable(STR), "provider": STR, "model": STR,
            "recommended_model": {**STR, "description": "the conservative target, always of the same provider"},
            "aggressive_model": {**nullable(STR), "description": "a cheaper still target, where one is offered"},
            "confidence": {"enum": ["high", "medium"]}, "requests": INT,
            "current_cost_usd": {**NUM, "description": "what the group's traffic cost in the window"},
            "alternative_cost_usd": {**NUM, "description": "the same token volumes at the target's prices"},
            "saving_usd": NUM, "saving_per_month_usd": {**NUM, "description": "the saving projected to 30 days"},
            "window_days": NUM, "reasons": {**array(STR), "description": "the signals behind it"},
            "action": {**STR, "description": "what to do: the model to switch to"},
        })),
        "skipped": {**array(obj({"feature": STR, "task_type": nullable(STR), "provider": STR, "model": STR,
                                 "requests": INT, "reason": STR})),
                    "description": "groups with no recommendation, and why (reasoning, too little traffic, …)"},
    }),
    "NewKey": obj({"key": STR, "fingerprint": STR, "message": STR}),
    "AzureConfig": obj({"endpoint": STR, "api_version": STR}),
    "AzureDeployment": obj({"deployment": STR, "model": STR}),
}
