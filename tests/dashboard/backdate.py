"""Events from days ago, written through the Store interface (the gateway only records "now")."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import time
import uuid

from lectr.events.record import Event
from lectr.store import open_store

DAY_MS = 86_400_000


def add_old_events(store_url: str, org_name: str, feature: str, count: int, days_ago: float) -> None:
    async def _write() -> None:
        store = open_store(store_url)
        await store.open()
        try:
            org = await store.get_org(org_name)
            assert org is not None
            ts = int(time.time() * 1000 - days_ago * DAY_MS)
            await store.insert_events([
                Event(org_id=org.id, request_id=f"req_{uuid.uuid4().hex}", ts_ms=ts + i, endpoint="/v1/chat/completions",
                      provider="openai", provider_unknown=False, model_requested="gpt-4-turbo", model_actual="gpt-4-turbo",
                      status_code=200, latency_ms=850.0, ttfb_ms=400.0, input_tokens=1000, output_tokens=200,
                      token_source="provider", cost_usd=0.016, cost_status="priced", price_source="test", feature=feature)
                for i in range(count)
            ])
        finally:
            await store.close()

    with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever the caller runs (Playwright has one)
        pool.submit(asyncio.run, _write()).result()
