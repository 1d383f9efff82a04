"""Lectr performance benchmark: one command, three targets, one Markdown table.

    .venv/bin/python bench/run.py [--duration 10] [--quick] [--no-lectr] [--fake-lectr]

Starts the fake upstream, then (one at a time) the bare aiohttp pass-through and
Lectr, and measures each of {direct to upstream, passthrough, Lectr}:
req/s at c=64 (non-stream and stream, wrk), p50/p99 at c=1 (wrk), streaming
TTFB p50 at c=1 (Python aiohttp client). Server under test on core 1; wrk, the
Python client, this script and the fake upstream on core 0. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pyclient  # noqa: E402
from procs import (BENCH_DIR, Cores, WrkResult, free_port, log_tail, start,  # noqa: E402
                   stop, wait_http_ok, wrk)

BODY = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}'
BODY_STREAM = BODY[:-1] + b',"stream":true}'
PY = sys.executable
TARGET_ADDED_P50_MS = 0.5
TARGET_RPS_RATIO = 0.6


@dataclass
class Measured:
    name: str
    error: str | None = None
    ns64: WrkResult | None = None
    s64: WrkResult | None = None
    c1: WrkResult | None = None
    ttfb: pyclient.TtfbResult | None = None
    notes: list[str] = field(default_factory=list)


def headers(key: str | None) -> dict[str, str]:
    h = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    return {**h, "X-Lectr-Key": key} if key else h


def measure(name: str, base: str, key: str | None, cores: Cores,
            duration: float, warmup: float) -> Measured:
    m = Measured(name)
    url = base + "/v1/chat/completions"
    for stream, body in ((False, BODY), (True, BODY_STREAM)):
        if err := pyclient.check(url, headers(key), body, stream):
            m.error = f"{'stream' if stream else 'non-stream'} check failed: {err}"
            return m
    print(f"  [{name}] warm-up {warmup:.0f}s, then 4 phases x {duration:.0f}s", flush=True)
    try:
        wrk(base, BODY, key, 64, warmup, cores)  # discarded
        m.ns64 = wrk(base, BODY, key, 64, duration, cores)
        m.s64 = wrk(base, BODY_STREAM, key, 64, duration, cores)
        m.c1 = wrk(base, BODY, key, 1, duration, cores)
        m.ttfb = pyclient.ttfb(url, headers(key), BODY_STREAM, duration, warmup=min(warmup, 1.0))
    except (RuntimeError, subprocess.SubprocessError, OSError) as e:
        m.error = f"measurement failed: {e}"
    return m


def lectr_cmd() -> list[str] | None:
    exe = Path(PY).parent / "lectr"
    if exe.exists():
        return [str(exe)]
    return [PY, "-m", "lectr"] if importlib.util.find_spec("lectr") else None


def start_lectr(tmp: Path, up_port: int, cores: Cores, fake: bool
                ) -> tuple[subprocess.Popen[bytes], str, str]:
    """Start Lectr (or, with ``fake``, the passthrough standing in for it); return (proc, base, key)."""
    port, log = free_port(), tmp / "lectr.log"
    base = f"http://127.0.0.1:{port}"
    if fake:
        proc = start([*cores.prefix(cores.server), PY, str(BENCH_DIR / "passthrough.py"), "--port", str(port),
                      "--upstream", f"http://127.0.0.1:{up_port}"], log)
        wait_http_ok(base + "/health", proc)
        return proc, base, "lc_key_fake"
    cmd = lectr_cmd()
    if cmd is None:
        raise RuntimeError("lectr is not installed in this venv (no `lectr` script, no `lectr` module)")
    data = tmp / "lectr-data"
    data.mkdir()
    env = {**os.environ, "LECTR_DATABASE_URL": f"sqlite:///{data}/lectr.db", "LECTR_DATA_DIR": str(data),
           "LECTR_OPENAI_BASE_URL": f"http://127.0.0.1:{up_port}/v1"}
    out = subprocess.run([*cmd, "orgs", "create", "bench", "--json"], env=env,
                         capture_output=True, text=True, timeout=60)
    try:
        key = json.loads([ln for ln in out.stdout.splitlines() if ln.strip().startswith("{")][-1])["key"]
    except (IndexError, KeyError, json.JSONDecodeError):
        raise RuntimeError(f"`lectr orgs create bench --json` failed ({out.returncode}): "
                           f"{out.stdout[-300:]} {out.stderr[-500:]}") from None
    proc = start([*cores.prefix(cores.server), *cmd, "serve", "--host", "127.0.0.1", "--port", str(port)],
                 log, env)
    try:
        wait_http_ok(base + "/health", proc, timeout=60)
    except RuntimeError as e:
        stop(proc)
        raise RuntimeError(f"{e}\n--- lectr log ---\n{log_tail(log)}") from None
    return proc, base, key


def fmt(x: float | None, nd: int = 3) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:,.{nd}f}"


def verdict(ok: bool | None, text: str) -> str:
    return "n/a" if ok is None else f"{'✅ PASS' if ok else '❌ FAIL'} ({text})"


def render(ms: list[Measured], args: argparse.Namespace, cores: Cores) -> str:
    d, p, lc = ms
    ok = {m.name: m.error is None for m in ms}

    def val(m: Measured, get):  # type: ignore[no-untyped-def]
        try:
            return get(m) if ok[m.name] else None
        except (AttributeError, TypeError):
            return None

    def added(m: Measured, get) -> float | None:  # type: ignore[no-untyped-def]
        a, b = val(m, get), val(d, get)
        return None if a is None or b is None else a - b

    def ratio(get) -> float | None:  # type: ignore[no-untyped-def]
        a, b = val(lc, get), val(p, get)
        return None if a is None or not b else a / b

    r_ns, r_s = ratio(lambda m: m.ns64.rps), ratio(lambda m: m.s64.rps)
    add_p50 = added(lc, lambda m: m.c1.p50_ms)
    rows: list[tuple[str, list[str], str, str]] = []

    def row(label: str, get, nd: int, target: str = "", status: str = "", diff: bool = False) -> None:  # type: ignore[no-untyped-def]
        cells = [("—" if diff and m is d else fmt(added(m, get) if diff else val(m, get), nd)) for m in ms]
        rows.append((label, cells, target, status))

    row("req/s, c=64, non-stream", lambda m: m.ns64.rps, 0, f"Lectr ≥ {TARGET_RPS_RATIO}× passthrough",
        verdict(None if r_ns is None else r_ns >= TARGET_RPS_RATIO, f"{fmt(r_ns, 2)}×"))
    row("req/s, c=64, stream", lambda m: m.s64.rps, 0, f"Lectr ≥ {TARGET_RPS_RATIO}× passthrough",
        verdict(None if r_s is None else r_s >= TARGET_RPS_RATIO, f"{fmt(r_s, 2)}×"))
    row("p50 latency, c=1, non-stream (ms)", lambda m: m.c1.p50_ms, 3)
    row("p99 latency, c=1, non-stream (ms)", lambda m: m.c1.p99_ms, 3)
    row("**added p50 vs direct (ms)**", lambda m: m.c1.p50_ms, 3, f"Lectr ≤ {TARGET_ADDED_P50_MS} ms",
        verdict(None if add_p50 is None else add_p50 <= TARGET_ADDED_P50_MS, f"{fmt(add_p50)} ms"), diff=True)
    row("added p99 vs direct (ms)", lambda m: m.c1.p99_ms, 3, diff=True)
    row("stream TTFB p50, c=1 (ms)", lambda m: m.ttfb.p50_ms, 3)
    row("added TTFB p50 vs direct (ms)", lambda m: m.ttfb.p50_ms, 3, diff=True)
    row("core0 busy % (wrk+upstream), c=64 non-stream", lambda m: m.ns64.busy_client, 0)
    row("core1 busy % (server), c=64 non-stream", lambda m: m.ns64.busy_server, 0)
    row("errors (wrk + TTFB client)", lambda m: float(m.ns64.errors + m.s64.errors + m.c1.errors
                                                     + m.ttfb.errors), 0)

    lines = ["| metric | direct | passthrough | Lectr | target | status |", "|---|---:|---:|---:|---|---|"]
    lines += [f"| {label} | {' | '.join(cells)} | {target} | {status} |" for label, cells, target, status in rows]
    pin = (f"server under test on core {cores.server}; wrk, TTFB client, fake upstream on core {cores.client}"
           if cores.server is not None else "NOT pinned (fewer than 2 CPUs available)")
    head = [f"# Lectr benchmark — {dt.datetime.now().isoformat(timespec='seconds')}", "",
            f"- duration {args.duration:.0f}s per phase (warm-up {args.warmup:.0f}s)"
            f"{' [quick]' if args.quick else ''}; {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}; {pin}",
            f"- **Lectr req/s ÷ passthrough req/s: non-stream {fmt(r_ns, 2)}, stream {fmt(r_s, 2)}**"]
    if args.fake_lectr:
        head.append("- ⚠ `--fake-lectr`: the 'Lectr' column is a second passthrough (harness self-test)")
    head += [f"- {m.name}: **not measured** — {m.error}" for m in ms if m.error]
    return "\n".join(head + [""] + lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description="Lectr benchmark (see bench/README.md)")
    ap.add_argument("--duration", type=float, default=None, help="seconds per phase (default 10, quick 3)")
    ap.add_argument("--quick", action="store_true", help="short run (<1 min)")
    ap.add_argument("--no-lectr", action="store_true", help="only direct + passthrough")
    ap.add_argument("--fake-lectr", action="store_true", help="harness self-test: passthrough stands in for Lectr")
    ap.add_argument("--out", type=Path, default=BENCH_DIR / "results.md")
    args = ap.parse_args()
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.warmup = 1.0 if args.quick else 2.0
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get update && apt-get install -y wrk")
    cores = Cores.detect()
    if cores.client is not None:
        os.sched_setaffinity(0, {cores.client})  # this script (and the TTFB client) on the client core
    t_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lectr-bench-") as tmp_s:
        tmp = Path(tmp_s)
        up_port = free_port()
        up = start([*cores.prefix(cores.client), PY, str(BENCH_DIR / "fake_upstream.py"), "--port", str(up_port)],
                   tmp / "upstream.log")
        results: list[Measured] = []
        try:
            up_base = f"http://127.0.0.1:{up_port}"
            wait_http_ok(up_base + "/health", up)
            print(f"fake upstream on :{up_port}; measuring direct", flush=True)
            results.append(measure("direct", up_base, None, cores, args.duration, args.warmup))

            pt_port = free_port()
            pt = start([*cores.prefix(cores.server), PY, str(BENCH_DIR / "passthrough.py"), "--port", str(pt_port),
                        "--upstream", up_base], tmp / "passthrough.log")
            try:
                wait_http_ok(f"http://127.0.0.1:{pt_port}/health", pt)
                print(f"passthrough on :{pt_port}", flush=True)
                results.append(measure("passthrough", f"http://127.0.0.1:{pt_port}", None, cores,
                                       args.duration, args.warmup))
            finally:
                stop(pt)

            if args.no_lectr:
                results.append(Measured("Lectr", error="skipped (--no-lectr)"))
            else:
                lc = None
                try:
                    lc, lc_base, key = start_lectr(tmp, up_port, cores, args.fake_lectr)
                    print(f"Lectr on {lc_base}", flush=True)
                    results.append(measure("Lectr", lc_base, key, cores, args.duration, args.warmup))
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    results.append(Measured("Lectr", error=str(e)))
                finally:
                    stop(lc)
        finally:
            stop(up)
    report = render(results, args, cores)
    print("\n" + report)
    args.out.write_text(report)
    print(f"written to {args.out} ({time.monotonic() - t_start:.0f}s total)")


if __name__ == "__main__":
    main()
