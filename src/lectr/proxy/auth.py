"""X-Lectr-Key → org, from an in-memory snapshot of key hashes refreshed in the background."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lectr.errors import AuthError

if TYPE_CHECKING:
    from lectr.store.base import Store

log = logging.getLogger("lectr.auth")
KEY_PREFIX = "lc_key_"
_MAX_KNOWN = 10_000


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Org:
    id: int
    name: str
    disabled: bool = False
    azure_endpoint: str | None = None
    azure_api_version: str | None = None
    azure_deployments: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuthSnapshot:
    version: int
    by_hash: dict[str, Org]
    by_id: dict[int, Org]
    # key as sent → org, for keys already resolved against this snapshot: saves a sha256 per request.
    # Only known keys go in (random bad keys cannot grow it), and it dies with the snapshot.
    known: dict[str, Org] = field(default_factory=dict)

    @classmethod
    def of(cls, version: int, by_hash: dict[str, Org]) -> "AuthSnapshot":
        return cls(version, by_hash, {org.id: org for org in by_hash.values()})


class KeyCache:
    """Resolves keys without I/O. `refresh()` reloads from the store only when its config version moved."""

    def __init__(self, store: "Store", interval: float) -> None:
        self._store = store
        self._interval = interval
        self._snapshot = AuthSnapshot.of(-1, {})

    def resolve(self, key: str | None) -> Org:
        if not key:
            raise AuthError("Missing X-Lectr-Key header.", code="missing_lectr_key")
        snapshot = self._snapshot
        org = snapshot.known.get(key)
        if org is None:
            org = snapshot.by_hash.get(hash_key(key.strip()))
            if org is None:
                raise AuthError("Invalid or revoked X-Lectr-Key.", code="invalid_lectr_key")
            if len(snapshot.known) < _MAX_KNOWN:
                snapshot.known[key] = org
        if org.disabled:
            raise AuthError("This organisation is disabled.", code="org_disabled")
        return org

    @property
    def by_hash(self) -> dict[str, Org]:
        """The current snapshot: key hash → org (active keys only)."""
        return self._snapshot.by_hash

    def org_by_id(self, org_id: int) -> Org | None:
        return self._snapshot.by_id.get(org_id)

    async def refresh(self) -> bool:
        version = await self._store.config_version()
        if version == self._snapshot.version:
            return False
        self._snapshot = AuthSnapshot.of(version, await self._store.auth_snapshot())
        return True

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the store is down: keep serving from the last snapshot
                log.warning("key cache refresh failed: %s", type(exc).__name__)
