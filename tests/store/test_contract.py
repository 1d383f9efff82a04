"""The Store contract, part 1: migrations, orgs, keys and config_version — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from lectr.store import Conflict, RollupQuery, Store, open_store
from lectr.store.migrate import SCHEMA_MIGRATIONS_DDL, migrations
from tests.store.test_contract_events import ev


async def test_open_applies_every_migration_once(store: Store, url: str) -> None:
    assert await store.migrate() == []
    again = open_store(url)
    await again.open()
    assert await again.migrate() == []
    await again.close()


async def test_concurrent_first_opens_migrate_once(url: str) -> None:
    stores = [open_store(url) for _ in range(3)]
    await asyncio.gather(*(s.open() for s in stores))  # racing to apply the same migrations must not fail
    assert [await s.migrate() for s in stores] == [[], [], []]
    await stores[0].create_org("acme", "k")
    assert await stores[1].count_orgs() == 1
    for s in stores:
        await s.close()


async def test_upgrade_from_the_first_migration_keeps_data(url: str, tmp_path: Path) -> None:
    """A database made by migration 0001 alone is brought up to date by open(), rows intact."""
    dialect = "postgres" if url.startswith("postgres") else "sqlite"
    first, sql = migrations(dialect)[0]
    seed = f"{sql}\n{SCHEMA_MIGRATIONS_DDL};\nINSERT INTO schema_migrations VALUES ('{first}', 0);\n"
    seed += "INSERT INTO orgs (name, created_ms) VALUES ('acme', 0);"
    if dialect == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.executescript(seed)
        conn.close()
    else:
        pg = await asyncpg.connect(url)
        await pg.execute(seed)
        await pg.close()
    store = open_store(url)
    await store.open()
    try:
        assert await store.migrate() == [] and [o.name for o in await store.list_orgs()] == ["acme"]
        await store.insert_events([ev(0, cache_write_tokens=7)])
        [row] = await store.query_rollups(RollupQuery(org_id=1, start_ms=0, end_ms=2**62))
        assert row.cache_write_tokens == 7
    finally:
        await store.close()


def test_both_dialects_have_the_same_migrations() -> None:
    assert [v for v, _ in migrations("sqlite")] == [v for v, _ in migrations("postgres")]


async def test_orgs_create_get_list_count(store: Store) -> None:
    assert await store.count_orgs() == 0 and await store.list_orgs() == []
    a = await store.create_org("acme", "hash-a")
    b = await store.create_org("globex", "hash-b")
    assert a.id != b.id and (a.name, b.name) == ("acme", "globex")
    assert await store.get_org("acme") == a
    assert await store.get_org("nobody") is None
    assert [o.name for o in await store.list_orgs()] == ["acme", "globex"]
    assert await store.count_orgs() == 2


async def test_duplicate_org_name_is_a_conflict(store: Store) -> None:
    await store.create_org("acme", "hash-a")
    with pytest.raises(Conflict):
        await store.create_org("acme", "hash-other")
    assert await store.count_orgs() == 1
    assert set(await store.auth_snapshot()) == {"hash-a"}


async def test_replace_keys_revokes_the_old_key(store: Store) -> None:
    org = await store.create_org("acme", "old")
    await store.replace_keys(org.id, "new")
    snapshot = await store.auth_snapshot()
    assert set(snapshot) == {"new"} and snapshot["new"].id == org.id


async def test_add_key_keeps_the_other_keys(store: Store) -> None:
    org = await store.create_org("acme", "first")
    await store.add_key(org.id, "second")
    snapshot = await store.auth_snapshot()
    assert set(snapshot) == {"first", "second"} and {o.id for o in snapshot.values()} == {org.id}
    await store.replace_keys(org.id, "third")
    assert set(await store.auth_snapshot()) == {"third"}


async def test_every_config_change_bumps_config_version(store: Store) -> None:
    seen = [await store.config_version()]
    org = await store.create_org("acme", "k1")
    seen.append(await store.config_version())
    for change in (
        store.replace_keys(org.id, "k2"),
        store.add_key(org.id, "k3"),
        store.set_org_disabled(org.id, True),
        store.set_azure(org.id, "https://acme.openai.azure.com", "2024-06-01"),
        store.map_azure_deployment(org.id, "prod-gpt4o", "gpt-4o"),
    ):
        await change
        seen.append(await store.config_version())
    assert seen == sorted(set(seen)), seen


async def test_disabled_and_azure_settings_reach_the_snapshot(store: Store) -> None:
    org = await store.create_org("acme", "k")
    await store.set_org_disabled(org.id, True)
    await store.set_azure(org.id, "https://acme.openai.azure.com", "2024-06-01")
    await store.map_azure_deployment(org.id, "prod", "gpt-4o")
    await store.map_azure_deployment(org.id, "prod", "gpt-4o-mini")  # re-mapping replaces
    seen = (await store.auth_snapshot())["k"]
    assert seen.disabled is True
    assert (seen.azure_endpoint, seen.azure_api_version) == ("https://acme.openai.azure.com", "2024-06-01")
    assert seen.azure_deployments == {"prod": "gpt-4o-mini"}
    await store.set_org_disabled(org.id, False)
    assert (await store.get_org("acme")).disabled is False  # type: ignore[union-attr]
    assert await store.list_orgs() == [await store.get_org("acme")]


async def test_ping(store: Store) -> None:
    assert await store.ping() is True
