"""Aggregate benchmark rounds and render the Markdown report for bench/run.py."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from procs import WrkResult
from pyclient import TtfbResult

TARGET_ADDED_P50_MS = 0.5
TARGET_RPS_RATIO = 0.6
WRK_METRICS = ("ns64", "s64", "c1")


@dataclass
class TargetRuns:
    """All rounds measured for one target (direct / passthrough / Lectr)."""

    name: str
    error: str | None = None
    wrk: dict[str, list[WrkResult]] = field(default_factory=lambda: {m: [] for m in WRK_METRICS})
    ttfb: list[TtfbResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and all(self.wrk.values()) and bool(self.ttfb)

    def med(self, metric: str, get: Callable[[WrkResult], float]) -> float | None:
        vals = [get(r) for r in self.wrk[metric]]
        return statistics.median(vals) if self.ok and vals else None

    def ttfb_p50(self) -> float | None:
        pooled = [s for t in self.ttfb for s in t.samples_ms]
        return statistics.median(pooled) if self.ok and pooled else None

    def errors(self) -> float | None:
        if not self.ok:
            return None
        return float(sum(r.errors for rs in self.wrk.values() for r in rs) + sum(t.errors for t in self.ttfb))


def ratio(num: TargetRuns, den: TargetRuns, metric: str) -> float | None:
    """num's median req/s over den's median req/s (the headline ratio, consistent with the table)."""
    a, b = num.med(metric, lambda r: r.rps), den.med(metric, lambda r: r.rps)
    return None if a is None or not b else a / b


def paired_ratios(num: TargetRuns, den: TargetRuns, metric: str) -> list[float]:
    """Per-round num.rps / den.rps; the two run back to back in every round, so the spread
    of these shows how much foreign load moved the numbers."""
    if not (num.ok and den.ok):
        return []
    return sorted(a.rps / b.rps for a, b in zip(num.wrk[metric], den.wrk[metric]) if b.rps > 0)


def fmt(x: float | None, nd: int = 3) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:,.{nd}f}"


def verdict(ok: bool | None, text: str) -> str:
    return "n/a" if ok is None else f"{'✅ PASS' if ok else '❌ FAIL'} ({text})"


def minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def render_table(direct: TargetRuns, pt: TargetRuns, lc: TargetRuns) -> tuple[str, float | None, float | None]:
    """The results table plus the Lectr/passthrough req/s ratios (non-stream, stream)."""
    ts = (direct, pt, lc)
    r_ns, r_s = ratio(lc, pt, "ns64"), ratio(lc, pt, "s64")
    rows: list[str] = []

    def row(label: str, vals: list[float | None], nd: int, target: str = "", status: str = "",
            first: str | None = None) -> None:
        cells = [first if (first is not None and i == 0) else fmt(v, nd) for i, v in enumerate(vals)]
        rows.append(f"| {label} | {' | '.join(cells)} | {target} | {status} |")

    def each(get: Callable[[TargetRuns], float | None]) -> list[float | None]:
        return [get(t) for t in ts]

    def added(get: Callable[[TargetRuns], float | None]) -> list[float | None]:
        return [minus(get(t), get(direct)) for t in ts]

    p50 = added(lambda t: t.med("c1", lambda r: r.p50_ms))
    rps_target = f"Lectr ≥ {TARGET_RPS_RATIO}× passthrough"
    row("req/s, c=64, non-stream", each(lambda t: t.med("ns64", lambda r: r.rps)), 0, rps_target,
        verdict(None if r_ns is None else r_ns >= TARGET_RPS_RATIO, f"{fmt(r_ns)}×"))
    row("req/s, c=64, stream", each(lambda t: t.med("s64", lambda r: r.rps)), 0, rps_target,
        verdict(None if r_s is None else r_s >= TARGET_RPS_RATIO, f"{fmt(r_s)}×"))
    row("p50 latency, c=1, non-stream (ms)", each(lambda t: t.med("c1", lambda r: r.p50_ms)), 3)
    row("p99 latency, c=1, non-stream (ms)", each(lambda t: t.med("c1", lambda r: r.p99_ms)), 3)
    row("**added p50 vs direct (ms)**", p50, 3, f"Lectr ≤ {TARGET_ADDED_P50_MS} ms",
        verdict(None if p50[2] is None else p50[2] <= TARGET_ADDED_P50_MS, f"{fmt(p50[2])} ms"), first="—")
    row("added p99 vs direct (ms)", added(lambda t: t.med("c1", lambda r: r.p99_ms)), 3, first="—")
    row("stream TTFB p50, c=1 (ms)", each(TargetRuns.ttfb_p50), 3)
    row("added stream TTFB p50 vs direct (ms)", added(TargetRuns.ttfb_p50), 3, first="—")
    row("client core busy %, c=64 non-stream", each(lambda t: t.med("ns64", lambda r: r.busy_client)), 0)
    row("server core busy %, c=64 non-stream", each(lambda t: t.med("ns64", lambda r: r.busy_server)), 0)
    row("errors (all phases)", each(TargetRuns.errors), 0)
    head = ["| metric | direct | passthrough | Lectr | target | status |", "|---|---:|---:|---:|---|---|"]
    return "\n".join(head + rows), r_ns, r_s


def render_rounds(ts: tuple[TargetRuns, ...]) -> str:
    """Per-round req/s, to judge the noise behind the medians."""
    lines = ["| target | c=64 non-stream req/s per round | c=64 stream req/s per round | c=1 p50 ms per round |",
             "|---|---|---|---|"]
    for t in ts:
        if t.error is None:
            cols = [", ".join(f"{r.rps:,.0f}" for r in t.wrk["ns64"]), ", ".join(f"{r.rps:,.0f}" for r in t.wrk["s64"]),
                    ", ".join(f"{r.p50_ms:.3f}" for r in t.wrk["c1"])]
            lines.append(f"| {t.name} | {' | '.join(cols)} |")
    return "\n".join(lines)


def render(direct: TargetRuns, pt: TargetRuns, lc: TargetRuns, meta: list[str]) -> str:
    table, r_ns, r_s = render_table(direct, pt, lc)
    head = [*meta, f"- **Lectr req/s ÷ passthrough req/s: non-stream {fmt(r_ns)}, stream {fmt(r_s)}**"
            " (ratio of the medians)"]
    spread = []
    for metric, label in (("ns64", "non-stream"), ("s64", "stream")):
        if pr := paired_ratios(lc, pt, metric):
            spread.append(f"{label} {pr[0]:.2f}–{pr[-1]:.2f}")
    if spread:
        head.append(f"- per-round Lectr/passthrough ratios (noise check; tight on an idle machine): {', '.join(spread)}")
    for t in (direct, pt, lc):
        if t.error:
            first, *rest = t.error.strip().splitlines() or [""]
            head.append(f"- {t.name}: **not measured** — {first}")
            head += ["", "```", *rest[-15:], "```"] if rest else []
    return "\n".join([*head, "", table, "", "Per-round values (rounds interleave the targets):", "",
                      render_rounds((direct, pt, lc))]) + "\n"
