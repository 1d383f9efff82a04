"""Register the dashboard: its pages, the JSON API behind them, settings and the OpenAPI description."""

from __future__ import annotations

from aiohttp import web

from lectr.api.dashboard import DashboardApi
from lectr.api.openapi import openapi_route
from lectr.api.recommendations import RecommendationsApi
from lectr.api.settings import SettingsApi
from lectr.config import Settings
from lectr.dashboard.access import Access, OrgKeys
from lectr.dashboard.cookies import session_secret
from lectr.dashboard.pages import Pages
from lectr.dashboard.sessions import SessionSigner
from lectr.events.sink import EventSink
from lectr.pricing import Pricer
from lectr.proxy.auth import KeyCache
from lectr.store.base import Store


def dashboard_access(keys: KeyCache, settings: Settings) -> Access:
    """Who is asking: an org key in X-Lectr-Key, or a signed-in session (shared with /api/v1/events)."""
    return Access(OrgKeys(keys), SessionSigner(session_secret(settings.session_secret, settings.data_dir)))


def setup_dashboard(app: web.Application, store: Store, sink: EventSink, access: Access, pricer: Pricer) -> None:
    app.router.add_routes(DashboardApi(store, access, sink).routes())
    app.router.add_routes(RecommendationsApi(store, access, pricer).routes())
    app.router.add_routes(SettingsApi(store, access).routes())
    app.router.add_routes([openapi_route()])
    app.router.add_routes(Pages(access).routes())
