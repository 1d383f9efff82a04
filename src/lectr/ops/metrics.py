"""Counters kept in memory and rendered as Prometheus text. Updating them is a few dict operations."""

from __future__ import annotations

import bisect
from collections import Counter


from lectr.events.record import Event

BUCKETS_MS = (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0, 60000.0)


class Metrics:
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, int]] = Counter()     # (provider, status code)
        self.errors: Counter[tuple[str, str]] = Counter()       # (source, category)
        self.proxy_errors: Counter[str] = Counter()             # contract code, including unauthenticated
        self.latency_buckets = [0] * (len(BUCKETS_MS) + 1)
        self.latency_sum_ms = 0.0
        self.latency_count = 0

    def observe(self, event: Event) -> None:
        self.requests[(event.provider, event.status_code)] += 1
        if event.error_category:
            self.errors[(event.error_source or "proxy", event.error_category)] += 1
        self.latency_buckets[bisect.bisect_left(BUCKETS_MS, event.latency_ms)] += 1
        self.latency_sum_ms += event.latency_ms
        self.latency_count += 1

    def proxy_error(self, code: str) -> None:
        self.proxy_errors[code] += 1

    def render(self, gauges: dict[str, tuple[str, float]]) -> str:
        lines: list[str] = []
        _family(lines, "lectr_requests_total", "counter", "Proxied requests by provider and status.",
                 ((f'provider="{p}",status="{s}"', n) for (p, s), n in sorted(self.requests.items())))
        _family(lines, "lectr_errors_total", "counter", "Requests that ended in an error, by source and category.",
                ((f'source="{s}",category="{c}"', n) for (s, c), n in sorted(self.errors.items())))
        _family(lines, "lectr_proxy_errors_total", "counter", "Errors Lectr itself answered, by contract code.",
                ((f'code="{c}"', n) for c, n in sorted(self.proxy_errors.items())))
        lines += ["# HELP lectr_request_latency_ms Total request latency in milliseconds.",
                  "# TYPE lectr_request_latency_ms histogram"]
        running = 0
        for bound, n in zip((*BUCKETS_MS, float("inf")), self.latency_buckets):
            running += n
            le = "+Inf" if bound == float("inf") else f"{bound:g}"
            lines.append(f'lectr_request_latency_ms_bucket{{le="{le}"}} {running}')
        lines += [f"lectr_request_latency_ms_sum {self.latency_sum_ms:.3f}",
                  f"lectr_request_latency_ms_count {self.latency_count}"]
        for name, (kind_help, value) in gauges.items():
            kind, _, help_text = kind_help.partition(":")
            _family(lines, name, kind, help_text, [("", value)])
        return "\n".join(lines) + "\n"


def _family(lines: list[str], name: str, kind: str, help_text: str, samples: object) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:  # type: ignore[attr-defined]
        lines.append(f"{name}{{{labels}}} {value:g}" if labels else f"{name} {value:g}")


