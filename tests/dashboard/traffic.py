"""Real traffic through the gateway to the fakes, for all five providers, for dashboard tests.

Per org: 13 requests — OpenAI 6 (one 500, one unpriced custom model), Anthropic 2, Groq 2 (one 429),
Gemini 1, Azure 2 — tagged with a few features and task types, some left untagged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import anthropic
import groq
import openai

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, groq_via, openai_via
from tests.support.gateway import Gateway

HELLO = [{"role": "user", "content": "Say hello to the gateway"}]
AZURE_DEPLOYMENT = "prod-gpt4o"
UNPRICED_MODEL = "acme-internal-model"
TOTAL_REQUESTS = 13
ERRORS = 2


@dataclass(frozen=True)
class Org:
    name: str
    key: str


def tags(feature: str | None = None, task: str | None = None, **extra: str) -> dict[str, str]:
    out = dict(extra)
    if feature:
        out["X-Lectr-Feature"] = feature
    if task:
        out["X-Lectr-Task"] = task
    return out


def _ignoring(error: type[Exception], call: Callable[[], Any]) -> None:
    try:
        call()
    except error:
        pass


def _azure_ready(call: Callable[[], Any], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            call()
            return
        except openai.BadRequestError as exc:
            if exc.code != "azure_config_missing" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def make_org(gateway: Gateway, fakes: FakeProviders, name: str) -> Org:
    key = gateway.create_org(name)
    gateway.cli("azure", "set", name, "--endpoint", fakes.base_urls["azure"])
    gateway.cli("azure", "map", name, AZURE_DEPLOYMENT, "gpt-4o")
    return Org(name, key)


def send_traffic(gateway: Gateway, org: Org, feature_prefix: str = "") -> None:
    """The mix described above; waits until every event is recorded."""
    url, key, f = gateway.url, org.key, feature_prefix
    chat = lambda provider, **h: openai_via(url, key, provider=provider, **h).chat.completions  # noqa: E731
    for _ in range(2):
        chat("openai", **tags(f + "checkout", "classification")).create(model="gpt-4o", messages=HELLO)
    for _ in chat("openai", **tags(f + "search", "summarisation")).create(model="gpt-4o-mini", messages=HELLO, stream=True):
        pass
    chat("openai", **tags(f + "search")).create(model="gpt-4o-mini", messages=HELLO)
    _ignoring(openai.InternalServerError, lambda: chat("openai", **tags(f + "checkout", **{"X-Fake-Scenario": "status:500"}))
              .create(model="gpt-4o", messages=HELLO))
    chat("openai").create(model=UNPRICED_MODEL, messages=HELLO)
    client = anthropic.Anthropic(api_key=PROVIDER_KEYS["anthropic"], base_url=url + "/v1", max_retries=0, timeout=15,
                                 default_headers={"X-Lectr-Key": key, **tags(None, "generation")})
    for _ in range(2):
        client.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=64, messages=HELLO)
    groq_via(url, key).chat.completions.create(model="llama-3.1-8b-instant", messages=HELLO)
    _ignoring(groq.RateLimitError, lambda: groq.Groq(
        api_key=PROVIDER_KEYS["groq"], base_url=url + "/v1", max_retries=0, timeout=15,
        default_headers={"X-Lectr-Key": key, "X-Fake-Scenario": "status:429"},
    ).chat.completions.create(model="llama-3.1-8b-instant", messages=HELLO))
    chat("gemini", **tags(f + "search", "extraction")).create(model="gemini-1.5-flash", messages=HELLO)
    azure = chat("azure", **tags(f + "support", "reasoning", **{"X-Lectr-Provider": "azure"}))
    _azure_ready(lambda: azure.create(model=AZURE_DEPLOYMENT, messages=HELLO))
    azure.create(model=AZURE_DEPLOYMENT, messages=HELLO, stream=False)
    gateway.wait_events(key, TOTAL_REQUESTS, timeout=10)
