"""Which rollup tables answer which queries (the answers themselves are checked in the contract tests)."""

from __future__ import annotations

from lectr.store import RollupQuery
from lectr.store.rollup import DAY, DAY_MS, HOUR, HOUR_PROVIDER, MINUTE, MINUTE_PROVIDER
from lectr.store.sql import plan

START = 100 * DAY_MS + 5 * 3_600_000   # 05:00
END = START + 30 * DAY_MS              # 05:00, 30 days later


def test_totals_and_time_series_read_the_provider_only_tables() -> None:
    assert plan(RollupQuery(1, START, END)) == [(HOUR_PROVIDER, START, END)]
    assert plan(RollupQuery(1, START, END, group_by=("bucket", "provider"))) == [(HOUR_PROVIDER, START, END)]
    assert plan(RollupQuery(1, START, END, "minute", ("bucket",), {"provider": "openai"})) == [
        (MINUTE_PROVIDER, START, END)]


def test_long_breakdowns_read_whole_days_and_the_hours_at_either_end() -> None:
    day0, day30 = 101 * DAY_MS, 130 * DAY_MS
    assert plan(RollupQuery(1, START, END, group_by=("model",))) == [
        (DAY, day0, day30), (HOUR, START, day0), (HOUR, day30, END)]
    aligned = RollupQuery(1, day0, day30, group_by=("feature",))
    assert plan(aligned) == [(DAY, day0, day30)]


def test_short_or_per_bucket_breakdowns_read_the_full_tables() -> None:
    assert plan(RollupQuery(1, START, START + 6 * 3_600_000, group_by=("model",))) == [
        (HOUR, START, START + 6 * 3_600_000)]
    assert plan(RollupQuery(1, START, END, group_by=("bucket", "feature"))) == [(HOUR, START, END)]
    assert plan(RollupQuery(1, START, END, "minute", ("feature",))) == [(MINUTE, START, END)]
