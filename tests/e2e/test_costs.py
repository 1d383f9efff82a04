"""Golden cost tests: one request per provider usage shape THROUGH THE GATEWAY with the official SDK,
whose recorded `cost_usd` must equal a figure computed here by hand from the provider's published prices.

How to read a case: the fakes' usage is deterministic (tests/fakes/facts.py): prompt tokens = 11 + the
words of the prompt, completion = 7 reply words + reasoning tokens; the `X-Fake-*-Tokens` headers set
cache reads, cache writes and reasoning. Each test states the usage it expects, asserts the event
recorded exactly those numbers, then prices them by hand with the published $/MTok rates below
(literal constants, never read from genai-prices or from Lectr) and compares to better than a
micro-dollar. Each expected figure is also written out as a literal: the golden number.

Semantics priced by hand (what the provider's invoice does):
* OpenAI-compatible shapes (OpenAI, Azure, Groq, Gemini, Anthropic's OpenAI endpoint): `cached_tokens`
  are PART of `prompt_tokens` (billed at the cached rate, the rest at the input rate); reasoning tokens
  are PART of `completion_tokens` and billed at the output rate.
* Anthropic native: `input_tokens` EXCLUDES `cache_read_input_tokens` and `cache_creation_input_tokens`;
  each of the three is billed at its own rate (5-minute cache write rate); thinking is output.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import anthropic
import groq
import httpx
import openai
import pytest

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS
from tests.support.gateway import Gateway, gateway_env

T = TypeVar("T")
MTOK = Decimal(1_000_000)
TOLERANCE = 1e-9  # a nano-dollar: far tighter than the micro-dollar the invoice shows
TABLE_SOURCE = "genai-prices 0.2.3"  # the pinned price table (pyproject.toml: genai-prices==0.2.3)
HOUSE_MODEL = "my-house-model"  # a model no price table knows
_names = itertools.count(1)

# ---------------------------------------------------------------------------------------------------
# Published prices, US$ per million tokens. Cross-checked against genai-prices 0.2.3's bundled data.
# ---------------------------------------------------------------------------------------------------
# OpenAI API pricing (platform.openai.com/docs/pricing, "Text tokens", Standard tier):
#   gpt-4o (gpt-4o-2024-08-06): $2.50 input, $1.25 cached input, $10.00 output
GPT_4O_IN, GPT_4O_CACHED, GPT_4O_OUT = Decimal("2.50"), Decimal("1.25"), Decimal("10.00")
#   gpt-4o-mini (gpt-4o-mini-2024-07-18): $0.15 input, $0.075 cached input, $0.60 output
MINI_IN, MINI_CACHED, MINI_OUT = Decimal("0.15"), Decimal("0.075"), Decimal("0.60")
#   o1 (o1-2024-12-17): $15.00 input, $7.50 cached input, $60.00 output;
#   "output tokens include internal reasoning tokens" -> reasoning is billed at the output rate
O1_IN, O1_CACHED, O1_OUT = Decimal("15.00"), Decimal("7.50"), Decimal("60.00")

# Anthropic (docs.anthropic.com/en/docs/about-claude/pricing, "Model pricing"):
#   Claude Sonnet 3.5 (claude-3-5-sonnet-20241022): $3 base input, $3.75 5m cache write,
#   $0.30 cache hit, $15 output
SONNET35_IN, SONNET35_WRITE, SONNET35_READ, SONNET35_OUT = (
    Decimal("3"), Decimal("3.75"), Decimal("0.30"), Decimal("15"))
#   Claude Sonnet 4.5 (claude-sonnet-4-5-20250929), prompts <= 200K tokens: $3 input, $3.75 5m cache
#   write, $0.30 cache hit, $15 output; extended-thinking tokens are billed as output tokens
SONNET45_IN, SONNET45_WRITE, SONNET45_READ, SONNET45_OUT = (
    Decimal("3"), Decimal("3.75"), Decimal("0.30"), Decimal("15"))

# Groq (groq.com/pricing; console.groq.com/docs/prompt-caching: cache hits are billed 50% off input):
#   llama-3.1-70b-versatile: $0.59 input, $0.79 output (no prompt caching for this model)
LLAMA70_IN, LLAMA70_OUT = Decimal("0.59"), Decimal("0.79")
#   openai/gpt-oss-20b: $0.075 input, $0.0375 cached input (50% off), $0.30 output (reasoning is output)
OSS20_IN, OSS20_CACHED, OSS20_OUT = Decimal("0.075"), Decimal("0.0375"), Decimal("0.30")

# Google Gemini API (ai.google.dev/gemini-api/docs/pricing, paid tier):
#   gemini-1.5-flash, prompts <= 128k tokens: $0.075 input, $0.01875 context-cache hit, $0.30 output
FLASH15_IN, FLASH15_CACHED, FLASH15_OUT = Decimal("0.075"), Decimal("0.01875"), Decimal("0.30")
#   gemini-2.5-flash: $0.30 input (text), $2.50 output "including thinking tokens"
FLASH25_IN, FLASH25_OUT = Decimal("0.30"), Decimal("2.50")

# Azure OpenAI (azure.microsoft.com/pricing/details/cognitive-services/openai-service, Global deployment):
#   GPT-4o-2024-08-06: $2.50 input, $1.25 cached input, $10 output
#   GPT-4o-mini-2024-07-18: $0.15 input, $0.075 cached input, $0.60 output
AZ_4O_IN, AZ_4O_CACHED, AZ_4O_OUT = Decimal("2.50"), Decimal("1.25"), Decimal("10")
AZ_MINI_IN, AZ_MINI_CACHED, AZ_MINI_OUT = Decimal("0.15"), Decimal("0.075"), Decimal("0.60")

# Our own contract rates for models the table lacks (the override file written below).
HOUSE_IN, HOUSE_CACHED, HOUSE_OUT = Decimal("0.40"), Decimal("0.10"), Decimal("1.60")  # provider "openai"
HOUSE_ANY_IN, HOUSE_ANY_OUT = Decimal("0.50"), Decimal("2.00")  # provider "*"
NEGOTIATED_4O_IN, NEGOTIATED_4O_CACHED, NEGOTIATED_4O_OUT = Decimal("2.00"), Decimal("1.00"), Decimal("8.00")
OVERRIDES_FILE = "lectr-prices.json"
OVERRIDES: dict[str, Any] = {"overrides": [
    {"provider": "openai", "model": HOUSE_MODEL, "input_per_mtok": 0.40, "output_per_mtok": 1.60,
     "cache_read_per_mtok": 0.10},
    {"provider": "*", "model": HOUSE_MODEL, "input_per_mtok": 0.50, "output_per_mtok": 2.00},
    {"provider": "openai", "model": "gpt-4o", "input_per_mtok": 2.00, "output_per_mtok": 8.00,
     "cache_read_per_mtok": 1.00, "valid_from": "2024-01-01", "valid_to": None},
    # expired contract: must be ignored, so gpt-4o-mini falls back to the table price
    {"provider": "openai", "model": "gpt-4o-mini", "input_per_mtok": 0.01, "output_per_mtok": 0.01,
     "valid_to": "2020-12-31"},
]}


# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------


def prompt_of(words: int) -> list[dict[str, str]]:
    """A one-message conversation of exactly `words` words: the fakes report 11 + words prompt tokens."""
    return [{"role": "user", "content": " ".join(f"w{i % 97}" for i in range(words))}]


def usage_headers(cached: int = 0, cache_write: int = 0, reasoning: int | None = None) -> dict[str, str]:
    headers = {"X-Fake-Cached-Tokens": str(cached), "X-Fake-Cache-Write-Tokens": str(cache_write)}
    if reasoning is not None:
        headers["X-Fake-Reasoning-Tokens"] = str(reasoning)
    return headers


def assert_usage(
    event: dict[str, Any], *, input: int, output: int, cached: int = 0, cache_write: int = 0, reasoning: int = 0
) -> None:
    """The raw usage the event keeps, normalised: input includes cache reads/writes, output includes reasoning."""
    got = (
        event["input_tokens"], event["output_tokens"], event["cached_tokens"] or 0,
        event["cache_write_tokens"] or 0, event["reasoning_tokens"] or 0,
    )
    assert got == (input, output, cached, cache_write, reasoning), event
    assert event["token_source"] == "provider", event


def assert_cost(event: dict[str, Any], expected: Decimal, source: str = TABLE_SOURCE) -> None:
    assert event["cost_status"] == "priced", event
    assert event["price_source"] == source, event
    assert event["cost_usd"] is not None, event
    assert abs(event["cost_usd"] - float(expected)) < TOLERANCE, (
        f"recorded ${event['cost_usd']!r}, hand-computed ${expected} "
        f"(off by ${Decimal(repr(event['cost_usd'])) - expected})"
    )


def drain(stream: Any) -> list[Any]:
    return list(stream)


def new_org(gateway: Gateway, prefix: str) -> tuple[str, str]:
    name = f"{prefix}{next(_names)}-{time.monotonic_ns()}"
    return name, json.loads(gateway.cli("orgs", "create", name, "--json").stdout)["key"]


def once_configured(call: Callable[[], T], timeout: float = 3.0) -> T:
    """`call()` once the gateway has picked up the org's Azure config (azure_config_missing until then)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except openai.BadRequestError as exc:
            if exc.code != "azure_config_missing" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@dataclass
class Case:
    """One golden case: an org shared by the module, this test's own `X-Lectr-Feature` to find its events."""

    gateway: Gateway
    key: str
    feature: str

    @property
    def _headers(self) -> dict[str, str]:
        return {"X-Lectr-Key": self.key, "X-Lectr-Feature": self.feature}

    def openai(self, provider: str = "openai") -> openai.OpenAI:
        return openai.OpenAI(api_key=PROVIDER_KEYS[provider], base_url=self.gateway.url + "/v1",
                             default_headers=self._headers, max_retries=0, timeout=15)

    def anthropic(self) -> anthropic.Anthropic:
        return anthropic.Anthropic(api_key=PROVIDER_KEYS["anthropic"], base_url=self.gateway.url + "/v1",
                                   default_headers=self._headers, max_retries=0, timeout=15)

    def groq(self) -> groq.Groq:
        return groq.Groq(api_key=PROVIDER_KEYS["groq"], base_url=self.gateway.url + "/v1",
                         default_headers=self._headers, max_retries=0, timeout=15)

    def azure(self) -> openai.AzureOpenAI:
        return openai.AzureOpenAI(azure_endpoint=self.gateway.url, api_version="2024-10-21",
                                  api_key=PROVIDER_KEYS["azure"], default_headers=self._headers,
                                  max_retries=0, timeout=15)

    def events(self, count: int, **filters: Any) -> list[dict[str, Any]]:
        return self.gateway.wait_events(self.key, count, feature=self.feature, **filters)

    def event(self) -> dict[str, Any]:
        [event] = self.events(1, status=200)
        return event


def _feature(request: pytest.FixtureRequest) -> str:
    return f"golden-{request.node.name}"[:100]


@pytest.fixture(scope="module")
def golden_org(gateway: Gateway) -> str:
    _, key = new_org(gateway, "cost-golden")
    gateway.wait_key_accepted(key)
    return key


@pytest.fixture
def case(gateway: Gateway, golden_org: str, request: pytest.FixtureRequest) -> Case:
    return Case(gateway, golden_org, _feature(request))


def azure_org(gateway: Gateway, endpoint: str, maps: dict[str, str]) -> str:
    """Key of a new org whose Azure endpoint is `endpoint` (deployment mappings set BEFORE the endpoint)."""
    name, key = new_org(gateway, "cost-azure")
    for deployment, model in maps.items():
        gateway.cli("azure", "map", name, deployment, model)
    gateway.cli("azure", "set", name, "--endpoint", endpoint)
    gateway.wait_key_accepted(key)
    return key


@pytest.fixture(scope="module")
def azure_fake_org(gateway: Gateway, fakes: FakeProviders) -> str:
    """An org on the fake Azure resource; its deployment "prod-chat" is mapped to gpt-4o-mini."""
    return azure_org(gateway, fakes.base_urls["azure"], {"prod-chat": "gpt-4o-mini"})


@pytest.fixture
def azure_case(gateway: Gateway, azure_fake_org: str, request: pytest.FixtureRequest) -> Case:
    return Case(gateway, azure_fake_org, _feature(request))


def write_overrides(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / OVERRIDES_FILE
    path.write_text(json.dumps(OVERRIDES, indent=2))
    return path


# ---------------------------------------------------------------------------------------------------
# OpenAI chat completions
# ---------------------------------------------------------------------------------------------------


def test_openai_chat_uncached(case: Case) -> None:
    reply = case.openai().chat.completions.create(
        model="gpt-4o-mini", messages=prompt_of(989), extra_headers=usage_headers()
    )
    event = case.event()
    assert event["model_reported"] == reply.model == "gpt-4o-mini-2024-07-18"
    assert_usage(event, input=1000, output=7)
    expected = (1000 * MINI_IN + 7 * MINI_OUT) / MTOK
    assert expected == Decimal("0.0001542")
    assert_cost(event, expected)


def test_openai_chat_cached(case: Case) -> None:
    reply = case.openai().chat.completions.create(
        model="gpt-4o", messages=prompt_of(2037), extra_headers=usage_headers(cached=1536)
    )
    assert (reply.usage.prompt_tokens, reply.usage.prompt_tokens_details.cached_tokens) == (2048, 1536)
    event = case.event()
    assert event["model_reported"] == "gpt-4o-2024-08-06"  # the dated id is what is priced
    assert_usage(event, input=2048, output=7, cached=1536)
    # 512 uncached + 1536 cached input tokens, 7 output tokens
    expected = (512 * GPT_4O_IN + 1536 * GPT_4O_CACHED + 7 * GPT_4O_OUT) / MTOK
    assert expected == Decimal("0.00327")
    assert_cost(event, expected)


def test_openai_stream_cached_usage_from_injected_include_usage(case: Case, fakes: FakeProviders) -> None:
    chunks = drain(case.openai().chat.completions.create(
        model="gpt-4o", messages=prompt_of(3061), stream=True, extra_headers=usage_headers(cached=2048)
    ))
    assert fakes.last("openai").json["stream_options"] == {"include_usage": True}  # Lectr asked for usage
    assert all(getattr(c, "usage", None) is None for c in chunks)  # ... and the client never saw it
    event = case.event()
    assert event["streaming"] is True
    assert_usage(event, input=3072, output=7, cached=2048)
    expected = (1024 * GPT_4O_IN + 2048 * GPT_4O_CACHED + 7 * GPT_4O_OUT) / MTOK
    assert expected == Decimal("0.00519")
    assert_cost(event, expected)


def test_o1_reasoning_tokens_billed_as_output(case: Case) -> None:
    reply = case.openai().chat.completions.create(
        model="o1", messages=prompt_of(1269), extra_headers=usage_headers(cached=1024, reasoning=1536)
    )
    assert reply.usage.completion_tokens_details.reasoning_tokens == 1536
    event = case.event()
    assert_usage(event, input=1280, output=1543, cached=1024, reasoning=1536)
    # 256 uncached + 1024 cached input; 1543 output = 7 visible + 1536 reasoning, all at the output rate
    expected = (256 * O1_IN + 1024 * O1_CACHED + 1543 * O1_OUT) / MTOK
    assert expected == Decimal("0.1041")
    assert_cost(event, expected)


def test_o1_stream_reasoning_and_cache(case: Case) -> None:
    drain(case.openai().chat.completions.create(
        model="o1", messages=prompt_of(2000), stream=True, extra_headers=usage_headers(cached=1152, reasoning=640)
    ))
    event = case.event()
    assert event["streaming"] is True
    assert_usage(event, input=2011, output=647, cached=1152, reasoning=640)
    expected = (859 * O1_IN + 1152 * O1_CACHED + 647 * O1_OUT) / MTOK
    assert expected == Decimal("0.060345")
    assert_cost(event, expected)


# ---------------------------------------------------------------------------------------------------
# Anthropic native Messages API: input_tokens EXCLUDES cache reads and writes
# ---------------------------------------------------------------------------------------------------


def test_anthropic_native_cache_read_and_write(case: Case) -> None:
    message = case.anthropic().messages.create(
        model="claude-3-5-sonnet-20241022", max_tokens=1024, messages=prompt_of(189),
        extra_headers=usage_headers(cached=3000, cache_write=1500),
    )
    usage = message.usage
    assert (usage.input_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (200, 3000, 1500)
    event = case.event()
    assert event["model_reported"] == "claude-3-5-sonnet-20241022"
    assert_usage(event, input=4700, output=7, cached=3000, cache_write=1500)  # 200 + 3000 + 1500
    expected = (200 * SONNET35_IN + 3000 * SONNET35_READ + 1500 * SONNET35_WRITE + 7 * SONNET35_OUT) / MTOK
    assert expected == Decimal("0.00723")
    # The classic double-count bug (cache tokens billed at the input rate AND at their own rate) would give
    # $0.02073; ignoring the cache tokens would give $0.000705.
    assert_cost(event, expected)


def test_anthropic_native_stream_cache_and_thinking(case: Case) -> None:
    events = drain(case.anthropic().messages.create(
        model="claude-sonnet-4-5-20250929", max_tokens=4096, messages=prompt_of(489), stream=True,
        thinking={"type": "enabled", "budget_tokens": 2048},
        extra_headers=usage_headers(cached=6000, cache_write=2500, reasoning=1024),
    ))
    assert (events[0].type, events[-1].type) == ("message_start", "message_stop")
    event = case.event()
    assert event["streaming"] is True
    # message_start: input 500, cache read 6000, cache write 2500; message_delta: cumulative output 1031
    assert_usage(event, input=9000, output=1031, cached=6000, cache_write=2500)
    expected = (500 * SONNET45_IN + 6000 * SONNET45_READ + 2500 * SONNET45_WRITE + 1031 * SONNET45_OUT) / MTOK
    assert expected == Decimal("0.02814")
    assert_cost(event, expected)


# ---------------------------------------------------------------------------------------------------
# Anthropic through its OpenAI-compatible endpoint (OpenAI SDK): OpenAI shape, cached within prompt
# ---------------------------------------------------------------------------------------------------


def test_anthropic_openai_compatible_cached(case: Case) -> None:
    case.openai("anthropic").chat.completions.create(
        model="claude-3-5-sonnet-20241022", messages=prompt_of(1989), extra_headers=usage_headers(cached=1200)
    )
    event = case.event()
    assert event["provider"] == "anthropic"
    assert_usage(event, input=2000, output=7, cached=1200)
    expected = (800 * SONNET35_IN + 1200 * SONNET35_READ + 7 * SONNET35_OUT) / MTOK
    assert expected == Decimal("0.002865")
    assert_cost(event, expected)


def test_anthropic_openai_compatible_stream(case: Case) -> None:
    drain(case.openai("anthropic").chat.completions.create(
        model="claude-3-5-sonnet-20241022", messages=prompt_of(489), stream=True, extra_headers=usage_headers()
    ))
    event = case.event()
    assert event["provider"] == "anthropic" and event["streaming"] is True
    assert_usage(event, input=500, output=7)
    expected = (500 * SONNET35_IN + 7 * SONNET35_OUT) / MTOK
    assert expected == Decimal("0.001605")
    assert_cost(event, expected)


# ---------------------------------------------------------------------------------------------------
# Groq (Groq SDK): `usage` on whole answers, `x_groq.usage` on the stream's finishing chunk
# ---------------------------------------------------------------------------------------------------


def test_groq_non_stream(case: Case) -> None:
    case.groq().chat.completions.create(
        model="llama-3.1-70b-versatile", messages=prompt_of(1989), extra_headers=usage_headers()
    )
    event = case.event()
    assert event["provider"] == "groq"
    assert_usage(event, input=2000, output=7)
    expected = (2000 * LLAMA70_IN + 7 * LLAMA70_OUT) / MTOK
    assert expected == Decimal("0.00118553")
    assert_cost(event, expected)


def test_groq_stream_x_groq_usage(case: Case) -> None:
    chunks = drain(case.groq().chat.completions.create(
        model="llama-3.1-70b-versatile", messages=prompt_of(989), stream=True, extra_headers=usage_headers()
    ))
    finishing = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishing and finishing[-1].x_groq.usage.prompt_tokens == 1000  # what the client sees from Groq
    event = case.event()
    assert event["provider"] == "groq" and event["streaming"] is True
    assert_usage(event, input=1000, output=7)
    expected = (1000 * LLAMA70_IN + 7 * LLAMA70_OUT) / MTOK
    assert expected == Decimal("0.00059553")
    assert_cost(event, expected)


def test_groq_stream_cached_and_reasoning(case: Case) -> None:
    drain(case.groq().chat.completions.create(
        model="openai/gpt-oss-20b", messages=prompt_of(2037), stream=True,
        extra_headers=usage_headers(cached=1024, reasoning=256),
    ))
    event = case.event()
    assert event["provider"] == "groq"
    assert_usage(event, input=2048, output=263, cached=1024, reasoning=256)
    expected = (1024 * OSS20_IN + 1024 * OSS20_CACHED + 263 * OSS20_OUT) / MTOK
    assert expected == Decimal("0.0001941")
    assert_cost(event, expected)


# ---------------------------------------------------------------------------------------------------
# Gemini (OpenAI SDK, OpenAI-compatible endpoint)
# ---------------------------------------------------------------------------------------------------


def test_gemini_cached(case: Case) -> None:
    case.openai("gemini").chat.completions.create(
        model="gemini-1.5-flash", messages=prompt_of(4989), extra_headers=usage_headers(cached=4096)
    )
    event = case.event()
    assert event["provider"] == "gemini"
    assert_usage(event, input=5000, output=7, cached=4096)
    expected = (904 * FLASH15_IN + 4096 * FLASH15_CACHED + 7 * FLASH15_OUT) / MTOK
    assert expected == Decimal("0.0001467")
    assert_cost(event, expected)


def test_gemini_stream_thinking(case: Case) -> None:
    drain(case.openai("gemini").chat.completions.create(
        model="gemini-2.5-flash", messages=prompt_of(989), stream=True, extra_headers=usage_headers(reasoning=512)
    ))
    event = case.event()
    assert event["provider"] == "gemini" and event["streaming"] is True
    assert_usage(event, input=1000, output=519, reasoning=512)
    expected = (1000 * FLASH25_IN + 519 * FLASH25_OUT) / MTOK
    assert expected == Decimal("0.0015975")
    assert_cost(event, expected)


# ---------------------------------------------------------------------------------------------------
# Azure OpenAI (AzureOpenAI client): priced as the base model Azure reports
# ---------------------------------------------------------------------------------------------------


def test_azure_cached_priced_as_reported_base_model(azure_case: Case) -> None:
    client = azure_case.azure()
    reply = once_configured(lambda: client.chat.completions.create(
        model="acme-prod-gpt4o", messages=prompt_of(2037), extra_headers=usage_headers(cached=1024)
    ))
    event = azure_case.event()
    assert event["provider"] == "azure" and event["model_requested"] == "acme-prod-gpt4o"
    assert event["model_reported"] == reply.model == "gpt-4o-2024-08-06"
    assert_usage(event, input=2048, output=7, cached=1024)
    expected = (1024 * AZ_4O_IN + 1024 * AZ_4O_CACHED + 7 * AZ_4O_OUT) / MTOK
    assert expected == Decimal("0.00391")
    assert_cost(event, expected)


def test_azure_stream_cached(azure_case: Case) -> None:
    client = azure_case.azure()
    once_configured(lambda: drain(client.chat.completions.create(
        model="chat-4o-mini", messages=prompt_of(1269), stream=True, extra_headers=usage_headers(cached=1024)
    )))
    event = azure_case.event()
    assert event["provider"] == "azure" and event["streaming"] is True
    assert event["model_reported"] == "gpt-4o-mini-2024-07-18"
    assert_usage(event, input=1280, output=7, cached=1024)
    expected = (256 * AZ_MINI_IN + 1024 * AZ_MINI_CACHED + 7 * AZ_MINI_OUT) / MTOK
    assert expected == Decimal("0.0001194")
    assert_cost(event, expected)


# ---------------------------------------------------------------------------------------------------
# Unknown models and cut streams: visibly not priced, never $0 as if exact
# ---------------------------------------------------------------------------------------------------


def test_unknown_model_is_unpriced_never_zero(case: Case) -> None:
    client = case.openai()
    client.chat.completions.create(model=HOUSE_MODEL, messages=prompt_of(10))
    drain(client.chat.completions.create(model=HOUSE_MODEL, messages=prompt_of(10), stream=True))
    events = case.events(2, status=200)
    assert {e["streaming"] for e in events} == {True, False}
    for event in events:
        assert event["model_reported"] == HOUSE_MODEL
        assert_usage(event, input=21, output=7)  # the usage is kept, so it can be priced later
        assert event["cost_status"] == "unpriced", event
        assert event["cost_usd"] is None, event  # null, never 0
        assert not event["price_source"], event


def _assert_cut_stream(event: dict[str, Any]) -> None:
    assert event["streaming"] is True and event["token_source"] != "provider", event
    assert event["cost_status"] in ("estimated", "unpriced"), event  # never "priced"
    if event["cost_status"] == "unpriced":
        assert event["cost_usd"] is None, event
    else:
        assert event["cost_usd"] is not None and event["cost_usd"] > 0, event


def test_openai_stream_cut_midway_is_never_priced(case: Case) -> None:
    with contextlib.suppress(openai.APIError, httpx.HTTPError):
        drain(case.openai().chat.completions.create(
            model="gpt-4o", messages=prompt_of(100), stream=True,
            extra_headers={"X-Fake-Scenario": "die_midstream"},
        ))
    [event] = case.events(1)
    _assert_cut_stream(event)


def test_anthropic_stream_cut_midway_is_estimated_from_what_was_reported(case: Case) -> None:
    with contextlib.suppress(anthropic.APIError, httpx.HTTPError):
        drain(case.anthropic().messages.create(
            model="claude-3-5-sonnet-20241022", max_tokens=1024, messages=prompt_of(189), stream=True,
            extra_headers={**usage_headers(cached=3000, cache_write=1500), "X-Fake-Scenario": "die_midstream"},
        ))
    [event] = case.events(1)
    _assert_cut_stream(event)
    if event["cost_status"] == "estimated":
        # message_start did report the input side exactly: an estimate cannot be below it
        input_side = (200 * SONNET35_IN + 3000 * SONNET35_READ + 1500 * SONNET35_WRITE) / MTOK
        assert event["cost_usd"] >= float(input_side) - TOLERANCE, event


# ---------------------------------------------------------------------------------------------------
# Price overrides (LECTR_PRICE_OVERRIDES=<file>)
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def priced_gateway(fakes: FakeProviders, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """A gateway of this module's own, started with the override file."""
    data_dir = tmp_path_factory.mktemp("gw-overrides")
    path = write_overrides(data_dir / "config")
    gw = Gateway(data_dir, gateway_env(data_dir, fakes.base_urls, LECTR_PRICE_OVERRIDES=str(path))).start()
    yield gw
    gw.stop()


@pytest.fixture
def priced_case(priced_gateway: Gateway, request: pytest.FixtureRequest) -> Case:
    _, key = new_org(priced_gateway, "cost-override")
    priced_gateway.wait_key_accepted(key)
    return Case(priced_gateway, key, _feature(request))


def test_override_prices_a_model_the_table_lacks(priced_case: Case) -> None:
    client = priced_case.openai()
    client.chat.completions.create(model=HOUSE_MODEL, messages=prompt_of(1989), extra_headers=usage_headers(1024))
    event = priced_case.event()
    assert_usage(event, input=2000, output=7, cached=1024)
    expected = (976 * HOUSE_IN + 1024 * HOUSE_CACHED + 7 * HOUSE_OUT) / MTOK
    assert expected == Decimal("0.000504")
    assert_cost(event, expected, source=f"override:{OVERRIDES_FILE}")

    drain(client.chat.completions.create(model=HOUSE_MODEL, messages=prompt_of(989), stream=True))
    [streamed] = [e for e in priced_case.events(2, status=200) if e["streaming"]]
    assert_usage(streamed, input=1000, output=7)
    expected = (1000 * HOUSE_IN + 7 * HOUSE_OUT) / MTOK
    assert expected == Decimal("0.0004112")
    assert_cost(streamed, expected, source=f"override:{OVERRIDES_FILE}")


def test_override_precedence_provider_wildcard_and_validity(priced_case: Case) -> None:
    # routed to groq: no groq override for the house model, so the "*" one applies
    priced_case.groq().chat.completions.create(model=HOUSE_MODEL, messages=prompt_of(489))
    event = priced_case.event()
    assert event["provider"] == "groq"
    assert_usage(event, input=500, output=7)
    expected = (500 * HOUSE_ANY_IN + 7 * HOUSE_ANY_OUT) / MTOK
    assert expected == Decimal("0.000264")
    assert_cost(event, expected, source=f"override:{OVERRIDES_FILE}")

    # a negotiated rate for gpt-4o beats the table (matched on the requested model)
    client = priced_case.openai()
    client.chat.completions.create(model="gpt-4o", messages=prompt_of(2037), extra_headers=usage_headers(1536))
    event = next(e for e in priced_case.events(2, status=200) if e["model_requested"] == "gpt-4o")
    expected = (512 * NEGOTIATED_4O_IN + 1536 * NEGOTIATED_4O_CACHED + 7 * NEGOTIATED_4O_OUT) / MTOK
    assert expected == Decimal("0.002616")
    assert_cost(event, expected, source=f"override:{OVERRIDES_FILE}")

    # an expired override is ignored: back to the published table price
    client.chat.completions.create(model="gpt-4o-mini", messages=prompt_of(989))
    event = next(e for e in priced_case.events(3, status=200) if e["model_requested"] == "gpt-4o-mini")
    expected = (1000 * MINI_IN + 7 * MINI_OUT) / MTOK
    assert_cost(event, expected)


# ---------------------------------------------------------------------------------------------------
# Azure deployment -> base model mapping (`lectr azure map ORG DEPLOYMENT MODEL`)
# ---------------------------------------------------------------------------------------------------

STUB_USAGE = {"prompt_tokens": 1500, "completion_tokens": 120, "total_tokens": 1620,
              "prompt_tokens_details": {"cached_tokens": 1024}}


class _ModelessAzure(BaseHTTPRequestHandler):
    """An Azure-style deployment whose answers name no model (as behind an API-management façade)."""

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = json.dumps({
            "id": "chatcmpl-stub", "object": "chat.completion", "created": 1735689600,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "Hello from a deployment."}}],
            "usage": STUB_USAGE,
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def modeless_azure() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ModelessAzure)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_azure_mapping_prices_a_deployment_whose_answer_names_no_model(
    gateway: Gateway, modeless_azure: str, request: pytest.FixtureRequest
) -> None:
    key = azure_org(gateway, modeless_azure, {"acme-chat-prod": "gpt-4o-mini"})
    case = Case(gateway, key, _feature(request))
    client = case.azure()
    once_configured(lambda: client.chat.completions.create(model="acme-chat-staging", messages=prompt_of(5)))
    client.chat.completions.create(model="acme-chat-prod", messages=prompt_of(5))
    events = {e["model_requested"]: e for e in case.events(2, status=200)}

    unmapped = events["acme-chat-staging"]
    assert unmapped["model_reported"] is None
    assert unmapped["cost_status"] == "unpriced" and unmapped["cost_usd"] is None  # a deployment name has no price

    mapped = events["acme-chat-prod"]
    assert mapped["model_reported"] is None
    assert_usage(mapped, input=1500, output=120, cached=1024)
    expected = (476 * AZ_MINI_IN + 1024 * AZ_MINI_CACHED + 120 * AZ_MINI_OUT) / MTOK
    assert expected == Decimal("0.0002202")
    assert_cost(mapped, expected)


def test_azure_reported_model_wins_over_the_mapping(azure_case: Case) -> None:
    # "prod-chat" is mapped to gpt-4o-mini, but Azure reports gpt-4o answered: the invoice follows the
    # model that actually answered; the mapping is only the fallback.
    client = azure_case.azure()
    once_configured(lambda: client.chat.completions.create(model="prod-chat", messages=prompt_of(989)))
    event = azure_case.event()
    assert event["model_reported"] == "gpt-4o-2024-08-06"
    expected = (1000 * AZ_4O_IN + 7 * AZ_4O_OUT) / MTOK
    assert expected == Decimal("0.00257")
    assert_cost(event, expected)


# ---------------------------------------------------------------------------------------------------
# Re-pricing history: `lectr reprice`
# ---------------------------------------------------------------------------------------------------


def test_reprice_applies_a_new_override_to_recorded_events(
    fresh_gateway: Gateway, fakes: FakeProviders, tmp_path: Path
) -> None:
    fresh_gateway.start()
    _, key = new_org(fresh_gateway, "cost-reprice")
    fresh_gateway.wait_key_accepted(key)
    client = Case(fresh_gateway, key, "golden-reprice").openai()
    client.chat.completions.create(model=HOUSE_MODEL, messages=prompt_of(1989), extra_headers=usage_headers(1024))
    client.chat.completions.create(model=HOUSE_MODEL, messages=prompt_of(489))
    client.chat.completions.create(model="gpt-4o-mini", messages=prompt_of(989))
    before = fresh_gateway.wait_events(key, 3, status=200)
    assert sorted(e["cost_status"] for e in before) == ["priced", "unpriced", "unpriced"]
    fresh_gateway.stop()

    mini = (1000 * MINI_IN + 7 * MINI_OUT) / MTOK  # $0.0001542, unchanged by the re-pricing
    house_cached = (976 * HOUSE_IN + 1024 * HOUSE_CACHED + 7 * HOUSE_OUT) / MTOK  # $0.000504
    house_small = (500 * HOUSE_IN + 7 * HOUSE_OUT) / MTOK  # $0.0002112
    assert mini + house_cached + house_small == Decimal("0.0008694")

    path = write_overrides(tmp_path / "config")
    data_dir = fresh_gateway.data_dir
    restarted = Gateway(data_dir, {**fresh_gateway.env, "LECTR_PRICE_OVERRIDES": str(path)})  # same store
    try:
        restarted.start()  # re-pricing runs while the gateway serves
        report = json.loads(restarted.cli("reprice", "--json").stdout)
        assert report["changed"] == 2, report
        assert abs(report["old_total_usd"] - float(mini)) < TOLERANCE, report
        assert abs(report["new_total_usd"] - float(mini + house_cached + house_small)) < TOLERANCE, report

        after = {(e["model_requested"], e["input_tokens"]): e for e in restarted.events(key)}
        assert_cost(after[(HOUSE_MODEL, 2000)], house_cached, source=f"override:{OVERRIDES_FILE}")
        assert_cost(after[(HOUSE_MODEL, 500)], house_small, source=f"override:{OVERRIDES_FILE}")
        assert_cost(after[("gpt-4o-mini", 1000)], mini)

        again = json.loads(restarted.cli("reprice", "--json").stdout)
        assert again["changed"] == 0, again  # idempotent
    finally:
        restarted.stop()
