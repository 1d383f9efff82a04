"""The dashboard: sign-in, the pages (a small vanilla-JS app over the JSON API) and their static assets."""

from __future__ import annotations

from typing import Any

__all__ = ["dashboard_access", "setup_dashboard"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing lectr.dashboard.access (as the JSON API modules do) does not pull in the
    # route setup, which imports those API modules back.
    if name in __all__:
        from lectr.dashboard import setup

        return getattr(setup, name)
    raise AttributeError(name)
