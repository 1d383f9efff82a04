"""Recommendations (issue 6, CONTRACT §7): traffic scenarios sent THROUGH THE GATEWAY with the official SDKs,
then judged through `GET /api/v1/recommendations`, `lectr recommend --json` and `lectr recommend`.

How to read a scenario: each test gets an org of its own (so its report holds only its own groups), sends
at least MIN_REQUESTS requests per group (eight at a time), waits until the report counts every one of them,
and asserts exactly the recommendations (or the skips, with their reason) the rules call for.

The fakes' usage is deterministic (tests/fakes/facts.py): prompt tokens = 11 + the words of the prompt,
completion = 7 reply words + reasoning tokens (`X-Fake-Reasoning-Tokens`, billed as output), cache reads
from `X-Fake-Cached-Tokens` (OpenAI shapes: part of the prompt; Anthropic native: on top of it), cache
writes from `X-Fake-Cache-Write-Tokens`. So every saving is re-computed HERE by hand, with Decimal, from the
published $/MTok rates written below as literals (never read from genai-prices or from Lectr) and the
token totals this test sent: the current cost is what the traffic cost on the model it used (and must be
the sum of the costs the gateway recorded), the alternative is the same tokens at the target's rates.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import anthropic
import groq
import openai
import pytest

from lectr.insights.downgrades import DOWNGRADES
from lectr.insights.recommendations import LONG_PROMPT_TOKENS, MAX_ERROR_RATE, MIN_REQUESTS, SHORT_OUTPUT_TOKENS
from lectr.proxy.detect import provider_for_model
from tests.support.clients import anthropic_via, groq_via, openai_via
from tests.support.gateway import Gateway

MTOK = Decimal(1_000_000)
COST_TOLERANCE = 1e-6      # the report rounds dollars to 6 decimals
MONTH_TOLERANCE = 0.01     # ... and the monthly projection to cents
WORKERS = 8
BASE_PROMPT_TOKENS = 11    # the fakes: prompt tokens = 11 + words
REPLY_TOKENS = 7           # the fakes: 7 reply words

# ---------------------------------------------------------------------------------------------------
# Published prices, US$ per million tokens (standard tier, as in tests/e2e/test_costs.py).
# ---------------------------------------------------------------------------------------------------
# OpenAI (platform.openai.com/docs/pricing): cached input at half the input rate.
GPT_4O_IN, GPT_4O_CACHED, GPT_4O_OUT = Decimal("2.50"), Decimal("1.25"), Decimal("10.00")
MINI_IN, MINI_CACHED, MINI_OUT = Decimal("0.15"), Decimal("0.075"), Decimal("0.60")
# Anthropic (docs.anthropic.com/en/docs/about-claude/pricing): base input, 5m cache write, cache hit, output.
OPUS3_IN, OPUS3_WRITE, OPUS3_READ, OPUS3_OUT = Decimal("15"), Decimal("18.75"), Decimal("1.50"), Decimal("75")
SONNET35_IN, SONNET35_WRITE, SONNET35_READ, SONNET35_OUT = Decimal("3"), Decimal("3.75"), Decimal("0.30"), Decimal("15")
# Groq (groq.com/pricing).
LLAMA70_IN, LLAMA70_OUT = Decimal("0.59"), Decimal("0.79")
LLAMA8_IN, LLAMA8_OUT = Decimal("0.05"), Decimal("0.08")
# Google (ai.google.dev/gemini-api/docs/pricing), prompts <= 128k tokens (the long-context rate only
# applies to a single request whose prompt exceeds 128k tokens).
GEMINI15_PRO_IN, GEMINI15_PRO_OUT = Decimal("1.25"), Decimal("5.00")
GEMINI15_FLASH_IN, GEMINI15_FLASH_OUT = Decimal("0.075"), Decimal("0.30")

_orgs = itertools.count(1)


# ---------------------------------------------------------------------------------------------------
# Traffic and hand arithmetic
# ---------------------------------------------------------------------------------------------------


def words(n: int) -> str:
    return " ".join(f"w{i % 97}" for i in range(n))


def prompt_of(n: int) -> list[dict[str, str]]:
    """A one-message conversation of exactly `n` words: the fakes report 11 + n prompt tokens."""
    return [{"role": "user", "content": words(n)}]


def tags(feature: str | None = None, task: str | None = None, **extra: str) -> dict[str, str]:
    headers = dict(extra)
    if feature is not None:
        headers["X-Lectr-Feature"] = feature
    if task is not None:
        headers["X-Lectr-Task"] = task
    return headers


@dataclass(frozen=True)
class Use:
    """The usage one request is billed for, normalised like the gateway's events: `input` includes cache
    reads and writes, `output` includes reasoning."""

    input: int
    output: int
    cached: int = 0
    cache_write: int = 0


@dataclass(frozen=True)
class Rates:
    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None

    def cost(self, uses: Iterable[Use]) -> Decimal:
        total = Decimal(0)
        for u in uses:
            plain = u.input - u.cached - u.cache_write
            total += plain * self.input + u.output * self.output
            total += u.cached * (self.cache_read if self.cache_read is not None else self.input)
            total += u.cache_write * (self.cache_write if self.cache_write is not None else self.input)
        return total / MTOK


GPT_4O = Rates(GPT_4O_IN, GPT_4O_OUT, GPT_4O_CACHED)
GPT_4O_MINI = Rates(MINI_IN, MINI_OUT, MINI_CACHED)
OPUS3 = Rates(OPUS3_IN, OPUS3_OUT, OPUS3_READ, OPUS3_WRITE)
SONNET35 = Rates(SONNET35_IN, SONNET35_OUT, SONNET35_READ, SONNET35_WRITE)
LLAMA70 = Rates(LLAMA70_IN, LLAMA70_OUT)
LLAMA8 = Rates(LLAMA8_IN, LLAMA8_OUT)
GEMINI15_PRO = Rates(GEMINI15_PRO_IN, GEMINI15_PRO_OUT)
GEMINI15_FLASH = Rates(GEMINI15_FLASH_IN, GEMINI15_FLASH_OUT)


def assert_savings(rec: dict[str, Any], uses: list[Use], current: Rates, target: Rates, days: float,
                   recorded: float) -> None:
    """Every figure of a recommendation, re-computed by hand from the tokens sent."""
    now_cost, alt_cost = current.cost(uses), target.cost(uses)
    saving = now_cost - alt_cost
    per_month = saving * Decimal(30) / Decimal(str(days))
    assert abs(recorded - float(now_cost)) < COST_TOLERANCE, (recorded, now_cost)  # the ledger agrees
    assert rec["requests"] == len(uses), rec
    assert abs(rec["current_cost_usd"] - recorded) < COST_TOLERANCE, (rec, recorded)
    assert abs(rec["current_cost_usd"] - float(now_cost)) < COST_TOLERANCE, (rec, now_cost)
    assert abs(rec["alternative_cost_usd"] - float(alt_cost)) < COST_TOLERANCE, (rec, alt_cost)
    assert abs(rec["saving_usd"] - float(saving)) < COST_TOLERANCE, (rec, saving)
    assert abs(rec["saving_per_month_usd"] - float(per_month)) < MONTH_TOLERANCE, (rec, per_month)
    assert rec["window_days"] == days, rec


def same_provider(rec: dict[str, Any]) -> None:
    """CONTRACT §7: a recommendation never leaves the provider of the traffic it judges."""
    base = "openai" if rec["provider"] == "azure" else rec["provider"]
    for target in (rec["recommended_model"], rec["aggressive_model"]):
        if target is not None:
            assert provider_for_model(target) == base, rec
            assert any(d.conservative == target or d.aggressive == target
                       for (p, _), d in DOWNGRADES.items() if p == base), rec


# ---------------------------------------------------------------------------------------------------
# One org per scenario
# ---------------------------------------------------------------------------------------------------


@dataclass
class Org:
    gateway: Gateway
    name: str
    key: str
    sent: int = 0
    uses: dict[str, list[Use]] = field(default_factory=dict)  # feature -> successful requests' usage

    def openai(self, provider: str = "openai") -> openai.OpenAI:
        return openai_via(self.gateway.url, self.key, provider=provider)

    def anthropic(self) -> anthropic.Anthropic:
        return anthropic_via(self.gateway.url, self.key)

    def groq(self) -> groq.Groq:
        return groq_via(self.gateway.url, self.key)

    def send(self, n: int, call: Callable[[int], Any], feature: str | None = None,
             use: Callable[[int], Use | None] | None = None) -> None:
        """`call(i)` for i in range(n), eight at a time; `use(i)` is the usage request i is billed for
        (None: it fails and is billed nothing)."""
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(call, range(n)))
        self.sent += n
        if use is not None and feature is not None:
            self.uses.setdefault(feature, []).extend(u for u in map(use, range(n)) if u is not None)

    def report(self, days: float | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """The API's report, once it counts every request sent; every recommendation stays in its provider."""
        path = "/api/v1/recommendations" + (f"?days={days:g}" if days is not None else "")
        deadline = time.monotonic() + timeout
        while True:
            response = self.gateway.api(path, self.key)
            assert response.status_code == 200, response.text
            body = response.json()
            counted = sum(g["requests"] for g in body["data"] + body["skipped"])
            if counted >= self.sent or time.monotonic() > deadline:
                assert counted == self.sent, f"report counts {counted} of {self.sent} requests: {body}"
                break
            time.sleep(0.05)
        assert body["min_requests"] == MIN_REQUESTS
        assert body["window_days"] == (days if days is not None else 30)
        for rec in body["data"]:
            same_provider(rec)
        return body

    def recorded_cost(self, feature: str) -> float:
        """The sum of the costs the gateway recorded for the feature's events (the cost ledger)."""
        total, before = 0.0, None
        while True:
            query = f"/api/v1/events?limit=1000&feature={feature}" + (f"&before_id={before}" if before else "")
            page = self.gateway.api(query, self.key).json()
            total += sum(e["cost_usd"] or 0.0 for e in page["data"])
            if len(page["data"]) < 1000:
                return total
            before = page["next_before_id"]


@pytest.fixture
def org(gateway: Gateway) -> Org:
    name = f"reco{next(_orgs)}-{time.monotonic_ns()}"
    return Org(gateway, name, gateway.create_org(name))


def only_rec(report: dict[str, Any], feature: str) -> dict[str, Any]:
    found = [r for r in report["data"] if r["feature"] == feature]
    assert len(found) == 1, (feature, report)
    assert not [s for s in report["skipped"] if s["feature"] == feature], (feature, report)
    return found[0]


def only_skip(report: dict[str, Any], feature: str) -> dict[str, Any]:
    found = [s for s in report["skipped"] if s["feature"] == feature]
    assert len(found) == 1, (feature, report)
    assert not [r for r in report["data"] if r["feature"] == feature], (feature, report)
    return found[0]


def chat(org: Org, model: str, feature: str | None, task: str | None, prompt_words: int = 40,
         provider: str = "openai", **headers: str) -> Callable[[int], Any]:
    client = org.openai(provider)
    extra = tags(feature, task, **headers)
    return lambda i: client.chat.completions.create(model=model, messages=prompt_of(prompt_words), extra_headers=extra)


def openai_use(prompt_words: int, reasoning: int = 0, cached: int = 0) -> Callable[[int], Use]:
    return lambda i: Use(BASE_PROMPT_TOKENS + prompt_words, REPLY_TOKENS + reasoning, cached)


# ---------------------------------------------------------------------------------------------------
# 1. classification: the strong candidate, with the saving checked by hand
# ---------------------------------------------------------------------------------------------------

N = MIN_REQUESTS + 10  # comfortably above the minimum
CLASSIFIER_SMALL, CLASSIFIER_LARGE, CLASSIFIER_CACHED = 40, 1200, 1024


def send_classifier(org: Org, n: int = N) -> None:
    """Half short prompts, half long ones with 1,024 tokens read from OpenAI's prompt cache."""
    client = org.openai()

    def call(i: int) -> Any:
        if i % 2:
            return client.chat.completions.create(
                model="gpt-4o", messages=prompt_of(CLASSIFIER_LARGE),
                extra_headers=tags("classifier", "classification", **{"X-Fake-Cached-Tokens": str(CLASSIFIER_CACHED)}))
        return client.chat.completions.create(
            model="gpt-4o", messages=prompt_of(CLASSIFIER_SMALL), extra_headers=tags("classifier", "classification"))

    def use(i: int) -> Use:
        if i % 2:
            return Use(BASE_PROMPT_TOKENS + CLASSIFIER_LARGE, REPLY_TOKENS, CLASSIFIER_CACHED)
        return Use(BASE_PROMPT_TOKENS + CLASSIFIER_SMALL, REPLY_TOKENS)

    org.send(n, call, "classifier", use)


def test_classification_on_gpt_4o_recommends_gpt_4o_mini_with_the_saving_by_hand(org: Org) -> None:
    send_classifier(org)
    report = org.report()
    assert len(report["data"]) == 1 and report["skipped"] == [], report
    rec = only_rec(report, "classifier")
    assert (rec["provider"], rec["model"], rec["task_type"]) == ("openai", "gpt-4o", "classification")
    assert (rec["recommended_model"], rec["aggressive_model"], rec["confidence"]) == ("gpt-4o-mini", None, "high")
    assert any("classification" in r for r in rec["reasons"]), rec
    assert "gpt-4o-mini" in rec["action"], rec

    uses = org.uses["classifier"]
    assert sum(u.input for u in uses) == 30 * 51 + 30 * 1211 == 37_860
    assert sum(u.cached for u in uses) == 30 * 1024 and sum(u.output for u in uses) == 60 * 7
    # by hand: 30 × (51 × $2.50) + 30 × (187 × $2.50 + 1024 × $1.25) + 420 × $10.00, per million tokens
    assert GPT_4O.cost(uses) == Decimal("0.060450")
    # the same tokens on gpt-4o-mini: 30 × (51 × $0.15) + 30 × (187 × $0.15 + 1024 × $0.075) + 420 × $0.60
    assert GPT_4O_MINI.cost(uses) == Decimal("0.0036270")
    recorded = org.recorded_cost("classifier")
    assert_savings(rec, uses, GPT_4O, GPT_4O_MINI, 30, recorded)

    # a 7-day window: the same traffic, projected per month as 30/7 of the saving
    week = only_rec(org.report(days=7), "classifier")
    assert_savings(week, uses, GPT_4O, GPT_4O_MINI, 7, recorded)
    assert abs(week["saving_per_month_usd"] - 0.056823 * 30 / 7) < MONTH_TOLERANCE


# ---------------------------------------------------------------------------------------------------
# 2. classification on Claude 3 Opus: conservative and aggressive, both Anthropic
# ---------------------------------------------------------------------------------------------------


def test_classification_on_claude_3_opus_offers_sonnet_and_haiku_never_another_provider(org: Org) -> None:
    client = org.anthropic()
    extra = tags("ticket-router", "classification", **{"X-Fake-Cached-Tokens": "2000"})
    org.send(N, lambda i: client.messages.create(
        model="claude-3-opus-20240229", max_tokens=16, messages=prompt_of(89), extra_headers=extra,
    ), "ticket-router", lambda i: Use(100 + 2000, REPLY_TOKENS, cached=2000))  # native input excludes cache reads
    rec = only_rec(org.report(), "ticket-router")
    assert (rec["provider"], rec["model"], rec["confidence"]) == ("anthropic", "claude-3-opus-20240229", "high")
    assert rec["recommended_model"] == "claude-3-5-sonnet-20241022"
    assert rec["aggressive_model"] == "claude-3-5-haiku-20241022"
    assert "claude-3-5-haiku-20241022" in rec["action"] and "claude-3-5-sonnet-20241022" in rec["action"]
    assert provider_for_model(rec["recommended_model"]) == provider_for_model(rec["aggressive_model"]) == "anthropic"

    uses = org.uses["ticket-router"]
    # 60 × (100 × $15 + 2000 × $1.50 + 7 × $75) vs 60 × (100 × $3 + 2000 × $0.30 + 7 × $15), per MTok
    assert OPUS3.cost(uses) == Decimal("0.30150") and SONNET35.cost(uses) == Decimal("0.06030")
    assert_savings(rec, uses, OPUS3, SONNET35, 30, org.recorded_cost("ticket-router"))


def test_anthropic_cache_writes_are_priced_at_the_targets_cache_write_rate(org: Org) -> None:
    """Anthropic bills a 5-minute cache write at 1.25 × input: the alternative must too (sonnet $3.75)."""
    client = org.anthropic()
    extra = tags("rag-router", "classification", **{"X-Fake-Cache-Write-Tokens": "3000"})
    org.send(N, lambda i: client.messages.create(
        model="claude-3-opus-20240229", max_tokens=16, messages=prompt_of(89), extra_headers=extra,
    ), "rag-router", lambda i: Use(100 + 3000, REPLY_TOKENS, cache_write=3000))
    rec = only_rec(org.report(), "rag-router")
    uses = org.uses["rag-router"]
    # 60 × (100 × $3 + 3000 × $3.75 + 7 × $15) per MTok
    assert SONNET35.cost(uses) == Decimal("0.69930")
    assert_savings(rec, uses, OPUS3, SONNET35, 30, org.recorded_cost("rag-router"))


# ---------------------------------------------------------------------------------------------------
# 3. summarisation and extraction: candidates, more conservative for long prompts
# ---------------------------------------------------------------------------------------------------

LONG_PROMPT_WORDS = LONG_PROMPT_TOKENS + 100  # average input = 11 + words > LONG_PROMPT_TOKENS


def test_summarisation_and_extraction_are_conservative_for_long_prompts(org: Org) -> None:
    org.send(MIN_REQUESTS, chat(org, "gpt-4o", "digest", "summarisation", 300), "digest", openai_use(300))
    client = org.anthropic()
    for feature, task in (("long-digest", "summarisation"), ("contract-fields", "extraction")):
        extra = tags(feature, task)
        org.send(MIN_REQUESTS, lambda i, extra=extra: client.messages.create(
            model="claude-3-opus-20240229", max_tokens=16, messages=prompt_of(LONG_PROMPT_WORDS), extra_headers=extra,
        ), feature, lambda i: Use(BASE_PROMPT_TOKENS + LONG_PROMPT_WORDS, REPLY_TOKENS))
    report = org.report()
    assert len(report["data"]) == 3 and report["skipped"] == [], report

    short = only_rec(report, "digest")
    assert (short["model"], short["recommended_model"], short["confidence"]) == ("gpt-4o", "gpt-4o-mini", "high")
    assert_savings(short, org.uses["digest"], GPT_4O, GPT_4O_MINI, 30, org.recorded_cost("digest"))

    for feature, task in (("long-digest", "summarisation"), ("contract-fields", "extraction")):
        rec = only_rec(report, feature)
        assert (rec["task_type"], rec["model"]) == (task, "claude-3-opus-20240229"), rec
        assert rec["confidence"] == "medium", rec
        assert rec["recommended_model"] == "claude-3-5-sonnet-20241022", rec
        assert rec["aggressive_model"] is None, rec  # conservative only: Haiku is not offered
        assert "haiku" not in rec["action"], rec
        assert any("long prompts" in r for r in rec["reasons"]), rec
        assert_savings(rec, org.uses[feature], OPUS3, SONNET35, 30, org.recorded_cost(feature))


# ---------------------------------------------------------------------------------------------------
# 4. generation is neutral; 5. untagged traffic and unknown task values: heuristics only
# ---------------------------------------------------------------------------------------------------

LONG_OUTPUT = {"X-Fake-Reasoning-Tokens": "2000"}  # 2,007 output tokens per request
assert REPLY_TOKENS + 2000 > SHORT_OUTPUT_TOKENS


def test_generation_is_decided_by_the_heuristics(org: Org) -> None:
    org.send(N, chat(org, "gpt-4o", "taglines", "generation"), "taglines", openai_use(40))
    org.send(N, chat(org, "gpt-4o", "essays", "generation", **LONG_OUTPUT))
    report = org.report()

    rec = only_rec(report, "taglines")
    assert (rec["recommended_model"], rec["aggressive_model"], rec["confidence"]) == ("gpt-4o-mini", None, "medium")
    assert any("generation" in r and "neutral" in r for r in rec["reasons"]), rec
    assert any("short, steady completions" in r for r in rec["reasons"]), rec
    assert_savings(rec, org.uses["taglines"], GPT_4O, GPT_4O_MINI, 30, org.recorded_cost("taglines"))

    skip = only_skip(report, "essays")
    assert skip["requests"] == N and skip["model"] == "gpt-4o", skip
    assert "generation" in skip["reason"] and "completions are long (average 2,007 output tokens)" in skip["reason"]


def _heuristic_view(group: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k not in ("feature", "task_type", "action")}


def test_untagged_and_unknown_task_traffic_get_medium_at_most(org: Org) -> None:
    for feature, task in (("chat-untagged", None), ("chat-triage", "triage")):
        org.send(N, chat(org, "gpt-4o", feature, task), feature, openai_use(40))
        org.send(N, chat(org, "gpt-4o", feature + "-long", task, **LONG_OUTPUT))
    report = org.report()
    assert len(report["data"]) == 2 and len(report["skipped"]) == 2, report

    untagged = only_rec(report, "chat-untagged")
    assert untagged["task_type"] is None
    assert (untagged["recommended_model"], untagged["aggressive_model"]) == ("gpt-4o-mini", None)
    assert untagged["confidence"] == "medium", untagged  # never high without a task type
    assert any("no task type" in r for r in untagged["reasons"]), untagged
    assert_savings(untagged, org.uses["chat-untagged"], GPT_4O, GPT_4O_MINI, 30, org.recorded_cost("chat-untagged"))

    long_untagged = only_skip(report, "chat-untagged-long")
    assert "no task type" in long_untagged["reason"] and "completions are long" in long_untagged["reason"]

    # an unknown task value is stored as sent, and judged exactly like untagged traffic
    triage = only_rec(report, "chat-triage")
    assert triage["task_type"] == "triage"
    assert _heuristic_view(triage) == _heuristic_view(untagged), (triage, untagged)
    long_triage = only_skip(report, "chat-triage-long")
    assert long_triage["task_type"] == "triage"
    assert _heuristic_view(long_triage) == _heuristic_view(long_untagged), (long_triage, long_untagged)


def test_untagged_traffic_with_a_high_error_rate_is_skipped(org: Org) -> None:
    client = org.openai()
    failing = tags("flaky", **{"X-Fake-Scenario": "status:500"})

    def call(i: int) -> Any:
        if i % 5 == 0:  # one in five: 20 %
            with pytest.raises(openai.InternalServerError):
                client.chat.completions.create(model="gpt-4o", messages=prompt_of(40), extra_headers=failing)
            return None
        return client.chat.completions.create(model="gpt-4o", messages=prompt_of(40), extra_headers=tags("flaky"))

    org.send(N, call)
    skip = only_skip(org.report(), "flaky")
    assert skip["requests"] == N and skip["task_type"] is None, skip
    assert 0.20 > MAX_ERROR_RATE
    assert "no task type" in skip["reason"] and "the error rate is 20.0%" in skip["reason"], skip


def test_a_few_failed_requests_do_not_make_the_saving_uncomputable(org: Org) -> None:
    """Failed requests carry no usage and cost nothing: the saving is still the successful traffic's."""
    client = org.openai()

    def call(i: int) -> Any:
        if i < 2:  # 2 of 62 (3 %): below MAX_ERROR_RATE, and a classification group judges no error rate anyway
            with pytest.raises(openai.InternalServerError):
                client.chat.completions.create(model="gpt-4o", messages=prompt_of(40), extra_headers=tags(
                    "classifier", "classification", **{"X-Fake-Scenario": "status:500"}))
            return None
        return client.chat.completions.create(
            model="gpt-4o", messages=prompt_of(40), extra_headers=tags("classifier", "classification"))

    org.send(N + 2, call, "classifier", lambda i: None if i < 2 else Use(51, REPLY_TOKENS))
    report = org.report()
    rec = only_rec(report, "classifier")
    assert rec["confidence"] == "high" and rec["recommended_model"] == "gpt-4o-mini", rec
    assert rec["requests"] == N + 2
    uses = org.uses["classifier"]
    assert abs(rec["current_cost_usd"] - float(GPT_4O.cost(uses))) < COST_TOLERANCE, rec
    assert abs(rec["alternative_cost_usd"] - float(GPT_4O_MINI.cost(uses))) < COST_TOLERANCE, rec


# ---------------------------------------------------------------------------------------------------
# 6. reasoning: never, whatever the other signals say
# ---------------------------------------------------------------------------------------------------


def test_reasoning_is_never_recommended_even_when_every_other_signal_is_favourable(org: Org) -> None:
    # lots of traffic, short and steady completions, no errors, short prompts ...
    org.send(3 * MIN_REQUESTS, chat(org, "gpt-4o", "planner", "reasoning"))
    org.send(MIN_REQUESTS, chat(org, "gpt-4o", "planner-caps", "Reasoning"))
    org.send(MIN_REQUESTS, chat(org, "o1", "solver", "reasoning"))  # o1: 16 reasoning tokens, 23 output
    # ... the very same traffic as classification IS recommended: only the task type blocks the others
    org.send(MIN_REQUESTS, chat(org, "gpt-4o", "control", "classification"))
    org.send(MIN_REQUESTS, chat(org, "o1", "control-o1", "classification"))
    report = org.report()

    assert {r["feature"] for r in report["data"]} == {"control", "control-o1"}, report
    assert only_rec(report, "control-o1")["recommended_model"] == "o1-mini"
    for feature, model, n in (("planner", "gpt-4o", 3 * MIN_REQUESTS), ("planner-caps", "gpt-4o", MIN_REQUESTS),
                              ("solver", "o1", MIN_REQUESTS)):
        skip = only_skip(report, feature)
        assert (skip["model"], skip["requests"]) == (model, n), skip
        assert "reasoning" in skip["reason"] and "never" in skip["reason"], skip


# ---------------------------------------------------------------------------------------------------
# 7. within the provider: Groq and Gemini; the whole map
# ---------------------------------------------------------------------------------------------------


def test_the_downgrade_map_never_leaves_the_provider() -> None:
    for (provider, model), downgrade in DOWNGRADES.items():
        assert provider_for_model(model) == provider, model
        for target in (downgrade.conservative, downgrade.aggressive):
            if target is not None:
                assert provider_for_model(target) == provider, (model, target)


def test_groq_and_gemini_stay_within_their_provider(org: Org) -> None:
    client = org.groq()
    extra = tags("groq-labels", "classification")
    org.send(N, lambda i: client.chat.completions.create(
        model="llama-3.1-70b-versatile", messages=prompt_of(40), extra_headers=extra,
    ), "groq-labels", openai_use(40))
    org.send(N, chat(org, "gemini-1.5-pro", "gemini-labels", "classification", provider="gemini"),
             "gemini-labels", openai_use(40))
    report = org.report()
    assert len(report["data"]) == 2, report

    llama = only_rec(report, "groq-labels")
    assert (llama["provider"], llama["model"]) == ("groq", "llama-3.1-70b-versatile")
    assert (llama["recommended_model"], llama["aggressive_model"]) == ("llama-3.1-8b-instant", None)
    assert_savings(llama, org.uses["groq-labels"], LLAMA70, LLAMA8, 30, org.recorded_cost("groq-labels"))

    gemini = only_rec(report, "gemini-labels")
    assert (gemini["provider"], gemini["model"]) == ("gemini", "gemini-1.5-pro")
    assert (gemini["recommended_model"], gemini["aggressive_model"]) == ("gemini-1.5-flash", None)
    assert_savings(gemini, org.uses["gemini-labels"], GEMINI15_PRO, GEMINI15_FLASH, 30,
                   org.recorded_cost("gemini-labels"))


def test_the_alternative_is_priced_per_request_not_on_the_window_total(org: Org) -> None:
    """Gemini's long-context rate applies to one request over 128k tokens; 60 requests of 2,211 tokens
    (132,660 in all) are each far below it, so the alternative is priced at flash's base rate."""
    org.send(N, chat(org, "gemini-1.5-pro", "gemini-bulk", "classification", 2200, provider="gemini"),
             "gemini-bulk", openai_use(2200))
    rec = only_rec(org.report(), "gemini-bulk")
    uses = org.uses["gemini-bulk"]
    assert sum(u.input for u in uses) == 132_660 > 128_000
    # 132,660 × $0.075 + 420 × $0.30, per MTok
    assert GEMINI15_FLASH.cost(uses) == Decimal("0.0100755")
    assert_savings(rec, uses, GEMINI15_PRO, GEMINI15_FLASH, 30, org.recorded_cost("gemini-bulk"))


# ---------------------------------------------------------------------------------------------------
# 8. minimum traffic
# ---------------------------------------------------------------------------------------------------


def test_too_little_traffic_is_skipped_with_the_minimum(org: Org) -> None:
    org.send(10, chat(org, "gpt-4o", "classifier", "classification"))
    report = org.report()
    assert report["data"] == [], report
    skip = only_skip(report, "classifier")
    assert (skip["requests"], skip["model"], skip["task_type"]) == (10, "gpt-4o", "classification")
    assert skip["reason"] == f"too little traffic: 10 requests in 30 days (minimum {MIN_REQUESTS})"


# ---------------------------------------------------------------------------------------------------
# 9. the same answer from the API, `lectr recommend --json` and `lectr recommend`
# ---------------------------------------------------------------------------------------------------


def test_api_cli_json_and_cli_text_agree(org: Org) -> None:
    send_classifier(org)
    org.send(10, chat(org, "gpt-4o", "rare", "classification"))
    org.send(MIN_REQUESTS, chat(org, "o1", "solver", "reasoning"))
    api = org.report()
    assert [r["feature"] for r in api["data"]] == ["classifier"]
    assert {s["feature"] for s in api["skipped"]} == {"rare", "solver"}

    cli = json.loads(org.gateway.cli("recommend", "--org", org.name, "--json").stdout)
    assert cli == api

    assert org.gateway.api("/api/v1/recommendations", None).status_code == 401
    assert org.gateway.api("/api/v1/recommendations?days=0", org.key).status_code == 400

    text = org.gateway.cli("recommend", "--org", org.name).stdout
    print(text)
    rec = api["data"][0]
    sentence = (
        f"feature `classifier` (task `classification`) sent {N} requests to `gpt-4o` in the last 30 days "
        f"for ${rec['current_cost_usd']:,.2f}; `gpt-4o-mini` would have cost ${rec['alternative_cost_usd']:,.2f} "
        f"— save about ${rec['saving_per_month_usd']:,.2f}/month; confidence: high. Switch `gpt-4o` to `gpt-4o-mini`."
    )
    assert sentence in text.splitlines(), text
    assert re.search(r"save about \$0\.0[56]/month", sentence)  # $0.056823 by hand (test 1)
    assert "    why: task type `classification`" in text
    assert (f"(no recommendation for `rare` / `classification` on `gpt-4o`: too little traffic: 10 requests "
            f"in 30 days (minimum {MIN_REQUESTS}))") in text
    assert "(no recommendation for `solver` / `reasoning` on `o1`: task type `reasoning`" in text

    week = json.loads(org.gateway.cli("recommend", "--org", org.name, "--days", "7", "--json").stdout)
    assert week == org.report(days=7)
