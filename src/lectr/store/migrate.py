"""Versioned migrations: numbered SQL files per dialect, recorded in `schema_migrations` once applied.

Both runners are safe when several processes start at once: PostgreSQL serialises them with an
advisory lock; SQLite with its write lock plus the primary key on schema_migrations.version.
"""

from __future__ import annotations

import sqlite3
import time
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncpg

# pg_advisory_lock key for migrations ("lectr" in ASCII); one per database, shared by every schema in it.
_PG_LOCK = 0x6C65637472
SCHEMA_MIGRATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_ms BIGINT NOT NULL)"
)


def migrations(dialect: str) -> list[tuple[str, str]]:
    """(version, sql) for every migration of `dialect` ("sqlite" | "postgres"), in order."""
    folder = resources.files("lectr.store").joinpath("migrations", dialect)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text()) for f in files]


def apply_sqlite(conn: sqlite3.Connection) -> list[str]:
    conn.execute(SCHEMA_MIGRATIONS_DDL)
    conn.execute("BEGIN")  # one snapshot for both reads: another process may be migrating right now
    applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
    legacy = not applied and conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'orgs'").fetchone()
    conn.execute("COMMIT")
    if legacy:
        raise RuntimeError(
            "this SQLite database was made by a pre-release Lectr without migrations: move it aside and start again"
        )
    done: list[str] = []
    for version, sql in migrations("sqlite"):
        if version in applied:
            continue
        # One script so the migration and its record commit together; the record goes first, so a
        # process that lost the race fails fast on the primary key instead of on a half-built schema.
        script = (
            f"BEGIN IMMEDIATE; INSERT INTO schema_migrations VALUES ('{version}', {int(time.time() * 1000)});\n"
            f"{sql}\nCOMMIT;"
        )
        try:
            conn.executescript(script)
        except sqlite3.IntegrityError:
            _rollback(conn)
            continue
        except Exception:
            _rollback(conn)
            raise
        done.append(version)
    return done


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


async def apply_postgres(conn: "asyncpg.Connection") -> list[str]:
    await conn.execute("SELECT pg_advisory_lock($1)", _PG_LOCK)
    try:
        await conn.execute(SCHEMA_MIGRATIONS_DDL)
        applied = {r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        done: list[str] = []
        for version, sql in migrations("postgres"):
            if version in applied:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations VALUES ($1, $2)", version, int(time.time() * 1000)
                )
            done.append(version)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _PG_LOCK)
