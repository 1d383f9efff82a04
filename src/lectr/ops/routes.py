"""Handlers for /health, /metrics and the JSON API — everything that is not the proxy."""

from __future__ import annotations

import orjson
from aiohttp import web

from lectr.api.events import page, parse_query
from lectr.envelope import error_response
from lectr.errors import LectrError
from lectr.events.sink import EventSink
from lectr.ops.metrics import Metrics
from lectr.proxy.auth import KeyCache
from lectr.store.base import Store


class OpsRoutes:
    def __init__(self, store: Store, sink: EventSink, keys: KeyCache, metrics: Metrics) -> None:
        self.store, self.sink, self.keys, self.metrics = store, sink, keys, metrics

    async def health(self, request: web.Request) -> web.Response:
        try:
            reachable = await self.store.ping()
        except Exception:
            reachable = False
        body = {
            "status": "ok" if reachable else "degraded",
            "store_reachable": reachable,
            "event_queue_depth": self.sink.depth,
            "events_written": self.sink.written,
            "events_dropped": self.sink.dropped,
        }
        return web.json_response(body, dumps=lambda o: orjson.dumps(o).decode())

    async def metrics_text(self, request: web.Request) -> web.Response:
        gauges = {
            "lectr_events_queued": ("gauge:Events waiting in memory to be written.", float(self.sink.depth)),
            "lectr_events_written_total": ("counter:Events written to the store.", float(self.sink.written)),
            "lectr_events_dropped_total": ("counter:Events dropped because the queue was full.", float(self.sink.dropped)),
            "lectr_store_write_failures_total": ("counter:Failed batch writes.", float(self.sink.failures)),
        }
        return web.Response(text=self.metrics.render(gauges), content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})

    async def events(self, request: web.Request) -> web.Response:
        try:
            org = self.keys.resolve(request.headers.get("x-lectr-key"))
            rows = await self.store.query_events(parse_query(org.id, request.query))
        except LectrError as err:
            return error_response(err, "openai", "req_api")
        return web.Response(body=orjson.dumps(page(rows)), content_type="application/json")
