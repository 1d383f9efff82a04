"""The Store interface: everything Lectr reads or writes goes through these methods.

The gateway writes events in batches; the dashboard, insights and CLI read only through here.
Rollups are maintained as events are written; dashboard queries read rollups, never raw events,
except the request log (`query_events`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

from lectr.events.record import Event
from lectr.proxy.auth import Org

# Upper bounds (ms) of the latency histogram kept in every rollup row; the last bucket is open-ended.
LATENCY_BOUNDS_MS: tuple[float, ...] = (
    10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 20000, 60000,
)
ROLLUP_DIMENSIONS = ("provider", "model", "feature", "task_type", "status_code", "error_category", "streaming")


@dataclass(frozen=True, slots=True)
class EventQuery:
    org_id: int
    limit: int = 100
    provider: str | None = None
    model: str | None = None        # matches requested, actual or reported
    feature: str | None = None
    task: str | None = None
    status: int | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    before_id: int | None = None    # keyset pagination: events with id < before_id
    streaming: bool | None = None
    provider_unknown: bool | None = None


@dataclass(frozen=True, slots=True)
class RollupQuery:
    """Sums over the buckets that start in [start_ms, end_ms) (align both to the bucket size).

    The store picks the cheapest tables that give the same answer: provider-only ones when nothing but
    provider is grouped or filtered, whole days for long hourly ranges not grouped by bucket.
    """

    org_id: int
    start_ms: int
    end_ms: int
    bucket: str = "hour"                          # "minute" | "hour": the bucket size
    group_by: tuple[str, ...] = ()                # subset of ("bucket",) + ROLLUP_DIMENSIONS
    filters: dict[str, Any] = field(default_factory=dict)  # dimension → value (equality)


@dataclass(frozen=True, slots=True)
class RollupRow:
    keys: dict[str, Any]            # the group_by values; "bucket" is the bucket start in epoch ms
    requests: int
    errors: int                     # status_code >= 400 or error_category set
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    cost_usd: float                 # sum over priced and estimated events only
    unpriced_requests: int          # events with cost_usd NULL (shown as unpriced, never $0)
    latency_sum_ms: float
    ttfb_sum_ms: float
    ttfb_count: int
    latency_hist: tuple[int, ...]   # counts per LATENCY_BOUNDS_MS bucket, plus one overflow bucket
    cache_write_tokens: int = 0     # prompt-cache writes (Anthropic bills them above input)


@dataclass(frozen=True, slots=True)
class PricedEvent:
    """An event's raw usage, for re-pricing."""

    id: int
    org_id: int
    ts_ms: int
    provider: str
    model_requested: str | None
    model_actual: str | None
    model_reported: str | None
    input_tokens: int | None
    output_tokens: int | None
    cached_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    token_source: str
    cost_usd: float | None
    cost_status: str
    price_source: str | None


class Conflict(Exception):
    """A write collided with an existing row (e.g. an org name that is taken)."""


class Store(Protocol):
    async def open(self) -> None: ...      # connects and applies migrations
    async def migrate(self) -> list[str]: ...  # applies pending migrations; returns the names applied now
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...

    # organisations and keys
    async def create_org(self, name: str, key_hash: str) -> Org: ...  # raises Conflict when the name is taken
    async def get_org(self, name: str) -> Org | None: ...
    async def list_orgs(self) -> list[Org]: ...
    async def count_orgs(self) -> int: ...
    async def replace_keys(self, org_id: int, key_hash: str) -> None: ...   # revokes every other key
    async def add_key(self, org_id: int, key_hash: str) -> None: ...        # an extra key; the others stay
    async def set_org_disabled(self, org_id: int, disabled: bool) -> None: ...
    async def set_azure(self, org_id: int, endpoint: str, api_version: str) -> None: ...
    async def map_azure_deployment(self, org_id: int, deployment: str, model: str) -> None: ...
    async def config_version(self) -> int: ...
    async def auth_snapshot(self) -> dict[str, Org]: ...

    # events and rollups
    # Also updates the rollups, atomically. `uids` (16 bytes each, one per event) make a replayed batch
    # idempotent: an event whose uid is already stored is skipped, in the table and in the rollups.
    async def insert_events(self, events: Sequence[Event], uids: Sequence[bytes] | None = None) -> None: ...
    async def query_events(self, q: EventQuery) -> list[dict[str, Any]]: ...
    async def query_rollups(self, q: RollupQuery) -> list[RollupRow]: ...

    # re-pricing and retention
    async def events_for_repricing(
        self, org_id: int | None, since_ms: int | None, after_id: int, limit: int
    ) -> list[PricedEvent]: ...
    async def update_costs(self, changes: Sequence[tuple[int, float | None, str, str | None]]) -> None: ...
    async def prune_events(self, before_ms: int, batch: int) -> int: ...      # deletes at most `batch`; returns count
    # Deletes buckets that ended by before_ms. bucket "minute": the per-minute tables only; "hour": the
    # hourly and daily ones; None: all.
    async def prune_rollups(self, before_ms: int, batch: int, bucket: str | None = None) -> int: ...
