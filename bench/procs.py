"""Process, port, CPU-pinning and wrk helpers for bench/run.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
WRK_SCRIPT = BENCH_DIR / "wrk_post.lua"


@dataclass(frozen=True)
class Cores:
    """Where things run: ``client`` = load generators + fake upstream, ``server`` = server under test."""

    client: int | None
    server: int | None

    @staticmethod
    def detect() -> Cores:
        cpus = sorted(os.sched_getaffinity(0))
        return Cores(cpus[0], cpus[1]) if len(cpus) >= 2 else Cores(None, None)

    def prefix(self, core: int | None) -> list[str]:
        return ["taskset", "-c", str(core)] if core is not None else []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    fh = log.open("ab")
    return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True)


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    """Stop one process we started (SIGTERM, then SIGKILL after 5 s)."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def wait_http_ok(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Poll GET ``url`` until 200; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} was ready")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout:.0f}s")


def log_tail(log: Path, n: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def cpu_times() -> dict[int, tuple[int, int]]:
    """Per-core (busy, total) jiffies from /proc/stat."""
    out: dict[int, tuple[int, int]] = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *vals = line.split()
        if name.startswith("cpu") and name != "cpu":
            v = [int(x) for x in vals]
            idle = v[3] + v[4]  # idle + iowait
            out[int(name[3:])] = (sum(v[:8]) - idle, sum(v[:8]))
    return out


def busy_pct(before: dict[int, tuple[int, int]], after: dict[int, tuple[int, int]], core: int | None) -> float:
    if core is None or core not in before or core not in after:
        return float("nan")
    busy, total = (after[core][0] - before[core][0]), (after[core][1] - before[core][1])
    return 100.0 * busy / total if total else float("nan")


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    busy_client: float  # % of the client core busy during the run
    busy_server: float  # % of the server core busy during the run


def wrk(base_url: str, body: bytes, key: str | None, conns: int, duration: float,
        cores: Cores) -> WrkResult:
    """One wrk run (1 thread, ``conns`` keep-alive connections) pinned to the client core."""
    env = {**os.environ, "BENCH_BODY": body.decode(), "BENCH_LECTR_KEY": key or ""}
    cmd = [*cores.prefix(cores.client), "wrk", "-t1", f"-c{conns}", f"-d{max(1, round(duration))}s",
           "--timeout", "10s", "-s", str(WRK_SCRIPT), base_url]
    before = cpu_times()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 60)
    after = cpu_times()
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout[-500:]} {proc.stderr[-500:]}")
    d = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(d[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
    return WrkResult(rps=d["requests"] / (d["duration_us"] / 1e6), p50_ms=d["p50_us"] / 1000,
                     p99_ms=d["p99_us"] / 1000, requests=d["requests"], errors=errors,
                     busy_client=busy_pct(before, after, cores.client),
                     busy_server=busy_pct(before, after, cores.server))
