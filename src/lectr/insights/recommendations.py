"""Cheaper models where the org's own traffic shows it is safe, with the saving priced from real volumes.

Signals, strongest first:
1. Task type (`X-Lectr-Task`). `reasoning` is never recommended — checked first, nothing overrides it.
   `classification`: strong candidate (high confidence; the aggressive target is offered too).
   `summarisation` / `extraction`: candidates (high confidence), but for long prompts
   (average input > LONG_PROMPT_TOKENS) only medium confidence, and never the aggressive target.
   `generation`: neutral — decided by the heuristics below, like untagged traffic.
2. Heuristics from metadata only (untagged, `generation`, or an unknown task value): short and steady
   completions (average output ≤ SHORT_OUTPUT_TOKENS, spread across hours ≤ MAX_OUTPUT_SPREAD), a low
   error rate (≤ MAX_ERROR_RATE) and prompts that are not long. At most medium confidence.
3. Too little traffic (fewer than MIN_REQUESTS requests in the window) → no recommendation, with the reason.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from datetime import datetime, timezone
from typing import Any, Iterable

from lectr.insights.downgrades import (
    CLASSIFICATION, EXTRACTION, REASONING, SUMMARISATION, Downgrade, downgrade_for, task_of,
)
from lectr.insights.totals import Totals
from lectr.pricing import Pricer
from lectr.store.base import RollupQuery, RollupRow, Store

MIN_REQUESTS = 50
LONG_PROMPT_TOKENS = 4000
SHORT_OUTPUT_TOKENS = 300
MAX_OUTPUT_SPREAD = 0.5       # coefficient of variation of the hourly average output size
MAX_ERROR_RATE = 0.05
DAYS_PER_MONTH = 30.0
GROUP_DIMS = ("provider", "model", "feature", "task_type")
QUERY_DIMS = ("bucket", *GROUP_DIMS, "status_code")  # status: failed calls have no usage to price


@dataclass(frozen=True, slots=True)
class Recommendation:
    feature: str
    task_type: str | None
    provider: str
    model: str
    recommended_model: str
    aggressive_model: str | None
    confidence: str                   # "high" | "medium"
    requests: int
    current_cost_usd: float
    alternative_cost_usd: float
    saving_usd: float
    saving_per_month_usd: float
    window_days: float
    reasons: list[str] = field(default_factory=list)
    action: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    feature: str
    task_type: str | None
    provider: str
    model: str
    requests: int
    reason: str


@dataclass(frozen=True, slots=True)
class Report:
    window_days: float
    recommendations: list[Recommendation]
    skipped: list[Skipped]

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "min_requests": MIN_REQUESTS,
            "data": [asdict(r) for r in self.recommendations],
            "skipped": [asdict(s) for s in self.skipped],
        }


async def recommend(
    store: Store, pricer: Pricer, org_id: int, now_ms: int, days: float = 30.0,
    azure_models: dict[str, str] | None = None,
) -> Report:
    start = now_ms - int(days * 86_400_000)
    rows = await store.query_rollups(RollupQuery(org_id, start, now_ms, "hour", QUERY_DIMS))
    groups: dict[tuple[str, str, str, str | None], list[RollupRow]] = {}
    for row in rows:
        k = row.keys
        groups.setdefault((k["provider"], k["model"] or "", k["feature"], k["task_type"]), []).append(row)
    at = datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc)
    recs: list[Recommendation] = []
    skipped: list[Skipped] = []
    for (provider, model, feature, task), group in sorted(groups.items(), key=lambda kv: str(kv[0])):
        outcome = _judge(provider, model, feature, task, group, days, pricer, at, azure_models or {})
        (recs if isinstance(outcome, Recommendation) else skipped).append(outcome)  # type: ignore[arg-type]
    recs.sort(key=lambda r: -r.saving_per_month_usd)
    return Report(days, recs, skipped)


def _judge(
    provider: str, model: str, feature: str, raw_task: str | None, rows: list[RollupRow], days: float,
    pricer: Pricer, at: datetime, azure_models: dict[str, str],
) -> Recommendation | Skipped:
    totals = Totals.of(rows)
    task = task_of(raw_task)

    def skip(reason: str) -> Skipped:
        return Skipped(feature, raw_task, provider, model, totals.requests, reason)

    if task == REASONING:  # hard rule: no signal can override it
        return skip("task type `reasoning`: Lectr never recommends a cheaper model for reasoning")
    base_provider, base_model = ("openai", azure_models.get(model, model)) if provider == "azure" else (provider, model)
    downgrade = downgrade_for(base_provider, base_model)
    if downgrade is None:
        return skip(f"no cheaper {provider} model is known to be a safe replacement for {model}")
    if totals.requests < MIN_REQUESTS:
        return skip(f"too little traffic: {totals.requests} requests in {days:g} days (minimum {MIN_REQUESTS})")
    answered = Totals.of(r for r in rows if _ok(r))
    verdict = _signals(task, totals, answered, rows)
    if isinstance(verdict, str):
        return skip(verdict)
    confidence, reasons, allow_aggressive = verdict
    if not answered.requests or answered.unpriced_requests:
        return skip(
            f"{answered.unpriced_requests} of {answered.requests} answered requests are unpriced; "
            "no saving can be computed"
        )
    current = totals.cost_usd
    alternative = _cost_at(pricer, provider, downgrade.conservative, answered, at)
    if alternative is None:
        return skip(f"no price is known for {downgrade.conservative}")
    saving = current - alternative
    if saving <= 0:
        return skip(f"{downgrade.conservative} would not cost less for this traffic")
    target = downgrade.conservative
    return Recommendation(
        feature=feature, task_type=raw_task, provider=provider, model=model, recommended_model=target,
        aggressive_model=downgrade.aggressive if allow_aggressive else None, confidence=confidence,
        requests=totals.requests, current_cost_usd=round(current, 6), alternative_cost_usd=round(alternative, 6),
        saving_usd=round(saving, 6), saving_per_month_usd=round(saving * DAYS_PER_MONTH / days, 2),
        window_days=days, reasons=reasons, action=_action(provider, model, target, downgrade, allow_aggressive),
    )


def _signals(
    task: str | None, totals: Totals, answered: Totals, rows: list[RollupRow]
) -> tuple[str, list[str], bool] | str:
    """(confidence, reasons, aggressive allowed), or the reason there is no recommendation.
    Sizes come from answered requests (failed ones have no tokens); the error rate from all of them."""
    avg_in = answered.input_tokens / answered.requests if answered.requests else 0.0
    if task == CLASSIFICATION:
        return "high", ["task type `classification`: small models classify well"], True
    if task in (SUMMARISATION, EXTRACTION):
        if avg_in > LONG_PROMPT_TOKENS:
            return "medium", [f"task type `{task}`", f"long prompts (average {avg_in:,.0f} input tokens): conservative"], False
        return "high", [f"task type `{task}` with prompts of average {avg_in:,.0f} input tokens"], False
    return _heuristics(task, totals, answered, rows, avg_in)


def _heuristics(
    task: str | None, totals: Totals, answered: Totals, rows: list[RollupRow], avg_in: float
) -> tuple[str, list[str], bool] | str:
    why = "task type `generation` is neutral" if task else "no task type"
    avg_out = answered.output_tokens / answered.requests if answered.requests else 0.0
    spread = _output_spread(rows)
    error_rate = totals.error_rate or 0.0
    if avg_out > SHORT_OUTPUT_TOKENS:
        return f"{why}, and completions are long (average {avg_out:,.0f} output tokens)"
    if spread > MAX_OUTPUT_SPREAD:
        return f"{why}, and completion sizes vary a lot (spread {spread:.2f})"
    if error_rate > MAX_ERROR_RATE:
        return f"{why}, and the error rate is {error_rate:.1%}"
    if avg_in > LONG_PROMPT_TOKENS:
        return f"{why}, and prompts are long (average {avg_in:,.0f} input tokens)"
    reasons = [why + " (tag X-Lectr-Task for a high-confidence answer)",
               f"short, steady completions (average {avg_out:,.0f} output tokens, spread {spread:.2f})",
               f"error rate {error_rate:.1%}"]
    return "medium", reasons, False


def _ok(row: RollupRow) -> bool:
    return int(row.keys.get("status_code") or 0) < 400


def _output_spread(rows: Iterable[RollupRow]) -> float:
    """Coefficient of variation of the hourly average completion size (0 with fewer than two hours)."""
    hours: dict[Any, tuple[int, int]] = {}
    for r in rows:
        if _ok(r):
            out, n = hours.get(r.keys["bucket"], (0, 0))
            hours[r.keys["bucket"]] = (out + r.output_tokens, n + r.requests)
    per_hour = [out / n for out, n in hours.values() if n]
    if len(per_hour) < 2:
        return 0.0
    mean = statistics.fmean(per_hour)
    return statistics.pstdev(per_hour) / mean if mean else 0.0


def _cost_at(pricer: Pricer, provider: str, model: str, answered: Totals, at: datetime) -> float | None:
    """What the answered requests would have cost on `model`: the average request, priced, times the count —
    so long-context tiers and per-request fees apply per request, as the provider bills them."""
    rates = pricer.unit_prices(provider, model, at)
    if rates is None:
        return None
    n = answered.requests
    totals = (
        answered.input_tokens, answered.output_tokens, answered.cached_tokens,
        answered.cache_write_tokens, answered.reasoning_tokens,
    )
    average = [Decimal(v) / n for v in totals]
    if rates.tier_threshold is not None and average[0] > rates.tier_threshold:
        one = rates.cost(*(int(a.to_integral_value()) for a in average))
    else:
        one = replace(rates, tier_threshold=None).cost(*average)  # type: ignore[arg-type]
    return None if one is None else float(one * n)


def _action(provider: str, model: str, target: str, downgrade: Downgrade, aggressive: bool) -> str:
    where = "an Azure deployment of " if provider == "azure" else ""
    text = f"Switch `{model}` to {where}`{target}`"
    if aggressive and downgrade.aggressive:
        text += f" (or, more aggressively, `{downgrade.aggressive}`)"
    return text + "."


def sentence(r: Recommendation) -> str:
    """One line a person can act on."""
    task = f" (task `{r.task_type}`)" if r.task_type else ""
    return (
        f"feature `{r.feature}`{task} sent {r.requests:,} requests to `{r.model}` in the last {r.window_days:g} days "
        f"for ${r.current_cost_usd:,.2f}; `{r.recommended_model}` would have cost ${r.alternative_cost_usd:,.2f} "
        f"— save about ${r.saving_per_month_usd:,.2f}/month; confidence: {r.confidence}. {r.action}"
    )
