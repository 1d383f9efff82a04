"""Sign in, then every page renders the numbers produced by real traffic through the gateway."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import open_view, screenshot, sign_in
from tests.dashboard.traffic import AZURE_DEPLOYMENT, TOTAL_REQUESTS, UNPRICED_MODEL, Org
from tests.support.gateway import Gateway

PROVIDERS = ("OpenAI", "Anthropic", "Groq", "Gemini", "Azure OpenAI")


def test_sign_in_page_rejects_a_wrong_key_and_keeps_it_out_of_the_url(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin\?next=/$"))
    screenshot(page, "signin")
    page.fill("#key", "lc_key_not_a_real_key")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("Invalid or revoked")
    assert "lc_key_" not in page.url


def test_overview_shows_headline_figures_charts_and_health(page: Page, shop: Org) -> None:
    sign_in(page, shop.key)
    assert "lc_key_" not in page.url
    expect(page.locator("[data-total=requests] strong")).to_have_text(str(TOTAL_REQUESTS))
    expect(page.locator("[data-total=errors] strong")).to_have_text("2")
    expect(page.locator("[data-stat=error_rate] .stat-value")).to_have_text("15%")
    expect(page.locator("[data-stat=cost_per_hour] .stat-value")).to_contain_text("$")
    expect(page.locator("[data-stat=p95_latency_ms] .stat-value")).to_contain_text("ms")
    expect(page.locator(".chart canvas")).to_have_count(3)
    for name in PROVIDERS:
        expect(page.locator(".health-card h3", has_text=re.compile(f"^{name}$"))).to_have_count(1)
    screenshot(page, "overview")


def test_models_lists_every_provider_and_filters_by_one(page: Page, shop: Org) -> None:
    sign_in(page, shop.key, "/models")
    rows = page.locator("table.models tbody tr")
    expect(rows).to_have_count(7)
    for model in ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022", "llama-3.1-8b-instant", "gemini-1.5-flash",
                  AZURE_DEPLOYMENT, UNPRICED_MODEL):
        expect(page.locator("table.models code", has_text=re.compile(f"^{re.escape(model)}$"))).to_have_count(1)
    expect(page.locator("table.models tr", has_text=UNPRICED_MODEL).locator(".tag.unpriced")).to_have_text("unpriced")
    screenshot(page, "models")
    page.select_option("#provider-filter", "anthropic")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("claude-3-5-sonnet-20241022")
    assert "provider=anthropic" in page.url


def test_cost_shows_providers_models_and_unpriced_never_as_zero(page: Page, shop: Org) -> None:
    sign_in(page, shop.key, "/cost")
    expect(page.locator("table.cost-providers tbody tr")).to_have_count(5)
    # the unpriced custom model, and the two failed requests (no usage, so no price)
    expect(page.locator("[data-stat=unpriced] .stat-value")).to_have_text("3")
    unpriced_row = page.locator("table.cost-models tr", has_text=UNPRICED_MODEL)
    expect(unpriced_row.locator(".tag.unpriced")).to_have_text("unpriced")
    expect(unpriced_row).not_to_contain_text("$0.00")
    screenshot(page, "cost")


def test_provider_health_has_status_latency_ttfb_and_errors_by_category(page: Page, shop: Org) -> None:
    sign_in(page, shop.key, "/providers")
    table = page.locator("table.health")
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(table.locator("tr", has_text=re.compile(r"^OpenAI"))).to_contain_text("server_error")
    expect(table.locator("tr", has_text="Groq")).to_contain_text("rate_limit")
    expect(table.locator("tr", has_text="Gemini").locator(".pill")).to_have_text("healthy")
    screenshot(page, "providers")


def test_features_and_tasks_show_share_and_the_untagged_nudge(page: Page, shop: Org) -> None:
    sign_in(page, shop.key, "/features")
    table = page.locator("table.tagged")
    for feature in ("checkout", "search", "support", "untagged"):
        expect(table.locator("td", has_text=re.compile(f"^{feature}$"))).to_have_count(1)
    expect(table.locator(".share").first).to_contain_text("%")
    expect(page.locator(".nudge")).to_contain_text("untagged. Add the X-Lectr-Feature header")
    screenshot(page, "features")
    open_view(page, "/tasks")
    for task in ("classification", "summarisation", "generation", "extraction", "reasoning", "untagged"):
        expect(page.locator("table.tagged td", has_text=re.compile(f"^{task}$"))).to_have_count(1)
    screenshot(page, "tasks")


def test_request_log_shows_every_column_and_filters(page: Page, shop: Org) -> None:
    sign_in(page, shop.key, "/requests")
    headers = page.locator("table.log th")
    expect(headers).to_have_text(["Time", "Feature", "Task", "Provider", "Model requested", "Model actual", "Status",
                                  "Latency", "TTFB", "Tokens in → out", "Cost", "Stream", "Provider unknown"])
    rows = page.locator("table.log tbody tr")
    expect(rows).to_have_count(TOTAL_REQUESTS)
    screenshot(page, "requests")
    page.select_option("select[data-filter=provider]", "groq")
    expect(rows).to_have_count(2)
    page.select_option("select[data-filter=status]", "429")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("rate_limit")
    page.click("text=Clear filters")
    page.select_option("select[data-filter=provider_unknown]", "true")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(UNPRICED_MODEL)


def test_settings_shows_azure_and_maps_a_deployment(page: Page, shop: Org, gateway: Gateway) -> None:
    sign_in(page, shop.key, "/settings")
    expect(page.locator("#azure-form input[name=endpoint]")).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+"))
    expect(page.locator("#deployments")).to_contain_text(AZURE_DEPLOYMENT)
    page.fill("#deployment-form input[name=deployment]", "batch-mini")
    page.fill("#deployment-form input[name=model]", "gpt-4o-mini")
    page.click("#deployment-form button[type=submit]")
    expect(page.locator("#deployment-form .form-message")).to_contain_text("batch-mini is priced as gpt-4o-mini")
    expect(page.locator("#deployments")).to_contain_text("batch-mini")
    screenshot(page, "settings")


def test_request_log_pages_back_and_forth(page: Page, shop: Org) -> None:
    sign_in(page, shop.key, "/requests")
    open_view(page, "/requests?limit=5")
    rows = page.locator("table.log tbody tr")
    expect(rows).to_have_count(5)

    def settled() -> list[str]:
        """The rows once the table stopped changing (a page is rendered in more than one step)."""
        last: list[str] | None = None
        for _ in range(100):
            now = rows.all_inner_texts()
            if now == last:
                return now
            last = now
            page.wait_for_timeout(50)
        raise AssertionError("the request log kept changing")

    pages = [settled()]

    def turn(button: str) -> list[str]:
        before = rows.first.inner_text()
        page.click(button)
        expect(rows.first).not_to_have_text(before)
        return settled()

    pages.append(turn("#older"))
    assert "before_id=" in page.url
    pages.append(turn("#older"))
    assert len(pages[2]) == TOTAL_REQUESTS - 10
    expect(page.locator("#older")).to_be_disabled()
    assert turn("#newer") == pages[1]
    assert turn("#newer") == pages[0]
    expect(page.locator("#newer")).to_be_disabled()
