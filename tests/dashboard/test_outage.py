"""When the store cannot be reached, the dashboard says so (503 + status) and still knows who is asking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from lectr.app import build_app
from lectr.config import Settings
from lectr.proxy.auth import hash_key, new_key
from lectr.store import open_store


class Unplugged:
    """Wraps a real store; while `down`, every read fails as a lost database connection would."""

    READS = {"ping", "query_rollups", "query_events", "config_version", "auth_snapshot"}

    def __init__(self, store: Any) -> None:
        self.store, self.down = store, False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.store, name)
        if name not in self.READS:
            return method

        async def guarded(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise ConnectionError("database unreachable")
            return await method(*args, **kwargs)

        return guarded


async def test_store_outage_is_reported_not_hidden(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    store = Unplugged(open_store(settings.resolved_database_url))
    async with TestClient(TestServer(build_app(settings, store=store))) as client:  # type: ignore[arg-type]
        key = new_key()
        await store.create_org("acme", hash_key(key))
        headers = {"X-Lectr-Key": key}
        assert (await client.get("/api/v1/overview", headers=headers)).status == 200

        store.down = True
        outage = await client.get("/api/v1/overview", headers=headers)
        assert outage.status == 503 and (await outage.json())["error"]["code"] == "store_unavailable"
        status = await client.get("/api/v1/status", headers=headers)
        assert status.status == 200 and (await status.json())["store_reachable"] is False

        store.down = False
        assert (await client.get("/api/v1/overview", headers=headers)).status == 200
