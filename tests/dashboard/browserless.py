"""Signing in to the dashboard with plain HTTP, as a browser would: form, cookie, CSRF token."""

from __future__ import annotations

import re

import httpx

from tests.support.gateway import Gateway

_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_in(html: str) -> str:
    found = _CSRF_INPUT.search(html) or _CSRF_META.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def signed_in(gateway: Gateway, key: str) -> tuple[httpx.Client, str]:
    """A client holding a session cookie, and the session's CSRF token (as the page shell carries it)."""
    client = httpx.Client(base_url=gateway.url, timeout=10)
    form = client.get("/signin")
    response = client.post("/signin", data={"key": key, "csrf_token": csrf_in(form.text), "next": "/"})
    assert response.status_code == 303, response.text
    shell = client.get("/")
    assert shell.status_code == 200
    return client, csrf_in(shell.text)
