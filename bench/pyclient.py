"""Python (aiohttp + uvloop) client pieces of the benchmark.

* ``check``: one request, verifying status and body shape (200 + a
  ``chat.completion``, or an SSE stream ending in ``data: [DONE]``), so that
  a target answering errors fast is never mistaken for a fast target.
* ``ttfb``: sequential (concurrency 1) streaming requests for ``duration``
  seconds over one kept-alive connection; each sample is the wall time from
  just before sending the request until the first *body* chunk is readable
  (i.e. headers parsed and at least one SSE byte arrived). The whole response
  is then drained before the next request. The first ``warmup_requests``
  samples (connection set-up, caches) are discarded.

wrk cannot observe the first body byte, hence this Python client; its own
overhead is the same for every target, so compare the *added* TTFB.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp
import uvloop


@dataclass
class TtfbResult:
    samples_ms: list[float]  # one per measured request (warm-up excluded)
    errors: int


def _session(limit: int = 1) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, keepalive_timeout=60)
    return aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                 timeout=aiohttp.ClientTimeout(total=30))


async def _check(url: str, headers: dict[str, str], body: bytes, stream: bool) -> str | None:
    async with _session() as s, s.post(url, data=body, headers=headers) as r:
        text = (await r.read()).decode("utf-8", "replace")
        if r.status != 200:
            return f"HTTP {r.status}: {text[:300]}"
        if stream and not text.rstrip().endswith("data: [DONE]"):
            return f"stream did not end with data: [DONE]: ...{text[-300:]}"
        if not stream and '"chat.completion"' not in text:
            return f"not a chat.completion: {text[:300]}"
        return None


def check(url: str, headers: dict[str, str], body: bytes, stream: bool) -> str | None:
    """None if the target answers correctly, else a short error description."""
    try:
        return uvloop.run(_check(url, headers, body, stream))
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as e:
        return f"{type(e).__name__}: {e}"


async def _ttfb(url: str, headers: dict[str, str], body: bytes,
                duration: float, warmup_requests: int) -> TtfbResult:
    samples: list[float] = []
    errors = 0
    async with _session() as s:
        deadline = time.perf_counter() + duration
        max_requests = warmup_requests + int(duration * 20_000)  # hard bound on the loop
        for i in range(max_requests):
            if time.perf_counter() >= deadline:
                break
            t0 = time.perf_counter()
            try:
                async with s.post(url, data=body, headers=headers) as r:
                    first = await r.content.readany()
                    t1 = time.perf_counter()
                    await r.read()
                    ok = r.status == 200 and bool(first)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                ok = False
            if not ok:
                errors += 1
            elif i >= warmup_requests:
                samples.append((t1 - t0) * 1000.0)
    return TtfbResult(samples_ms=samples, errors=errors)


def ttfb(url: str, headers: dict[str, str], body: bytes,
         duration: float, warmup_requests: int = 50) -> TtfbResult:
    """Streaming TTFB samples at concurrency 1 for ``duration`` seconds (fresh connection)."""
    return uvloop.run(_ttfb(url, headers, body, duration, warmup_requests))


if __name__ == "__main__":  # ad-hoc: python bench/pyclient.py http://127.0.0.1:18001
    import sys

    target = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18001") + "/v1/chat/completions"
    hdrs = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    payload = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}],"stream":true}'
    print(check(target, hdrs, payload, stream=True) or "check ok")
    res = ttfb(target, hdrs, payload, duration=3.0)
    res.samples_ms.sort()
    print(f"{len(res.samples_ms)} samples, p50 {res.samples_ms[len(res.samples_ms) // 2]:.3f} ms, "
          f"errors {res.errors}")
