"""What a new user sees: the empty state with their base URL, and the banner when events were dropped."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.dashboard.traffic import HELLO, Org
from tests.support.clients import openai_via
from tests.support.gateway import Gateway


def test_a_new_org_gets_the_curl_example_with_its_base_url(page: Page, gateway: Gateway, new_org: Org) -> None:
    sign_in(page, new_org.key)
    empty = page.locator(".empty")
    expect(empty).to_contain_text("No requests in this period yet")
    expect(empty.locator("pre")).to_contain_text(f"curl {gateway.url}/v1/chat/completions")
    expect(empty.locator("pre")).to_contain_text("X-Lectr-Key")
    screenshot(page, "empty")


def test_dropped_events_raise_a_banner(page: Page, fresh_gateway: Gateway) -> None:
    fresh_gateway.env["LECTR_QUEUE_MAX_EVENTS"] = "0"  # every event is dropped: the queue holds none
    fresh_gateway.env["LECTR_SPOOL_MAX_BYTES"] = "0"
    fresh_gateway.start()
    key = fresh_gateway.create_org("dropping-org")
    openai_via(fresh_gateway.url, key).chat.completions.create(model="gpt-4o", messages=HELLO)
    page.goto(fresh_gateway.url + "/signin")
    page.fill("#key", key)
    page.click("button[type=submit]")
    expect(page.locator("#banner")).to_contain_text("1 event was dropped")
    screenshot(page, "overview-dropped-events")


def test_narrow_screens_get_a_layout_without_sideways_scrolling(browser: Browser, gateway: Gateway, shop: Org) -> None:
    context = browser.new_context(base_url=gateway.url, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    sign_in(phone, shop.key)
    expect(phone.locator(".chart canvas")).to_have_count(3)
    too_wide = phone.evaluate("""[...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap, .sidebar a, pre'))
        .map((el) => el.tagName + '.' + el.className + ':' + Math.round(el.getBoundingClientRect().right))""")
    assert too_wide == [] and phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "overview-mobile")
    context.close()
