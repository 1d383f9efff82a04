"""Session fixtures shared by the dashboard API tests and the browser tests (imported by both conftests)."""

from __future__ import annotations

import itertools

import pytest

from tests.dashboard.traffic import Org, make_org, send_traffic
from tests.fakes.server import FakeProviders
from tests.support.gateway import Gateway

_names = itertools.count(1)


@pytest.fixture(scope="session")
def shop(gateway: Gateway, fakes: FakeProviders) -> Org:
    """An org with the full traffic mix across all five providers."""
    org = make_org(gateway, fakes, f"shop-{next(_names)}")
    send_traffic(gateway, org)
    return org


@pytest.fixture(scope="session")
def rival(gateway: Gateway, fakes: FakeProviders) -> Org:
    """A second org whose features are all named rival-…, which the shop must never see."""
    org = make_org(gateway, fakes, f"rival-{next(_names)}")
    send_traffic(gateway, org, feature_prefix="rival-")
    return org


@pytest.fixture
def new_org(gateway: Gateway, fakes: FakeProviders) -> Org:
    """An org of the test's own, with no traffic."""
    return make_org(gateway, fakes, f"fresh-{next(_names)}")
