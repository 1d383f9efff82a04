"""Lectr performance benchmark: one command, three targets, one Markdown table.

    .venv/bin/python bench/run.py [--duration 10] [--quick] [--no-lectr] [--fake-lectr]

Starts the fake upstream, the bare aiohttp pass-through and Lectr, and measures
each of {direct to upstream, passthrough, Lectr}: req/s at c=64 (non-stream and
stream, wrk), p50/p99 at c=1 (wrk), streaming TTFB p50 at c=1 (Python aiohttp
client). Targets are measured in interleaved rounds (only one loaded at a time).
Servers under test on core 1; wrk, the Python client, this script and the fake
upstream on core 0. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pyclient  # noqa: E402
from procs import (BENCH_DIR, Cores, busy_pct, cpu_times, free_port, log_tail,  # noqa: E402
                   start, stop, wait_http_ok, wrk)
from report import TargetRuns, render  # noqa: E402

BODY = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}'
BODY_STREAM = BODY[:-1] + b',"stream":true}'
PY = sys.executable


@dataclass
class Target:
    runs: TargetRuns
    base: str = ""
    key: str | None = None

    @property
    def url(self) -> str:
        return self.base + "/v1/chat/completions"

    def headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
        return {**h, "X-Lectr-Key": self.key} if self.key else h


def prepare(t: Target, cores: Cores, warmup: float) -> None:
    """Correctness check (non-stream + stream), then a discarded wrk warm-up."""
    for stream, body in ((False, BODY), (True, BODY_STREAM)):
        if err := pyclient.check(t.url, t.headers(), body, stream):
            t.runs.error = f"{'stream' if stream else 'non-stream'} check failed: {err}"
            return
    wrk(t.base, BODY, t.key, 64, warmup, cores)
    wrk(t.base, BODY_STREAM, t.key, 64, 1, cores)


def measure(targets: list[Target], cores: Cores, rounds: int, slice_s: float) -> None:
    """Each metric: ``rounds`` rounds; each round runs every live target for ``slice_s`` seconds,
    alternating the order, so slow drifts and bursts of foreign load hit all targets alike."""
    for metric in ("ns64", "s64", "c1", "ttfb"):
        print(f"  {metric}: {rounds} rounds x {slice_s:.0f}s x {len(targets)} targets", flush=True)
        for rnd in range(rounds):
            for t in (targets if rnd % 2 == 0 else targets[::-1]):
                if t.runs.error is not None:
                    continue
                try:
                    if metric == "ttfb":
                        t.runs.ttfb.append(pyclient.ttfb(t.url, t.headers(), BODY_STREAM, slice_s))
                    else:
                        body = BODY_STREAM if metric == "s64" else BODY
                        conns = 1 if metric == "c1" else 64
                        t.runs.wrk[metric].append(wrk(t.base, body, t.key, conns, slice_s, cores))
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    t.runs.error = f"measurement failed: {e}"


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
        raise RuntimeError(f"`lectr orgs create bench --json` failed (exit {out.returncode}):\n"
                           f"{out.stdout[-500:]}\n{out.stderr[-1500:]}") from None
    proc = start([*cores.prefix(cores.server), *cmd, "serve", "--host", "127.0.0.1", "--port", str(port)],
                 log, env)
    try:
        wait_http_ok(base + "/health", proc, timeout=60)
    except RuntimeError as e:
        stop(proc)
        raise RuntimeError(f"{e}\n--- lectr log ---\n{log_tail(log)}") from None
    return proc, base, key


def foreign_load(wait_s: float) -> str:
    """Busy % of each core over 1 s before we start anything (other users of the machine);
    with ``wait_s`` > 0, keep sampling up to that long until every core is under 10 %."""
    deadline = time.monotonic() + wait_s
    while True:
        before = cpu_times()
        time.sleep(1.0)
        after = cpu_times()
        busy = [busy_pct(before, after, c) for c in sorted(after)]
        if max(busy, default=0) <= 10 or time.monotonic() >= deadline:
            break
    text = ", ".join(f"core{c} {b:.0f}%" for c, b in zip(sorted(after), busy))
    return text + ("  ⚠ machine not idle: numbers will be noisy" if max(busy, default=0) > 10 else "")


def main() -> None:
    ap = argparse.ArgumentParser(description="Lectr benchmark (see bench/README.md)")
    ap.add_argument("--duration", type=float, default=None,
                    help="seconds per target per metric, split into rounds (default 10; --quick 3)")
    ap.add_argument("--quick", action="store_true", help="short run (<1 min)")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per metric (default 5; --quick 3)")
    ap.add_argument("--no-lectr", action="store_true", help="only direct + passthrough")
    ap.add_argument("--fake-lectr", action="store_true", help="harness self-test: a passthrough stands in for Lectr")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="S",
                    help="wait up to S seconds for other load on the machine to stop before starting")
    ap.add_argument("--out", type=Path, default=BENCH_DIR / "results.md")
    args = ap.parse_args()
    duration = args.duration or (3.0 if args.quick else 10.0)
    rounds = args.rounds or (3 if args.quick else 5)
    slice_s = max(1.0, round(duration / rounds))
    warmup = 1.0 if args.quick else 2.0
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get update && apt-get install -y wrk")
    cores = Cores.detect()
    if cores.client is not None:
        os.sched_setaffinity(0, {cores.client})  # this script (and the TTFB client) on the client core
    t_start = time.monotonic()
    idle = foreign_load(args.wait_idle)
    print(f"load before start: {idle}", flush=True)
    direct, pt, lc = Target(TargetRuns("direct")), Target(TargetRuns("passthrough")), Target(TargetRuns("Lectr"))
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="lectr-bench-") as tmp_s:
        tmp = Path(tmp_s)
        try:
            up_port, pt_port = free_port(), free_port()
            direct.base, pt.base = f"http://127.0.0.1:{up_port}", f"http://127.0.0.1:{pt_port}"
            procs.append(start([*cores.prefix(cores.client), PY, str(BENCH_DIR / "fake_upstream.py"),
                                "--port", str(up_port)], tmp / "upstream.log"))
            wait_http_ok(direct.base + "/health", procs[-1])
            procs.append(start([*cores.prefix(cores.server), PY, str(BENCH_DIR / "passthrough.py"),
                                "--port", str(pt_port), "--upstream", direct.base], tmp / "passthrough.log"))
            wait_http_ok(pt.base + "/health", procs[-1])
            if args.no_lectr:
                lc.runs.error = "skipped (--no-lectr)"
            else:
                try:
                    proc, lc.base, lc.key = start_lectr(tmp, up_port, cores, args.fake_lectr)
                    procs.append(proc)
                except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                    lc.runs.error = str(e)
            targets = [t for t in (direct, pt, lc) if t.runs.error is None]
            print(f"targets: {', '.join(f'{t.runs.name} {t.base}' for t in targets)}", flush=True)
            for t in targets:
                prepare(t, cores, warmup)
            measure(targets, cores, rounds, slice_s)
        finally:
            for p in reversed(procs):
                stop(p)
    pin = (f"server under test on core {cores.server}; wrk, TTFB client, fake upstream on core {cores.client}"
           if cores.server is not None else "NOT pinned (fewer than 2 CPUs available)")
    meta = [f"# Lectr benchmark — {dt.datetime.now().isoformat(timespec='seconds')}", "",
            f"- {rounds} interleaved rounds x {slice_s:.0f}s per target per metric{' [--quick]' if args.quick else ''}; "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform(terse=True)}",
            f"- pinning: {pin}", f"- load before start: {idle}"]
    if args.fake_lectr:
        meta.append("- ⚠ `--fake-lectr`: the 'Lectr' column is a second passthrough (harness self-test)")
    report = render(direct.runs, pt.runs, lc.runs, meta)
    print("\n" + report)
    args.out.write_text(report)
    print(f"written to {args.out} ({time.monotonic() - t_start:.0f}s total)")


if __name__ == "__main__":
    main()
