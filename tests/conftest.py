"""Session-wide fixtures: the fake providers and one running gateway pointed at them."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterator

import pytest

from tests.fakes.server import FakeProviders
from tests.support.gateway import Gateway, gateway_env

_names = itertools.count(1)


@pytest.fixture(scope="session")
def fakes() -> Iterator[FakeProviders]:
    providers = FakeProviders()
    providers.start()
    yield providers
    providers.stop()


@pytest.fixture(scope="session")
def gateway(fakes: FakeProviders, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    data_dir = tmp_path_factory.mktemp("gateway")
    gw = Gateway(data_dir, gateway_env(data_dir, fakes.base_urls)).start()
    yield gw
    gw.stop()


@pytest.fixture
def org_key(gateway: Gateway) -> str:
    """A fresh org per test, so each test sees only its own events."""
    return gateway.create_org(f"org{next(_names)}")


@pytest.fixture
def fresh_gateway(fakes: FakeProviders, tmp_path: Path) -> Iterator[Gateway]:
    """A gateway of the test's own, for tests that restart or signal it."""
    gw = Gateway(tmp_path / "gw", gateway_env(tmp_path / "gw", fakes.base_urls))
    yield gw
    gw.stop()
