"""A real Chromium (Debian's, never a downloaded build) driven by Playwright, and an org with traffic."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from playwright import sync_api

from tests.dashboard.fixtures import new_org, rival, shop  # noqa: F401
from tests.support.gateway import Gateway

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"



# Package scope: Playwright's sync API keeps an event loop running while it is open, which would stop
# the asyncio tests collected after this package from starting their own.
@pytest.fixture(scope="package")
def browser() -> Iterator["sync_api.Browser"]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed: run scripts/install-test-deps.sh (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: "sync_api.Browser", gateway: Gateway) -> Iterator["sync_api.Page"]:
    context = browser.new_context(base_url=gateway.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: "sync_api.Page", key: str, next_page: str = "/") -> None:
    page.goto("/signin?next=" + next_page)
    page.fill("#key", key)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-state=ready]")


def open_view(page: "sync_api.Page", path: str) -> None:
    page.goto(path)
    page.wait_for_selector("body[data-state=ready]")


def screenshot(page: "sync_api.Page", name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
