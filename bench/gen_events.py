"""Synthetic events for the store benchmark, loaded in bulk (COPY on PostgreSQL, big transactions on SQLite).

    .venv/bin/python bench/gen_events.py --store postgresql://postgres@127.0.0.1:5432/lectr_bench \
        --events 10000000 --orgs 10 --days 30
    .venv/bin/python bench/gen_events.py --store sqlite:///bench.db --events 1000000 --orgs 10 --days 30

The traffic is shaped like a real fleet, because rollup sizes depend on it: org sizes are skewed (org 1 is the
largest, about a third of all events), each org has features with a fixed task type and one or two models,
most requests succeed, latency is log-normal, a few models are unpriced. Events are spread evenly over the
last --days days, ending now. Rollups are built from the loaded events in SQL, chunk by chunk.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lectr.proxy.auth import hash_key, new_key  # noqa: E402
from lectr.store import open_store  # noqa: E402
from lectr.store.bulk import Row, load_postgres, load_sqlite  # noqa: E402

# (provider, model, $ per 1M input, $ per 1M output); None: a model without a price (unpriced)
MODELS = [
    ("openai", "gpt-4o", 2.5, 10.0), ("openai", "gpt-4o-mini", 0.15, 0.6), ("openai", "gpt-4.1-mini", 0.4, 1.6),
    ("anthropic", "claude-3-5-sonnet-20241022", 3.0, 15.0), ("anthropic", "claude-3-5-haiku-20241022", 0.8, 4.0),
    ("groq", "llama-3.1-8b-instant", 0.05, 0.08), ("gemini", "gemini-1.5-flash", 0.075, 0.3),
    ("openai", "my-finetune-v3", None, None),
]
FEATURES = ["search", "chat", "summarise-ticket", "classify-email", "extract-invoice", "agent", "autocomplete",
            "untagged"]
TASKS = ["classification", "summarisation", "extraction", "generation", "reasoning", None]
ERRORS = [(429, "rate_limit", "provider"), (500, "server_error", "provider"), (400, "invalid_request", "provider"),
          (503, "provider_unreachable", "proxy")]


def org_plan(rng: random.Random, orgs: int) -> list[list[tuple[str, str | None, list[int]]]]:
    """Per org: its features, each with a task type and the one or two models it uses."""
    plans = []
    for _ in range(orgs):
        plan = []
        for feature in rng.sample(FEATURES, rng.randint(4, len(FEATURES))):
            models = rng.sample(range(len(MODELS)), rng.choice((1, 1, 2)))
            plan.append((feature, rng.choice(TASKS), models))
        plans.append(plan)
    return plans


def events(n: int, org_ids: list[int], days: int, seed: int) -> Iterator[Row]:
    rng = random.Random(seed)
    plans = org_plan(rng, len(org_ids))
    weights = [1 / (i + 1) for i in range(len(org_ids))]  # org 1 largest
    end_ms = int(time.time() * 1000)
    start_ms = end_ms - days * 86_400_000
    step = (end_ms - start_ms) / n
    prefix = os.urandom(8)
    org_picks = rng.choices(range(len(org_ids)), weights, k=n)
    for i in range(n):
        o = org_picks[i]
        feature, task, models = plans[o][int(rng.random() * len(plans[o]))]
        provider, model, p_in, p_out = MODELS[models[0] if len(models) == 1 or rng.random() < 0.7 else models[1]]
        streaming = rng.random() < 0.4
        latency = math.exp(rng.gauss(6.3, 0.8))  # median ~550 ms
        tin, tout = int(rng.expovariate(1 / 800)) + 5, int(rng.expovariate(1 / 200)) + 1
        status, category, source = (200, None, None) if rng.random() < 0.97 else rng.choice(ERRORS)
        ok = status == 200
        cost = (tin * p_in + tout * p_out) / 1e6 if ok and p_in is not None else None
        priced = "priced" if cost is not None else "unpriced"
        yield (
            prefix + i.to_bytes(8, "big"), org_ids[o], f"req_{rng.getrandbits(96):024x}",
            int(start_ms + i * step), "chat.completions", provider, p_in is None, model, model,
            model if ok else None, streaming, status, category, source, latency,
            latency * 0.3 if streaming and ok else None, tin if ok else None, tout if ok else None,
            0 if ok else None, None, None, "provider" if ok else "missing", cost, priced,
            "genai-prices" if cost is not None else None, feature, task, None,
        )


async def create_orgs(url: str, orgs: int) -> list[int]:
    store = open_store(url)
    await store.open()  # applies migrations
    try:
        ids = []
        for k in range(1, orgs + 1):
            org = await store.get_org(f"bench-{k}") or await store.create_org(f"bench-{k}", hash_key(new_key()))
            ids.append(org.id)
        return ids
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="sqlite:///PATH or postgresql://…")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    org_ids = asyncio.run(create_orgs(args.store, args.orgs))
    started = time.monotonic()
    rows = events(args.events, org_ids, args.days, args.seed)
    if args.store.startswith("sqlite:///"):
        loaded = load_sqlite(args.store[len("sqlite:///"):], rows)
    else:
        loaded = asyncio.run(load_postgres(args.store, rows))
    took = time.monotonic() - started
    print(f"loaded {loaded:,} events for {args.orgs} orgs over {args.days} days in {took:.0f} s "
          f"({loaded / took:,.0f} events/s); org ids {org_ids[0]}..{org_ids[-1]}")


if __name__ == "__main__":
    main()
