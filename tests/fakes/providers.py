"""Routes of each fake provider and the aiohttp application serving them.

Every request goes: record -> authenticate (dialect rules) -> X-Fake-Scenario -> JSON parse -> handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from tests.fakes import anthropic_wire, openai_wire, responses_wire
from tests.fakes.dialects import auth_failure, error_response, success_headers
from tests.fakes.facts import Facts, facts_for
from tests.fakes.scenarios import (
    Scenario,
    ScenarioError,
    StreamPlan,
    before_response,
    parse_scenario,
    serve_body,
    serve_stream,
)

Recorder = Callable[[str, web.Request, bytes], None]


@dataclass(frozen=True)
class Call:
    """One authenticated, parsed request handed to a route handler."""

    request: web.Request
    provider: str
    dialect: str
    raw: bytes
    body: dict[str, Any]
    headers: Mapping[str, str]  # lower-cased keys
    scenario: Scenario
    on_disconnect: Callable[[], None]

    @property
    def flavor(self) -> str:
        """openai_wire flavor: the provider name (Anthropic's compat endpoint is "anthropic")."""
        return self.provider

    @property
    def deployment(self) -> str | None:
        return self.request.match_info.get("deployment")

    @property
    def streaming(self) -> bool:
        return self.body.get("stream") is True

    @property
    def include_usage(self) -> bool:
        options = self.body.get("stream_options")
        return isinstance(options, dict) and options.get("include_usage") is True

    def facts(self) -> Facts:
        # Azure: the deployment in the URL names the model (the body's "model" is optional there).
        return facts_for(self.provider, self.body, self.headers, model=self.deployment)

    def error(self, status: int, message: str) -> web.Response:
        return error_response(self.dialect, status, message, self.raw)

    def missing(self, *fields: str) -> web.Response | None:
        for name in fields:
            if name not in self.body:
                return self.error(400, f"Missing required parameter: '{name}'.")
        return None

    async def reply(self, payload: bytes, seed: str) -> web.StreamResponse:
        headers = success_headers(self.dialect, seed, False)
        return await serve_body(self.request, payload, headers, self.scenario, self.on_disconnect)

    async def stream(self, plan: StreamPlan, seed: str) -> web.StreamResponse:
        headers = success_headers(self.dialect, seed, True)
        return await serve_stream(self.request, plan, headers, self.scenario, self.on_disconnect)


Handler = Callable[[Call], Awaitable[web.StreamResponse]]


async def chat_completions(call: Call) -> web.StreamResponse:
    if problem := call.missing("messages") or (None if call.dialect == "azure" else call.missing("model")):
        return problem
    facts = call.facts()
    if call.streaming:
        plan = openai_wire.chat_stream(call.flavor, facts, call.include_usage, call.deployment)
        return await call.stream(plan, facts.digest)
    return await call.reply(openai_wire.chat_completion(call.flavor, facts, call.deployment), facts.digest)


async def completions(call: Call) -> web.StreamResponse:
    if problem := call.missing("model", "prompt"):
        return problem
    facts = call.facts()
    if call.streaming:
        return await call.stream(openai_wire.text_completion_stream(facts, call.include_usage), facts.digest)
    return await call.reply(openai_wire.text_completion(facts), facts.digest)


async def embeddings(call: Call) -> web.StreamResponse:
    if problem := call.missing("input") or (None if call.dialect == "azure" else call.missing("model")):
        return problem
    seed = call.facts().digest
    return await call.reply(openai_wire.embeddings(call.flavor, call.body, call.deployment), seed)


async def responses(call: Call) -> web.StreamResponse:
    if problem := call.missing("model"):
        return problem
    facts = call.facts()
    if call.streaming:
        return await call.stream(responses_wire.response_stream(facts, call.body), facts.digest)
    return await call.reply(responses_wire.response(facts, call.body), facts.digest)


async def models(call: Call) -> web.StreamResponse:
    return await call.reply(openai_wire.models_list(call.flavor), "models")


async def anthropic_messages(call: Call) -> web.StreamResponse:
    if problem := anthropic_wire.validation_error(call.body):
        return call.error(400, problem)
    facts = call.facts()
    if call.streaming:
        return await call.stream(anthropic_wire.message_stream(facts), facts.digest)
    return await call.reply(anthropic_wire.message(facts), facts.digest)


async def anthropic_models(call: Call) -> web.StreamResponse:
    return await call.reply(anthropic_wire.models_list(), "models")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    dialect: str
    handler: Handler


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    base_path: str  # appended to http://127.0.0.1:PORT for FakeProviders.base_urls
    dialect: str  # for unknown paths
    routes: tuple[Route, ...]


SPECS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "openai",
        "/v1",
        "openai",
        (
            Route("POST", "/v1/chat/completions", "openai", chat_completions),
            Route("POST", "/v1/completions", "openai", completions),
            Route("POST", "/v1/embeddings", "openai", embeddings),
            Route("POST", "/v1/responses", "openai", responses),
            Route("GET", "/v1/models", "openai", models),
        ),
    ),
    ProviderSpec(
        "anthropic",
        "/v1",
        "anthropic",
        (
            Route("POST", "/v1/messages", "anthropic", anthropic_messages),
            Route("GET", "/v1/models", "anthropic", anthropic_models),
            Route("POST", "/v1/chat/completions", "anthropic-compat", chat_completions),
        ),
    ),
    ProviderSpec(
        "groq",
        "/openai/v1",
        "groq",
        (
            Route("POST", "/openai/v1/chat/completions", "groq", chat_completions),
            Route("GET", "/openai/v1/models", "groq", models),
        ),
    ),
    ProviderSpec(
        "gemini",
        "/v1beta/openai",
        "gemini",
        (
            Route("POST", "/v1beta/openai/chat/completions", "gemini", chat_completions),
            Route("POST", "/v1beta/openai/embeddings", "gemini", embeddings),
            Route("GET", "/v1beta/openai/models", "gemini", models),
        ),
    ),
    ProviderSpec(
        "azure",
        "",
        "azure",
        (
            Route("POST", "/openai/deployments/{deployment}/chat/completions", "azure", chat_completions),
            Route("POST", "/openai/deployments/{deployment}/embeddings", "azure", embeddings),
        ),
    ),
)


def lower_headers(request: web.Request) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in request.headers.items():
        k = key.lower()
        out[k] = f"{out[k]}, {value}" if k in out else value
    return out


def _endpoint(
    provider: str, route: Route, on_disconnect: Callable[[], None]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def endpoint(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        headers = lower_headers(request)
        if failure := auth_failure(route.dialect, headers, request.query):
            return error_response(route.dialect, failure[0], failure[1], raw)
        try:
            scenario = parse_scenario(headers)
        except ScenarioError as exc:
            return error_response(route.dialect, 400, str(exc), raw)
        early = await before_response(request, scenario, lambda s, m: error_response(route.dialect, s, m, raw))
        if early is not None:
            return early
        body: object = {}
        if request.method == "POST":
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return error_response(route.dialect, 400, "We could not parse the JSON body of your request.", raw)
        if not isinstance(body, dict):
            return error_response(route.dialect, 400, "The request body must be a JSON object.", raw)
        call = Call(request, provider, route.dialect, raw, body, headers, scenario, on_disconnect)
        return await route.handler(call)

    return endpoint


def build_app(spec: ProviderSpec, record: Recorder, on_disconnect: Callable[[], None]) -> web.Application:
    """The aiohttp app of one provider; `record` sees every request (raw body) before anything else."""

    @web.middleware
    async def recording(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        record(spec.name, request, await request.read())
        return await handler(request)

    async def not_found(request: web.Request) -> web.StreamResponse:
        message = (
            "Resource not found" if spec.dialect == "azure" else f"Unknown request URL: {request.method} {request.path}"
        )
        return error_response(spec.dialect, 404, message, await request.read())

    app = web.Application(middlewares=[recording], client_max_size=64 * 1024 * 1024)
    for route in spec.routes:
        app.router.add_route(route.method, route.path, _endpoint(spec.name, route, on_disconnect))
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app
