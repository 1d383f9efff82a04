"""Period switch, filters, key rotation, sign-out, and one org never seeing another's data — in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import open_view, screenshot, sign_in
from tests.dashboard.backdate import add_old_events
from tests.dashboard.traffic import HELLO, Org, make_org
from tests.fakes.server import FakeProviders
from tests.support.clients import openai_via
from tests.support.gateway import Gateway


def test_period_switch_changes_what_is_shown(page: Page, gateway: Gateway, fakes: FakeProviders) -> None:
    org = make_org(gateway, fakes, "archive-org")
    openai_via(gateway.url, org.key, **{"X-Lectr-Feature": "live-chat"}).chat.completions.create(model="gpt-4o", messages=HELLO)
    gateway.wait_events(org.key, 1)
    add_old_events(gateway.store_url, org.name, "legacy-report", count=4, days_ago=3)

    sign_in(page, org.key, "/features")
    table = page.locator("table.tagged")
    expect(table).to_contain_text("live-chat")
    expect(table).not_to_contain_text("legacy-report")
    page.click("[data-period='7d']")
    expect(table).to_contain_text("legacy-report")
    assert "period=7d" in page.url
    expect(page.locator("[data-period='7d']")).to_have_attribute("aria-pressed", "true")
    page.click(".sidebar a[data-view=overview]")
    expect(page.locator("[data-total=requests] strong")).to_have_text("5")
    assert "period=7d" in page.url
    page.click("[data-period='1h']")
    expect(page.locator("[data-total=requests] strong")).to_have_text("1")


def test_key_rotation_shows_the_new_key_once_and_retires_the_old(browser: Browser, gateway: Gateway, fakes: FakeProviders) -> None:
    org = make_org(gateway, fakes, "rotating-org")
    rotator = browser.new_context(base_url=gateway.url).new_page()
    bystander = browser.new_context(base_url=gateway.url).new_page()
    sign_in(rotator, org.key, "/settings")
    sign_in(bystander, org.key)

    rotator.click("#create-key")  # an extra key: shown once, the org's other keys keep working
    extra = rotator.locator("#new-key-value")
    expect(extra).to_have_text(re.compile(r"^lc_key_"))
    gateway.wait_key_accepted(extra.inner_text(), accepted=True)
    gateway.wait_key_accepted(org.key, accepted=True)
    screenshot(rotator, "settings-key-created")

    rotator.on("dialog", lambda dialog: dialog.accept())
    rotator.click("#rotate-key")
    new_key = rotator.locator("#new-key-value")
    expect(new_key).to_have_text(re.compile(r"^lc_key_"))
    fresh = new_key.inner_text()
    screenshot(rotator, "settings-key-rotated")

    gateway.wait_key_accepted(org.key, accepted=False)
    gateway.wait_key_accepted(fresh, accepted=True)
    open_view(rotator, "/settings")
    expect(rotator.locator("#new-key-value")).to_have_count(0)  # shown once only
    expect(rotator.locator(".keys")).to_contain_text("used by this session")
    bystander.reload()
    expect(bystander).to_have_url(re.compile(r"/signin"))  # a session opened with the old key is over
    sign_in(bystander, fresh)
    expect(bystander.locator("h1#title")).to_have_text("Overview")
    rotator.context.close()
    bystander.context.close()


def test_sign_out_ends_the_session(page: Page, shop: Org) -> None:
    sign_in(page, shop.key, "/cost")
    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.goto("/cost")
    expect(page).to_have_url(re.compile(r"/signin\?next=/cost"))


def test_one_org_never_sees_another(page: Page, shop: Org, rival: Org) -> None:
    sign_in(page, rival.key, "/features")
    expect(page.locator("table.tagged")).to_contain_text("rival-checkout")
    sign_in_as_shop = page.context.browser.new_context(base_url=page.url.split("/features")[0]).new_page()
    sign_in(sign_in_as_shop, shop.key, "/features")
    for path in ("/features", "/requests", "/"):
        open_view(sign_in_as_shop, path)
        expect(sign_in_as_shop.locator("#view")).not_to_contain_text("rival-")
    open_view(page, "/requests")
    expect(page.locator("table.log tbody tr").first).to_contain_text("rival-")
    features = page.locator("table.log td[data-col=Feature]").all_inner_texts()
    assert features and all(f.startswith("rival-") or f == "untagged" for f in features), features
    sign_in_as_shop.context.close()
