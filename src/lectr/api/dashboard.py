"""JSON twins of the dashboard views: GET /api/v1/{overview,models,cost,providers,features,tasks,requests}."""

from __future__ import annotations

import logging
import time
from typing import Any, Awaitable, Callable

import orjson
from aiohttp import web

from lectr.api.request_log import request_log
from lectr.dashboard.access import Access
from lectr.envelope import error_response
from lectr.errors import LectrError
from lectr.events.sink import EventSink
from lectr.insights import reports
from lectr.insights.periods import period_named
from lectr.store.base import Store

log = logging.getLogger("lectr.dashboard")
View = Callable[[reports.Scope, web.Request], Awaitable[dict[str, Any]]]


class StoreUnavailable(LectrError):
    status = 503
    type = "server_error"
    code = "store_unavailable"


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(data), content_type="application/json",
                        headers={"Cache-Control": "no-store"})


def base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


class DashboardApi:
    def __init__(self, store: Store, access: Access, sink: EventSink, clock: Callable[[], float] = time.time) -> None:
        self.store, self.access, self.sink, self.clock = store, access, sink, clock

    async def gateway_status(self) -> dict[str, Any]:
        try:
            reachable = await self.store.ping()
        except Exception:
            reachable = False
        return {"store_reachable": reachable and self.sink.store_ok, "events_dropped": self.sink.dropped,
                "events_queued": self.sink.depth, "events_spooled": self.sink.spooled}

    async def answer(self, request: web.Request, view: View) -> web.Response:
        try:
            caller = await self.access.caller(request)
            scope = reports.Scope(caller.org.id, period_named(request.query.get("period")), int(self.clock() * 1000))
            try:
                return json_response(await view(scope, request))
            except LectrError:
                raise
            except Exception as exc:
                log.error("dashboard query failed: %s", type(exc).__name__)
                raise StoreUnavailable("The event store cannot be reached; try again shortly.") from None
        except LectrError as err:
            return error_response(err, "openai", "req_api")

    async def overview(self, request: web.Request) -> web.Response:
        async def view(scope: reports.Scope, request: web.Request) -> dict[str, Any]:
            data = await reports.overview(self.store, scope)
            return {**data, "gateway": await self.gateway_status(), "base_url": base_url(request)}
        return await self.answer(request, view)

    async def models(self, request: web.Request) -> web.Response:
        return await self.answer(request, lambda s, r: reports.models(self.store, s, r.query.get("provider") or None))

    async def cost(self, request: web.Request) -> web.Response:
        return await self.answer(request, lambda s, r: reports.cost(self.store, s))

    async def providers(self, request: web.Request) -> web.Response:
        return await self.answer(request, lambda s, r: reports.health(self.store, s))

    async def features(self, request: web.Request) -> web.Response:
        return await self.answer(request, lambda s, r: reports.tagged(self.store, s, "feature"))

    async def tasks(self, request: web.Request) -> web.Response:
        return await self.answer(request, lambda s, r: reports.tagged(self.store, s, "task_type"))

    async def requests(self, request: web.Request) -> web.Response:
        return await self.answer(request, lambda s, r: request_log(self.store, s, r.query))

    async def status(self, request: web.Request) -> web.Response:
        """Store reachability and dropped events, for the banner every page shows."""
        try:
            await self.access.caller(request)
        except LectrError as err:
            return error_response(err, "openai", "req_api")
        return json_response(await self.gateway_status())

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/v1/overview", self.overview),
            web.get("/api/v1/models", self.models),
            web.get("/api/v1/cost", self.cost),
            web.get("/api/v1/providers", self.providers),
            web.get("/api/v1/features", self.features),
            web.get("/api/v1/tasks", self.tasks),
            web.get("/api/v1/requests", self.requests),
            web.get("/api/v1/status", self.status),
        ]
