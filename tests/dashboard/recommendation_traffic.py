"""Traffic that yields recommendations, sent through the gateway, for the API and browser tests of the page.

Per org (all OpenAI, with the fakes' deterministic usage: prompt tokens = 11 + words, 7 completion tokens):
- `classifier` / `classification` on gpt-4o, CLASSIFIER_REQUESTS requests: recommended, gpt-4o-mini, high confidence;
- `planner` / `reasoning` on gpt-4o, PLANNER_REQUESTS requests (enough traffic): never recommended;
- `digest` / `summarisation` on gpt-4o, DIGEST_REQUESTS requests: skipped, too little traffic;
and, with `backdated_report`, `weekly-report` (untagged) on gpt-4-turbo ten days ago, written through the Store
(the gateway only records "now"): recommended (gpt-4o, medium confidence) in a 30-day window, absent in 7 days.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lectr.events.record import Event
from lectr.insights.recommendations import MIN_REQUESTS
from lectr.store import open_store
from tests.dashboard.traffic import Org
from tests.support.clients import openai_via
from tests.support.gateway import Gateway

CLASSIFIER_REQUESTS = MIN_REQUESTS + 10
PLANNER_REQUESTS = MIN_REQUESTS
DIGEST_REQUESTS = 5
LIVE_REQUESTS = CLASSIFIER_REQUESTS + PLANNER_REQUESTS + DIGEST_REQUESTS
REPORT_REQUESTS, REPORT_DAYS_AGO = 600, 10
CLASSIFIER_WORDS = 2000
DAY_MS = 86_400_000


def _prompt(words: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": " ".join(f"w{i % 97}" for i in range(words))}]


def send_recommendation_traffic(gateway: Gateway, org: Org, backdated_report: bool = False) -> int:
    """Sends the groups above eight at a time; returns how many requests the 30-day report must count."""
    client = openai_via(gateway.url, org.key)

    def call(job: tuple[str, str, int]) -> Any:
        feature, task, words = job
        return client.chat.completions.create(
            model="gpt-4o", messages=_prompt(words), extra_headers={"X-Lectr-Feature": feature, "X-Lectr-Task": task})

    jobs = ([("classifier", "classification", CLASSIFIER_WORDS)] * CLASSIFIER_REQUESTS
            + [("planner", "reasoning", 200)] * PLANNER_REQUESTS + [("digest", "summarisation", 300)] * DIGEST_REQUESTS)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(call, jobs))
    total = LIVE_REQUESTS
    if backdated_report:
        add_backdated(gateway, org.name, "weekly-report", REPORT_REQUESTS, REPORT_DAYS_AGO)
        total += REPORT_REQUESTS
    wait_for_report(gateway, org, total)
    return total


def wait_for_report(gateway: Gateway, org: Org, requests: int, timeout: float = 10.0) -> dict[str, Any]:
    """The 30-day report, once it counts every request sent (events are written in batches)."""
    deadline = time.monotonic() + timeout
    while True:
        body = gateway.api("/api/v1/recommendations", org.key).json()
        counted = sum(g["requests"] for g in body["data"] + body["skipped"])
        if counted >= requests or time.monotonic() > deadline:
            assert counted == requests, f"the report counts {counted} of {requests} requests: {body}"
            return dict(body)
        time.sleep(0.05)


def add_backdated(gateway: Gateway, org_name: str, feature: str, count: int, days_ago: float) -> None:
    """gpt-4-turbo calls of an hour `days_ago` days back, untagged by task: 1,000 tokens in, 200 out, $0.016 each
    ($10 / $30 per million tokens)."""
    url = gateway.store_url

    async def write() -> None:
        store = open_store(url)
        await store.open()
        try:
            org = await store.get_org(org_name)
            assert org is not None
            start = int(time.time() * 1000 - days_ago * DAY_MS)
            await store.insert_events([
                Event(org_id=org.id, request_id=f"req_{uuid.uuid4().hex}", ts_ms=start + i * 1000,
                      endpoint="/v1/chat/completions", provider="openai", provider_unknown=False,
                      model_requested="gpt-4-turbo", model_actual="gpt-4-turbo", status_code=200, latency_ms=900.0,
                      ttfb_ms=420.0, input_tokens=1000, output_tokens=200, token_source="provider", cost_usd=0.016,
                      cost_status="priced", price_source="test", feature=feature)
                for i in range(count)
            ])
        finally:
            await store.close()

    with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever the caller runs (Playwright has one)
        pool.submit(asyncio.run, write()).result()
