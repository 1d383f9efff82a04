"""Requests for the storage end-to-end tests: distinct chat calls, and waiting for their events."""

from __future__ import annotations

import itertools
import time
from typing import Any, Callable

import httpx

from tests.support.clients import PROVIDER_KEYS
from tests.support.gateway import Gateway

_n = itertools.count(1)


def client() -> httpx.Client:
    """A client that opens a new connection per request, so `serve --workers` spreads them (SO_REUSEPORT)."""
    return httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=15)


def chat(http: httpx.Client, url: str, key: str, **headers: str) -> httpx.Response:
    """One OpenAI chat call with a prompt of its own (the fakes derive x-request-id from the body)."""
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"storage test call {next(_n)}"}]}
    all_headers = {"X-Lectr-Key": key, "Authorization": f"Bearer {PROVIDER_KEYS['openai']}", **headers}
    return http.post(url + "/v1/chat/completions", json=body, headers=all_headers)


def request_ids(http: httpx.Client, gw: Gateway, key: str) -> set[str]:
    """Every recorded request id of the org, paging through the events API."""
    ids: list[str] = []
    before = ""
    while True:
        page = http.get(f"{gw.url}/api/v1/events?limit=1000{before}", headers={"X-Lectr-Key": key})
        assert page.status_code == 200, page.text
        body = page.json()
        ids += [e["request_id"] for e in body["data"]]
        if not body["data"] or body["next_before_id"] is None:
            break
        before = f"&before_id={body['next_before_id']}"
    assert len(ids) == len(set(ids)), "an event was stored twice"
    return set(ids)


def wait_until(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def health(http: httpx.Client, gw: Gateway) -> dict[str, Any]:
    return dict(http.get(gw.url + "/health").json())


def pids(http: httpx.Client, gw: Gateway, want: int, tries: int = 400) -> set[int]:
    """Worker pids seen answering /health over fresh connections (the kernel spreads them)."""
    seen: set[int] = set()
    for _ in range(tries):
        seen.add(health(http, gw)["pid"])
        if len(seen) >= want:
            break
    return seen
