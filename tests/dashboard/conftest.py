"""Fixtures for the dashboard tests: orgs with real traffic through the gateway."""

from tests.dashboard.fixtures import new_org, rival, shop  # noqa: F401
