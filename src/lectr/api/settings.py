"""The org's settings: its keys (create or rotate, the new key shown once) and its Azure OpenAI set-up."""

from __future__ import annotations

from typing import Any, Awaitable, Callable
from urllib.parse import urlparse

import orjson
from aiohttp import web

from lectr.api.dashboard import base_url, json_response
from lectr.dashboard.access import Access, Caller
from lectr.dashboard.cookies import set_session_cookie
from lectr.envelope import error_response
from lectr.errors import BadRequest, LectrError
from lectr.providers.azure import DEFAULT_API_VERSION
from lectr.proxy.auth import hash_key, new_key
from lectr.store.base import Store

MAX_NAME = 200


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise BadRequest("The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def _text(body: dict[str, Any], name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise BadRequest(f"{name} is required (a string of at most {MAX_NAME} characters).", param=name)
    return value.strip()


def _endpoint(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise BadRequest("endpoint must be an http(s) URL such as https://my-resource.openai.azure.com.",
                         param="endpoint")
    return value.rstrip("/")


class SettingsApi:
    def __init__(self, store: Store, access: Access) -> None:
        self.store, self.access = store, access

    async def describe(self, caller: Caller, request: web.Request) -> dict[str, Any]:
        org = caller.org
        hashes = await self.access.org_keys.key_hashes(org.id)
        return {
            "org": {"id": org.id, "name": org.name},
            "keys": [{"fingerprint": h[:8], "current": h == caller.key_hash} for h in hashes],
            "azure": {
                "endpoint": org.azure_endpoint,
                "api_version": org.azure_api_version or DEFAULT_API_VERSION,
                "deployments": [{"deployment": d, "model": m} for d, m in sorted(org.azure_deployments.items())],
            },
            "base_url": base_url(request),
        }

    async def _guarded(self, request: web.Request, work: Callable[[Caller], Awaitable[web.Response]]) -> web.Response:
        try:
            caller = await self.access.caller(request)
            return await work(caller)
        except LectrError as err:
            return error_response(err, "openai", "req_api")

    async def show(self, request: web.Request) -> web.Response:
        async def work(caller: Caller) -> web.Response:
            return json_response(await self.describe(caller, request))
        return await self._guarded(request, work)

    async def rotate_key(self, request: web.Request) -> web.Response:
        """Replace the org's keys with a new one, returned only in this response."""
        async def work(caller: Caller) -> web.Response:
            key = new_key()
            await self.store.replace_keys(caller.org.id, hash_key(key))
            response = json_response({"key": key, "fingerprint": hash_key(key)[:8],
                                      "message": "Copy this key now: it is not shown again. The old key no longer works."})
            if caller.session is not None:  # keep the rotating browser signed in, bound to the new key
                set_session_cookie(response, request, self.access.signer.signed_in(caller.org.id, hash_key(key)),
                                   self.access.signer)
            return response
        return await self._guarded(request, work)

    async def create_key(self, request: web.Request) -> web.Response:
        """An additional key for the org (e.g. one per application); returned only in this response."""
        async def work(caller: Caller) -> web.Response:
            key = new_key()
            await self.store.add_key(caller.org.id, hash_key(key))
            return json_response({"key": key, "fingerprint": hash_key(key)[:8],
                                  "message": "Copy this key now: it is not shown again. Your other keys keep working."})
        return await self._guarded(request, work)

    async def set_azure(self, request: web.Request) -> web.Response:
        async def work(caller: Caller) -> web.Response:
            body = await _json_body(request)
            endpoint = _endpoint(_text(body, "endpoint"))
            version = _text(body, "api_version", DEFAULT_API_VERSION)
            await self.store.set_azure(caller.org.id, endpoint, version)
            return json_response({"endpoint": endpoint, "api_version": version})
        return await self._guarded(request, work)

    async def map_deployment(self, request: web.Request) -> web.Response:
        async def work(caller: Caller) -> web.Response:
            body = await _json_body(request)
            deployment, model = _text(body, "deployment"), _text(body, "model")
            await self.store.map_azure_deployment(caller.org.id, deployment, model)
            return json_response({"deployment": deployment, "model": model})
        return await self._guarded(request, work)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/v1/settings", self.show),
            web.post("/api/v1/keys", self.create_key),
            web.post("/api/v1/keys/rotate", self.rotate_key),
            web.post("/api/v1/settings/azure", self.set_azure),
            web.post("/api/v1/settings/azure/deployments", self.map_deployment),
        ]

