"""Build the application: wiring only. Live objects are created at start-up and closed at shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator

from aiohttp import web

from lectr.config import Settings
from lectr.events.sink import EventSink
from lectr.ops.metrics import Metrics
from lectr.ops.routes import OpsRoutes
from lectr.pricing import Pricer
from lectr.proxy.auth import KeyCache
from lectr.proxy.handler import Proxy
from lectr.proxy.upstream import make_session
from lectr.store import Store, open_store

log = logging.getLogger("lectr")
STORE = web.AppKey("store", Store)  # type: ignore[type-abstract]
SINK = web.AppKey("sink", EventSink)
KEYS = web.AppKey("keys", KeyCache)


def build_app(settings: Settings, store: Store | None = None) -> web.Application:
    app = web.Application(client_max_size=settings.max_body_bytes + 1, handler_args={"max_field_size": 65536})
    store = store or open_store(settings.resolved_database_url)
    metrics = Metrics()
    pricer = Pricer()
    sink = EventSink(
        store, pricer, max_queue=settings.queue_max_events, batch=settings.batch_max_events,
        interval=settings.batch_interval_seconds,
    )
    keys = KeyCache(store, settings.key_refresh_seconds)
    app[STORE], app[SINK], app[KEYS] = store, sink, keys
    ops = OpsRoutes(store, sink, keys, metrics)
    proxy = Proxy(settings, keys, sink, metrics)
    app.router.add_get("/health", ops.health)
    app.router.add_get("/metrics", ops.metrics_text)
    app.router.add_get("/api/v1/events", ops.events)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await store.open()
        await keys.refresh()
        session = proxy.session = make_session(settings)
        tasks = [asyncio.create_task(keys.run()), asyncio.create_task(sink.run())]
        yield
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if not await sink.drain():
            log.error("shutting down with %d events not written: the store is unavailable", sink.depth)
        await session.close()
        await store.close()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_route("*", "/{tail:.*}", proxy.handle)
    return app
