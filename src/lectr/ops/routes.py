"""Handlers for /health, /metrics and the JSON API — everything that is not the proxy."""

from __future__ import annotations

import asyncio
import os

import orjson
from aiohttp import web

from lectr.api.events import page, parse_query
from lectr.dashboard.access import Access
from lectr.envelope import error_response
from lectr.errors import LectrError
from lectr.events.sink import EventSink
from lectr.ops.metrics import Metrics
from lectr.proxy.auth import KeyCache
from lectr.store.base import Store


class OpsRoutes:
    def __init__(
        self, store: Store, sink: EventSink, keys: KeyCache, metrics: Metrics, access: Access | None = None
    ) -> None:
        self.store, self.sink, self.keys, self.metrics, self.access = store, sink, keys, metrics, access

    async def health(self, request: web.Request) -> web.Response:
        try:
            reachable = await asyncio.wait_for(self.store.ping(), 2)  # a hung database must not hang /health
        except Exception:
            reachable = False
        body = {
            "status": "ok" if reachable else "degraded",
            "store_reachable": reachable,
            "event_queue_depth": self.sink.depth,
            "events_spooled": self.sink.spooled,
            "spool_bytes": self.sink.spool_bytes,
            "events_written": self.sink.written,
            "events_dropped": self.sink.dropped,
            "pid": os.getpid(),  # tells `serve --workers N` processes apart
        }
        return web.json_response(body, dumps=lambda o: orjson.dumps(o).decode())

    async def metrics_text(self, request: web.Request) -> web.Response:
        gauges = {
            "lectr_events_queued": ("gauge:Events waiting in memory to be written.", float(self.sink.depth)),
            "lectr_events_written_total": ("counter:Events written to the store.", float(self.sink.written)),
            "lectr_events_spooled": ("gauge:Events waiting in the disk spool for the store.", float(self.sink.spooled)),
            "lectr_spool_bytes": ("gauge:Bytes waiting in the disk spool.", float(self.sink.spool_bytes)),
            "lectr_events_dropped_total": (
                "counter:Events dropped because the memory queue or the disk spool was full.", float(self.sink.dropped)
            ),
            "lectr_store_write_failures_total": ("counter:Failed batch writes.", float(self.sink.failures)),
        }
        return web.Response(text=self.metrics.render(gauges), content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})

    async def events(self, request: web.Request) -> web.Response:
        try:
            if "x-lectr-key" in request.headers or self.access is None:
                # the header is resolved as the proxy resolves it: "this key works here" means one thing
                org = self.keys.resolve(request.headers.get("x-lectr-key"))
            else:
                org = (await self.access.caller(request)).org  # the dashboard's session cookie
            rows = await self.store.query_events(parse_query(org.id, request.query))
        except LectrError as err:
            return error_response(err, "openai", "req_api")
        return web.Response(body=orjson.dumps(page(rows)), content_type="application/json")
