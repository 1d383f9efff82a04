"""The gateway on PostgreSQL, end to end: events and rollups, keys, several processes on one database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from lectr.store import RollupQuery, open_store
from tests.fakes.server import FakeProviders
from tests.store.traffic import chat, pids, request_ids, wait_until
from tests.support.clients import openai_via
from tests.support.gateway import Gateway, gateway_env
from tests.support.postgres import Postgres, require_postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = require_postgres()
    yield server
    server.drop_all()


@pytest.fixture
def pg_url(postgres: Postgres) -> str:
    return postgres.create_database()


def make_gateway(fakes: FakeProviders, data_dir: Path, url: str, *extra: str, **env: str) -> Gateway:
    return Gateway(data_dir, gateway_env(data_dir, fakes.base_urls, LECTR_DATABASE_URL=url, **env)).start(*extra)


@pytest.fixture
def pg_gateway(fakes: FakeProviders, tmp_path: Path, pg_url: str) -> Iterator[Gateway]:
    gw = make_gateway(fakes, tmp_path / "gw", pg_url)
    yield gw
    gw.stop()


def test_events_and_rollups_on_postgres(pg_gateway: Gateway, pg_url: str) -> None:
    key = pg_gateway.create_org("acme")
    client = openai_via(pg_gateway.url, key, **{"X-Lectr-Feature": "search", "X-Lectr-Task": "classification"})
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    streamed = list(client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "yo"}],
                                                   stream=True))
    assert streamed
    events = pg_gateway.wait_events(key, 2)
    by_model = {e["model_requested"]: e for e in events}
    first = by_model["gpt-4o"]
    assert first["request_id"] == raw.http_response.headers["x-request-id"]
    assert first["cost_status"] == "priced" and first["cost_usd"] > 0 and first["streaming"] is False
    assert by_model["gpt-4o-mini"]["streaming"] is True and by_model["gpt-4o-mini"]["output_tokens"] > 0
    assert (first["feature"], first["task_type"]) == ("search", "classification")

    async def rollups() -> list:
        store = open_store(pg_url)
        await store.open()
        try:
            org = await store.get_org("acme")
            assert org is not None
            return await store.query_rollups(
                RollupQuery(org_id=org.id, start_ms=0, end_ms=2**62, group_by=("model", "streaming"))
            )
        finally:
            await store.close()

    rows = {(r.keys["model"], r.keys["streaming"]): r for r in asyncio.run(rollups())}
    assert set(rows) == {("gpt-4o", False), ("gpt-4o-mini", True)}
    assert rows[("gpt-4o", False)].cost_usd == pytest.approx(first["cost_usd"])
    assert rows[("gpt-4o", False)].input_tokens == first["input_tokens"]


def test_key_rotation_disable_and_first_start_on_postgres(pg_gateway: Gateway, http: httpx.Client) -> None:
    taken = pg_gateway.cli("orgs", "create", "default", check=False)  # first start made it
    assert taken.returncode != 0 and "already exists" in taken.stderr
    key = pg_gateway.create_org("acme")
    new = json.loads(pg_gateway.cli("keys", "rotate", "acme", "--json").stdout)["key"]
    pg_gateway.wait_key_accepted(key, accepted=False)
    pg_gateway.wait_key_accepted(new)
    pg_gateway.cli("orgs", "disable", "acme")
    wait_until(lambda: chat(http, pg_gateway.url, new).status_code == 401, what="disabled org rejected")
    assert chat(http, pg_gateway.url, new).json()["error"]["code"] == "org_disabled"


def test_two_gateways_one_database_see_each_others_changes(
    fakes: FakeProviders, tmp_path: Path, pg_url: str, http: httpx.Client
) -> None:
    a = make_gateway(fakes, tmp_path / "a", pg_url)
    b = make_gateway(fakes, tmp_path / "b", pg_url)
    try:
        key = a.create_org("shared")
        b.wait_key_accepted(key)
        assert chat(http, a.url, key).status_code == 200 and chat(http, b.url, key).status_code == 200
        wait_until(lambda: len(request_ids(http, b, key)) == 2, what="both gateways' events")

        new = json.loads(a.cli("keys", "rotate", "shared", "--json").stdout)["key"]
        for gw in (a, b):
            gw.wait_key_accepted(key, accepted=False)
            gw.wait_key_accepted(new)

        azure = {"X-Lectr-Provider": "azure", "api-key": "azure-test-key"}
        assert chat(http, b.url, new, **azure).json()["error"]["code"] == "azure_config_missing"
        a.cli("azure", "set", "shared", "--endpoint", fakes.base_urls["azure"])
        for gw in (a, b):
            wait_until(lambda gw=gw: chat(http, gw.url, new, **azure).status_code == 200, what="Azure everywhere")
        assert fakes.last().provider == "azure"
    finally:
        a.stop()
        b.stop()


@pytest.mark.parametrize("store", ["postgres", "sqlite"])
def test_serve_workers_share_the_port_and_the_config(
    fakes: FakeProviders, tmp_path: Path, store: str, request: pytest.FixtureRequest, http: httpx.Client
) -> None:
    url = request.getfixturevalue("pg_url") if store == "postgres" else f"sqlite:///{tmp_path / 'w' / 'lectr.db'}"
    gw = make_gateway(fakes, tmp_path / "w", url, "--workers", "2")
    try:
        workers = pids(http, gw, 2)
        assert len(workers) == 2 and gw.proc is not None and gw.proc.pid not in workers
        key = gw.create_org("acme")
        wait_until(lambda: all(chat(http, gw.url, key).status_code == 200 for _ in range(10)), what="every worker")
        new = json.loads(gw.cli("keys", "rotate", "acme", "--json").stdout)["key"]
        gw.wait_key_accepted(key, accepted=False)
        gw.wait_key_accepted(new)
        pairs = [(chat(http, gw.url, key), chat(http, gw.url, new)) for _ in range(20)]
        assert {(old.status_code, ok.status_code) for old, ok in pairs} == {(401, 200)}
        sent = {ok.headers["x-request-id"] for _, ok in pairs}
        wait_until(lambda: sent <= request_ids(http, gw, new), what="every worker's events")
    finally:
        assert gw.stop() == 0
