"""Signed session cookies and CSRF tokens. Nothing is kept server-side, so any replica can check them.

A cookie holds the org id, a keyed fingerprint of the org key it was opened with (so a rotated key
closes its sessions), a CSRF token and an expiry, signed with HMAC-SHA256. Sessions that have not
signed in yet still carry a CSRF token, which the sign-in form must echo.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, replace

import orjson

COOKIE = "lectr_session"
LIFETIME_S = 12 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    expires: int
    org_id: int | None = None
    key_print: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.org_id is not None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def anonymous(self) -> Session:
        return Session(csrf=secrets.token_urlsafe(24), expires=int(time.time()) + LIFETIME_S)

    def signed_in(self, org_id: int, key_hash: str) -> Session:
        """A fresh session (new CSRF token) for an org, bound to the key it signed in with."""
        return replace(self.anonymous(), org_id=org_id, key_print=self.key_print(key_hash))

    def key_print(self, key_hash: str) -> str:
        return hmac.new(self._secret, b"key:" + key_hash.encode(), hashlib.sha256).hexdigest()[:32]

    def dump(self, session: Session) -> str:
        payload = orjson.dumps({"c": session.csrf, "e": session.expires, "o": session.org_id, "k": session.key_print})
        return _b64(payload) + "." + _b64(self._sign(payload))

    def load(self, value: str | None) -> Session | None:
        """The session in a cookie value, or None when it is missing, tampered with or expired."""
        if not value or "." not in value:
            return None
        body, _, sig = value.partition(".")
        try:
            payload = _unb64(body)
            if not hmac.compare_digest(_unb64(sig), self._sign(payload)):
                return None
            data = orjson.loads(payload)
            session = Session(csrf=str(data["c"]), expires=int(data["e"]), org_id=data["o"], key_print=data["k"])
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > time.time() else None

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, b"session:" + payload, hashlib.sha256).digest()


def csrf_matches(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf.encode(), str(token).encode())
