"""Store fixtures: every contract test runs once on SQLite and once on PostgreSQL (a fresh schema each)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import AsyncIterator, Iterator

import httpx
import pytest

from lectr.store import Store, open_store
from tests.store.traffic import client
from tests.support.postgres import Postgres, require_postgres, with_database

_schemas = itertools.count(1)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[tuple[Postgres, str]]:
    """One throwaway database for the session's store tests; each test takes its own schema in it."""
    server = require_postgres()
    url = server.create_database()
    yield server, url
    server.drop_all()


def store_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'lectr.db'}"
    server, url = request.getfixturevalue("pg_database")
    schema = f"s{next(_schemas)}"
    server.execute(f"CREATE SCHEMA {schema}", url)
    return with_database(url, url.rsplit("/", 1)[1], f"search_path={schema}")


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return store_url(request.param, request, tmp_path)


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    s = open_store(url)
    await s.open()
    yield s
    await s.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with client() as c:
        yield c
