"""Bulk loading for benchmarks and imports: raw events fast (COPY / big transactions), then rollups in SQL.

Not the gateway's write path (that is insert_events, which maintains rollups per batch); this builds the
same rollups from the loaded rows afterwards, so a 10-million-event data set loads in minutes.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any, Iterable, Iterator

import asyncpg

from lectr.events.record import COLUMNS
from lectr.store.rollup import LEVELS
from lectr.store.sql import rollup_from_events

Row = tuple[Any, ...]  # (uid: 16 bytes, *event values in COLUMNS order)


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def load_postgres(url: str, rows: Iterable[Row], chunk: int = 200_000) -> int:
    """COPY the rows into events, then fold each chunk's id range into the rollup tables."""
    conn = await asyncpg.connect(url)
    loaded = 0
    try:
        for part in _chunks(rows, chunk):
            records = [(uuid.UUID(bytes=r[0]), *r[1:]) for r in part]
            first = await conn.fetchval("SELECT coalesce(max(id), 0) FROM events")
            await conn.copy_records_to_table("events", records=records, columns=["uid", *COLUMNS])
            await _rollup(conn, f"id > {int(first)}")
            loaded += len(part)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return loaded


async def _rollup(conn: "asyncpg.Connection", where: str) -> None:
    async with conn.transaction():
        for level in LEVELS:
            await conn.execute(rollup_from_events(level, where))


def load_sqlite(path: str, rows: Iterable[Row], chunk: int = 200_000) -> int:
    """executemany in one transaction per chunk, then the chunk's rollups in SQL."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # a bulk load is redone from scratch if interrupted
    insert = f"INSERT INTO events (uid, {', '.join(COLUMNS)}) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})"
    loaded = 0
    try:
        for part in _chunks(rows, chunk):
            first = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
            conn.execute("BEGIN")
            conn.executemany(insert, part)
            for level in LEVELS:
                conn.execute(rollup_from_events(level, f"id > {int(first)}"))
            conn.execute("COMMIT")
            loaded += len(part)
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return loaded

