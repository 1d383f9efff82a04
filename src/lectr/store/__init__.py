"""Storage behind one narrow interface; `open_store(url)` picks the implementation."""

from __future__ import annotations

from lectr.store.base import Conflict, EventQuery, RollupQuery, RollupRow, Store


def open_store(url: str) -> Store:
    if url.startswith("sqlite:///"):
        from lectr.store.sqlite import SqliteStore

        return SqliteStore(url[len("sqlite:///"):])
    if url.startswith(("postgresql://", "postgres://")):
        from lectr.store.postgres import PostgresStore

        return PostgresStore(url)
    raise ValueError("LECTR_DATABASE_URL must start with sqlite:/// or postgresql://")


__all__ = ["Conflict", "EventQuery", "RollupQuery", "RollupRow", "Store", "open_store"]
