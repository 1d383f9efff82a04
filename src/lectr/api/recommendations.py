"""GET /api/v1/recommendations?days=30: the org's recommendations, and the groups skipped with the reason.

Authenticated like the dashboard's other JSON views: the X-Lectr-Key header, or the dashboard's session
cookie (the Recommendations page reads this route).
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from aiohttp import web

from lectr.api.dashboard import StoreUnavailable, json_response
from lectr.dashboard.access import Access
from lectr.envelope import error_response
from lectr.errors import BadRequest, LectrError
from lectr.insights.recommendations import recommend
from lectr.pricing import Pricer
from lectr.store.base import Store

log = logging.getLogger("lectr.dashboard")


def days_param(raw: str | None) -> float:
    try:
        days = float(raw) if raw else 30.0
    except ValueError:
        raise BadRequest("days must be a number.", param="days") from None
    if not 1 <= days <= 400:
        raise BadRequest("days must be between 1 and 400.", param="days")
    return days


class RecommendationsApi:
    def __init__(self, store: Store, access: Access, pricer: Pricer, clock: Callable[[], float] = time.time) -> None:
        self.store, self.access, self.pricer, self.clock = store, access, pricer, clock

    async def handle(self, request: web.Request) -> web.Response:
        try:
            caller = await self.access.caller(request)
            days = days_param(request.query.get("days"))
            try:
                report = await recommend(
                    self.store, self.pricer, caller.org.id, int(self.clock() * 1000), days, caller.org.azure_deployments
                )
            except LectrError:
                raise
            except Exception as exc:
                log.error("recommendations query failed: %s", type(exc).__name__)
                raise StoreUnavailable("The event store cannot be reached; try again shortly.") from None
        except LectrError as err:
            return error_response(err, "openai", "req_api")
        return json_response(report.as_dict())

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/api/v1/recommendations", self.handle)]
