"""Session cookies: signed, bound to the key they were opened with, and short-lived."""

from __future__ import annotations

from dataclasses import replace

from lectr.dashboard.sessions import SessionSigner, csrf_matches


def test_a_session_round_trips_and_rejects_any_change() -> None:
    signer = SessionSigner(b"secret")
    session = signer.signed_in(7, "hash-of-key")
    assert signer.load(signer.dump(session)) == session
    body, _, sig = signer.dump(session).partition(".")
    assert signer.load(body + "." + sig[::-1]) is None
    assert signer.load(signer.dump(replace(session, org_id=8)).split(".")[0] + "." + sig) is None
    assert signer.load("garbage") is None and signer.load(None) is None


def test_expired_sessions_are_refused() -> None:
    signer = SessionSigner(b"secret")
    assert signer.load(signer.dump(replace(signer.signed_in(1, "h"), expires=1))) is None


def test_the_key_print_hides_the_hash_and_depends_on_the_secret() -> None:
    a, b = SessionSigner(b"a"), SessionSigner(b"b")
    assert a.key_print("h") != b.key_print("h") and "h" != a.key_print("h")
    assert a.signed_in(1, "h").key_print == a.key_print("h")


def test_every_sign_in_gets_a_fresh_csrf_token() -> None:
    signer = SessionSigner(b"secret")
    first, second = signer.signed_in(1, "h"), signer.signed_in(1, "h")
    assert first.csrf != second.csrf
    assert csrf_matches(first, first.csrf) and not csrf_matches(first, second.csrf) and not csrf_matches(first, None)
