"""Sign-in, session cookie flags, CSRF on every change, sign-out, key rotation and settings validation."""

from __future__ import annotations

import hashlib

import httpx

from lectr.dashboard.sessions import SessionSigner
from tests.dashboard.browserless import csrf_in, signed_in
from tests.dashboard.traffic import Org
from tests.support.gateway import Gateway

AZURE = {"endpoint": "https://example-resource.openai.azure.com/", "api_version": "2024-06-01"}


def test_pages_need_a_session_and_the_key_never_enters_a_url(gateway: Gateway, shop: Org) -> None:
    for path in ("/", "/models", "/cost", "/providers", "/features", "/tasks", "/recommendations", "/requests", "/settings"):
        response = httpx.get(gateway.url + path, timeout=10)
        assert response.status_code == 303 and response.headers["location"] == "/signin?next=" + path
    client = httpx.Client(base_url=gateway.url, timeout=10)
    form = client.get("/signin")
    assert 'method="post"' in form.text and 'type="password"' in form.text
    done = client.post("/signin", data={"key": shop.key, "csrf_token": csrf_in(form.text), "next": "/cost"})
    assert done.status_code == 303 and done.headers["location"] == "/cost"
    assert shop.key not in done.headers["location"] and shop.key not in done.headers["set-cookie"]


def test_session_cookie_is_http_only_same_site_and_signed(gateway: Gateway, shop: Org) -> None:
    client = httpx.Client(base_url=gateway.url, timeout=10)
    form = client.get("/signin")
    done = client.post("/signin", data={"key": shop.key, "csrf_token": csrf_in(form.text)})
    cookie = done.headers["set-cookie"]
    assert cookie.startswith("lectr_session=")
    for flag in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="):
        assert flag in cookie
    assert client.get("/api/v1/overview").status_code == 200
    value = client.cookies["lectr_session"]
    forged = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    tampered = httpx.get(gateway.url + "/api/v1/overview", cookies={"lectr_session": forged}, timeout=10)
    assert tampered.status_code == 401
    other_secret = SessionSigner(b"not the gateway's secret").dump(SessionSigner(b"x").signed_in(1, "h"))
    assert httpx.get(gateway.url + "/api/v1/overview", cookies={"lectr_session": other_secret}, timeout=10).status_code == 401


def test_sign_in_needs_the_form_csrf_token_and_a_valid_key(gateway: Gateway, shop: Org) -> None:
    client = httpx.Client(base_url=gateway.url, timeout=10)
    token = csrf_in(client.get("/signin").text)
    assert client.post("/signin", data={"key": shop.key, "csrf_token": "forged"}).status_code == 403
    assert client.post("/signin", data={"key": shop.key}).status_code == 403
    wrong = client.post("/signin", data={"key": "lc_key_wrong", "csrf_token": token})
    assert wrong.status_code == 401 and "Invalid or revoked" in wrong.text
    assert client.get("/api/v1/overview").status_code == 401


def test_every_change_by_session_needs_the_csrf_token(gateway: Gateway, new_org: Org) -> None:
    client, csrf = signed_in(gateway, new_org.key)
    changes = [("/api/v1/settings/azure", AZURE), ("/api/v1/settings/azure/deployments", {"deployment": "d", "model": "gpt-4o"}),
               ("/api/v1/keys/rotate", {}), ("/api/v1/keys", {})]
    for path, body in changes:
        for headers in ({}, {"X-CSRF-Token": "wrong"}):
            refused = client.post(path, json=body, headers=headers)
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_token_invalid"
    accepted = client.post("/api/v1/settings/azure", json=AZURE, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 200
    azure = client.get("/api/v1/settings").json()["azure"]
    assert (azure["endpoint"], azure["api_version"]) == ("https://example-resource.openai.azure.com", "2024-06-01")


def test_sign_out_needs_the_token_and_ends_the_session(gateway: Gateway, shop: Org) -> None:
    client, csrf = signed_in(gateway, shop.key)
    assert client.post("/signout", data={}).status_code == 403
    out = client.post("/signout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert 'lectr_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert client.get("/api/v1/overview").status_code == 401


def test_rotation_by_api_key_returns_the_new_key_once_and_retires_the_old(gateway: Gateway, new_org: Org) -> None:
    browser, _ = signed_in(gateway, new_org.key)
    rotated = httpx.post(f"{gateway.url}/api/v1/keys/rotate", headers={"X-Lectr-Key": new_org.key}, timeout=10)
    assert rotated.status_code == 200
    fresh = rotated.json()["key"]
    assert fresh.startswith("lc_key_") and fresh != new_org.key
    gateway.wait_key_accepted(new_org.key, accepted=False)
    gateway.wait_key_accepted(fresh, accepted=True)
    settings = httpx.get(f"{gateway.url}/api/v1/settings", headers={"X-Lectr-Key": fresh}, timeout=10).json()
    assert fresh not in str(settings) and settings["keys"] == [{"fingerprint": rotated.json()["fingerprint"], "current": True}]
    assert browser.get("/api/v1/overview").status_code == 401  # sessions opened with the old key are over


def test_creating_a_key_keeps_the_others_working_and_shows_it_once(gateway: Gateway, new_org: Org) -> None:
    client, csrf = signed_in(gateway, new_org.key)
    created = client.post("/api/v1/keys", json={}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 200
    extra = created.json()["key"]
    assert extra.startswith("lc_key_") and extra != new_org.key
    gateway.wait_key_accepted(extra, accepted=True)
    assert gateway.api("/api/v1/events?limit=1", new_org.key).status_code == 200  # the first key still works
    settings = client.get("/api/v1/settings").json()
    assert extra not in str(settings)
    assert {k["fingerprint"] for k in settings["keys"]} == {created.json()["fingerprint"], hashlib.sha256(new_org.key.encode()).hexdigest()[:8]}
    assert client.get("/api/v1/overview").status_code == 200  # the session stays open


def test_settings_changes_are_validated(gateway: Gateway, new_org: Org) -> None:
    headers = {"X-Lectr-Key": new_org.key}
    for body in ({"endpoint": "not a url"}, {"endpoint": ""}, {}, [1, 2]):
        response = httpx.post(f"{gateway.url}/api/v1/settings/azure", json=body, headers=headers, timeout=10)
        assert response.status_code == 400, body
    missing_model = httpx.post(f"{gateway.url}/api/v1/settings/azure/deployments", json={"deployment": "d"},
                               headers=headers, timeout=10)
    assert missing_model.status_code == 400 and missing_model.json()["error"]["param"] == "model"
    mapped = httpx.post(f"{gateway.url}/api/v1/settings/azure/deployments", json={"deployment": "d1", "model": "gpt-4o"},
                        headers=headers, timeout=10)
    assert mapped.status_code == 200
    settings = httpx.get(f"{gateway.url}/api/v1/settings", headers=headers, timeout=10).json()
    assert {"deployment": "d1", "model": "gpt-4o"} in settings["azure"]["deployments"]


def test_pages_send_protective_headers(gateway: Gateway, shop: Org) -> None:
    client, _ = signed_in(gateway, shop.key)
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-store"
    assert client.get("/static/vendor/uPlot.iife.min.js").status_code == 200
