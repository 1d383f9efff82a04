"""The session cookie's flags, set in one place: HttpOnly, SameSite=Lax, Secure over HTTPS, path /."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from aiohttp import web

from lectr.dashboard.sessions import COOKIE, LIFETIME_S, Session, SessionSigner

SECRET_FILE = "session.key"


def set_session_cookie(response: web.StreamResponse, request: web.Request, session: Session,
                       signer: SessionSigner) -> None:
    response.set_cookie(COOKIE, signer.dump(session), max_age=LIFETIME_S, path="/", httponly=True,
                        samesite="Lax", secure=request.secure)


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")


def session_secret(configured: str, data_dir: str) -> bytes:
    """LECTR_SESSION_SECRET, or a random secret kept in the data dir (shared by workers on one machine)."""
    if configured:
        return configured.encode()
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{SECRET_FILE}.{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic: of several workers starting at once, exactly one secret wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()
