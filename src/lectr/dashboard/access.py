"""Who is asking: an org key in X-Lectr-Key, or a signed-in session (whose changes need its CSRF token).

Org keys are looked up in the gateway's key cache, refreshed (when the store's config version moved)
before each lookup, so a key created or rotated a moment ago works (or stops working) at once. When the
store cannot be reached the last snapshot keeps answering, so the dashboard can still say so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from lectr.dashboard.sessions import COOKIE, Session, SessionSigner, csrf_matches
from lectr.errors import AuthError, LectrError
from lectr.proxy.auth import KeyCache, Org, hash_key

log = logging.getLogger("lectr.dashboard")
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class CsrfRejected(LectrError):
    status = 403
    type = "permission_error"
    code = "csrf_token_invalid"


@dataclass(frozen=True, slots=True)
class Caller:
    org: Org
    key_hash: str
    session: Session | None     # None when authenticated by the X-Lectr-Key header


class OrgKeys:
    """The gateway's key cache, refreshed before each dashboard lookup so a change made a moment ago counts."""

    def __init__(self, keys: KeyCache) -> None:
        self._keys = keys

    async def _snapshot(self) -> dict[str, Org]:
        try:
            await self._keys.refresh()  # one cheap version read; reloads only when something changed
        except Exception as exc:  # store down: keep answering from the last snapshot
            log.warning("dashboard key snapshot refresh failed: %s", type(exc).__name__)
        return self._keys.by_hash

    async def resolve(self, key: str | None) -> tuple[Org, str]:
        await self._snapshot()
        org = self._keys.resolve(key)  # the gateway's own checks and errors
        return org, hash_key((key or "").strip())

    async def for_session(self, session: Session, signer: SessionSigner) -> tuple[Org, str] | None:
        for key_hash, org in (await self._snapshot()).items():
            if org.id == session.org_id and not org.disabled and signer.key_print(key_hash) == session.key_print:
                return org, key_hash
        return None

    async def key_hashes(self, org_id: int) -> list[str]:
        return sorted(h for h, org in (await self._snapshot()).items() if org.id == org_id)


class Access:
    def __init__(self, org_keys: OrgKeys, signer: SessionSigner) -> None:
        self.org_keys, self.signer = org_keys, signer

    def session(self, request: web.Request) -> Session | None:
        return self.signer.load(request.cookies.get(COOKIE))

    async def signed_in(self, request: web.Request) -> Caller | None:
        session = self.session(request)
        if session is None or not session.signed_in:
            return None
        found = await self.org_keys.for_session(session, self.signer)
        return Caller(found[0], found[1], session) if found else None

    async def caller(self, request: web.Request) -> Caller:
        """The org behind an API request; session callers must send the CSRF token with every change."""
        if "x-lectr-key" in request.headers:
            org, key_hash = await self.org_keys.resolve(request.headers["x-lectr-key"])
            return Caller(org, key_hash, None)
        caller = await self.signed_in(request)
        if caller is None or caller.session is None:
            raise AuthError("Sign in, or send your org key in the X-Lectr-Key header.", code="missing_lectr_key")
        if request.method in UNSAFE_METHODS and not csrf_matches(caller.session, request.headers.get(CSRF_HEADER)):
            raise CsrfRejected("Missing or wrong X-CSRF-Token header for this session.")
        return caller
