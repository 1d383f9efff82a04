"""Session-wide fixtures: the fake providers and one running gateway pointed at them.

LECTR_TEST_STORE=postgres runs every gateway on a fresh PostgreSQL database instead of SQLite.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Iterator

import pytest

from tests.fakes.server import FakeProviders
from tests.support.gateway import Gateway, gateway_env
from tests.support.postgres import Postgres, require_postgres

_names = itertools.count(1)


@pytest.fixture(scope="session")
def fakes() -> Iterator[FakeProviders]:
    providers = FakeProviders()
    providers.start()
    yield providers
    providers.stop()


@pytest.fixture(scope="session")
def gateway_postgres() -> Iterator[Postgres | None]:
    """The PostgreSQL server gateways use when LECTR_TEST_STORE=postgres; None for SQLite (the default)."""
    if os.environ.get("LECTR_TEST_STORE", "sqlite") != "postgres":
        yield None
        return
    server = require_postgres()
    yield server
    server.drop_all()


def _store_env(server: Postgres | None) -> dict[str, str]:
    return {"LECTR_DATABASE_URL": server.create_database()} if server else {}


@pytest.fixture(scope="session")
def gateway(
    fakes: FakeProviders, tmp_path_factory: pytest.TempPathFactory, gateway_postgres: Postgres | None
) -> Iterator[Gateway]:
    data_dir = tmp_path_factory.mktemp("gateway")
    gw = Gateway(data_dir, gateway_env(data_dir, fakes.base_urls, **_store_env(gateway_postgres))).start()
    yield gw
    gw.stop()


@pytest.fixture
def org_key(gateway: Gateway) -> str:
    """A fresh org per test, so each test sees only its own events."""
    return gateway.create_org(f"org{next(_names)}")


@pytest.fixture
def fresh_gateway(fakes: FakeProviders, tmp_path: Path, gateway_postgres: Postgres | None) -> Iterator[Gateway]:
    """A gateway of the test's own (and, on PostgreSQL, a database of its own), for tests that restart or signal it."""
    gw = Gateway(tmp_path / "gw", gateway_env(tmp_path / "gw", fakes.base_urls, **_store_env(gateway_postgres)))
    yield gw
    gw.stop()
