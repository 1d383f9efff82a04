"""The hot path, top to bottom: route → auth → read → detect → forward → relay → record."""

from __future__ import annotations

import asyncio
import itertools
import os
import time

from aiohttp import web
from multidict import CIMultiDict

from lectr.config import Settings
from lectr.envelope import error_response
from lectr.errors import LectrError, NotFound
from lectr.events.record import Event
from lectr.events.sink import EventSink
from lectr.ops.metrics import Metrics
from lectr.proxy import request as client_request
from lectr.proxy.auth import KeyCache, Org
from lectr.proxy.client import UpstreamClient
from lectr.proxy.limits import OrgLimits
from lectr.proxy.request import ClientRequest
from lectr.proxy.detect import detect
from lectr.proxy.paths import Route, match, wire_for_path
from lectr.proxy.relay import mark_client_gone, relay_stream, relay_whole
from lectr.proxy.upstream import finish, open_response, provider_key, upstream_headers, upstream_url

_MAX_TAG = 200


class Proxy:
    """Owns nothing: the upstream pool is handed in at start-up (it needs a running loop)."""

    session: UpstreamClient

    def __init__(self, settings: Settings, keys: KeyCache, sink: EventSink, metrics: Metrics) -> None:
        self.settings, self.keys, self.sink, self.metrics = settings, keys, sink, metrics
        self.limits = OrgLimits(settings.org_requests_per_minute, settings.org_max_streams)
        self._ids = RequestIds()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        t0 = time.perf_counter()
        request_id = self._ids.next()
        route = match(request.method, request.path)
        wire = route.wire if route else wire_for_path(request.path)
        event: Event | None = None
        try:
            if route is None:
                raise NotFound(
                    f"Unknown path {request.method} {request.path}. Point your SDK's base URL at "
                    f"http://{request.host}/v1 (Anthropic and Groq SDKs: the same URL works)."
                )
            org = self.keys.resolve(request.headers.get("x-lectr-key"))
            event = _new_event(org, route, request, request_id)
            self.limits.check_rate(org.id)
            return await self._forward(request, route, org, event, t0)
        except LectrError as err:
            if event is not None:
                event.status_code = err.status
                event.error_category, event.error_source = err.code, err.source
            self.metrics.proxy_error(err.code)
            return error_response(err, wire, request_id)
        except asyncio.CancelledError:  # the client went away; aiohttp cancels the handler
            if event is not None and not event.streaming:  # a stream's relay knows whether it was complete
                mark_client_gone(event)
            raise
        finally:
            if event is not None:
                event.latency_ms = (time.perf_counter() - t0) * 1000
                self.metrics.observe(event)
                self.sink.put(event)

    async def _forward(
        self, request: web.Request, route: Route, org: Org, event: Event, t0: float
    ) -> web.StreamResponse:
        body = await client_request.read(request, route, self.settings.max_body_bytes)
        provider, unknown = detect(request.headers.get("x-lectr-provider"), route, body.model)
        event.provider, event.provider_unknown = provider, unknown
        event.model_requested = event.model_actual = body.model
        url = upstream_url(self.settings, route, provider, org, body.model, request.query_string)
        headers = upstream_headers(request.headers, provider, provider_key(request.headers))
        slot = self.limits.open_stream(org.id) if body.stream else False
        try:
            return await self._exchange(request, route, url, headers, body, event, t0)
        finally:
            if slot:
                self.limits.close_stream(org.id)

    async def _exchange(
        self, request: web.Request, route: Route, url: str, headers: CIMultiDict[str],
        body: ClientRequest, event: Event, t0: float,
    ) -> web.StreamResponse:
        resp = await open_response(self.session, route.method, url, headers, body.body)
        try:
            if resp.content_type == "text/event-stream":
                return await relay_stream(request, resp, route.wire, event, t0, body.injected_usage)
            return await relay_whole(resp, route.wire, event, t0)
        finally:
            finish(resp)


class RequestIds:
    """Unique ids without a syscall per request: a random per-process prefix and a counter."""

    def __init__(self) -> None:
        self._prefix = "req_" + os.urandom(6).hex()
        self._count = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._count):010x}"


def _new_event(org: Org, route: Route, request: web.Request, request_id: str) -> Event:
    headers = request.headers
    return Event(
        org_id=org.id,
        request_id=request_id,
        ts_ms=int(time.time() * 1000),
        endpoint=route.endpoint,
        provider=route.default_provider or "openai",
        provider_unknown=False,
        model_requested=None,
        model_actual=route.deployment,
        feature=(headers.get("x-lectr-feature") or "untagged").strip()[:_MAX_TAG] or "untagged",
        task_type=(headers.get("x-lectr-task") or "").strip()[:_MAX_TAG] or None,
    )
