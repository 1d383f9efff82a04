"""The Recommendations page in Chromium, over real traffic through the gateway: the sentence with the saving,
why and what to do, the groups not recommended with their reason, the 7 / 30-day window, the empty state."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.dashboard.recommendation_traffic import (
    CLASSIFIER_REQUESTS, CLASSIFIER_WORDS, DIGEST_REQUESTS, PLANNER_REQUESTS, REPORT_REQUESTS, send_recommendation_traffic,
)
from tests.dashboard.traffic import Org, make_org
from tests.fakes.server import FakeProviders
from tests.support.gateway import Gateway

# Published $/MTok (platform.openai.com/docs/pricing); the fakes bill 11 + words prompt tokens, 7 completion tokens.
GPT_4O, GPT_4O_MINI, GPT_4_TURBO = (Decimal("2.50"), Decimal("10")), (Decimal("0.15"), Decimal("0.60")), (Decimal("10"), Decimal("30"))


def cost(rates: tuple[Decimal, Decimal], requests: int, tokens_in: int, tokens_out: int) -> Decimal:
    return requests * (tokens_in * rates[0] + tokens_out * rates[1]) / Decimal(1_000_000)


def dollars(amount: Decimal) -> str:
    return "$" + str(amount.quantize(Decimal("0.01"), ROUND_HALF_EVEN))


def test_recommendations_page_over_real_traffic(page: Page, gateway: Gateway, fakes: FakeProviders) -> None:
    org = make_org(gateway, fakes, "recommended-org")
    send_recommendation_traffic(gateway, org, backdated_report=True)
    sign_in(page, org.key, "/recommendations")
    expect(page.locator("h1#title")).to_have_text("Recommendations")
    expect(page.locator(".sidebar a[aria-current]")).to_have_text("Recommendations")
    expect(page.locator("#period button")).to_have_text(["7 days", "30 days"])
    expect(page.locator("[data-period='30d']")).to_have_attribute("aria-pressed", "true")

    # classification on gpt-4o: the sentence, with every figure worked out here by hand
    now = cost(GPT_4O, CLASSIFIER_REQUESTS, 11 + CLASSIFIER_WORDS, 7)        # $0.30585
    instead = cost(GPT_4O_MINI, CLASSIFIER_REQUESTS, 11 + CLASSIFIER_WORDS, 7)  # $0.018351
    classifier = page.locator(".rec-card[data-feature=classifier]")
    expect(classifier.locator(".rec-sentence")).to_have_text(
        f"feature classifier (task classification) sent {CLASSIFIER_REQUESTS} requests to gpt-4o in the last 30 days "
        f"for {dollars(now)}; gpt-4o-mini would have cost {dollars(instead)} — save about {dollars(now - instead)}/month; "
        "confidence: high")
    expect(classifier.locator(".pill.confidence")).to_have_text("High confidence")
    expect(classifier.locator(".rec-why")).to_contain_text("task type classification")
    expect(classifier.locator(".rec-action")).to_have_text("Switch gpt-4o to gpt-4o-mini.")
    expect(classifier.locator(".cost-row.current")).to_contain_text(dollars(now))
    expect(classifier.locator(".cost-row.alternative")).to_contain_text("gpt-4o-mini")

    # the report ten days back: untagged, so medium confidence, and the biggest saving comes first
    report_now, report_instead = cost(GPT_4_TURBO, REPORT_REQUESTS, 1000, 200), cost(GPT_4O, REPORT_REQUESTS, 1000, 200)
    report = page.locator(".rec-card[data-feature=weekly-report]")
    expect(page.locator(".rec-card")).to_have_count(2)
    expect(page.locator(".rec-card").first).to_have_attribute("data-feature", "weekly-report")
    expect(report.locator(".rec-sentence")).to_contain_text(
        f"sent {REPORT_REQUESTS} requests to gpt-4-turbo in the last 30 days for {dollars(report_now)}; gpt-4o would have "
        f"cost {dollars(report_instead)} — save about {dollars(report_now - report_instead)}/month; confidence: medium")
    expect(report.locator(".rec-why")).to_contain_text("no task type")
    expect(report.locator(".pill.confidence")).to_have_text("Medium confidence")
    expect(page.locator("[data-stat=saving] .stat-value")).to_have_text(
        dollars((now - instead).quantize(Decimal("0.01")) + (report_now - report_instead)))
    expect(page.locator("[data-stat=recommendations] .stat-value")).to_have_text("2")

    # not recommended: reasoning, whatever its traffic, and too little traffic, with the minimum
    skipped = page.locator("table.skipped tbody tr")
    expect(skipped).to_have_count(2)
    planner = skipped.filter(has_text="planner")
    expect(planner.locator("td[data-col=Task]")).to_have_text("reasoning")
    expect(planner.locator("td[data-col=Requests]")).to_have_text(str(PLANNER_REQUESTS))
    expect(planner.locator("td.reason")).to_contain_text("never recommends a cheaper model for reasoning")
    digest = skipped.filter(has_text="digest")
    expect(digest.locator("td.reason")).to_have_text(
        f"too little traffic: {DIGEST_REQUESTS} requests in 30 days (minimum 50)")
    expect(page.locator(".rules")).to_contain_text("at least 50 requests in the window")
    screenshot(page, "recommendations")

    # a 7-day window: the old report drops out, the monthly projection of the same saving grows 30/7
    page.click("[data-period='7d']")
    expect(page.locator(".rec-card")).to_have_count(1)
    assert "period=7d" in page.url
    expect(page.locator("[data-period='7d']")).to_have_attribute("aria-pressed", "true")
    per_month = (now - instead) * 30 / 7
    expect(classifier.locator(".rec-sentence")).to_contain_text(
        f"in the last 7 days for {dollars(now)}; gpt-4o-mini would have cost {dollars(instead)} — save about "
        f"{dollars(per_month)}/month")
    expect(page.locator(".rec-card[data-feature=weekly-report]")).to_have_count(0)
    expect(digest.locator("td.reason")).to_contain_text(f"{DIGEST_REQUESTS} requests in 7 days (minimum 50)")
    screenshot(page, "recommendations-7d")

    # the window is kept when the page is opened again, and other pages keep their own periods
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    expect(page.locator(".rec-card")).to_have_count(1)
    expect(page.locator(".sidebar a[data-view=features]")).to_have_attribute("href", "/features?period=7d")
    page.click("[data-period='30d']")
    expect(page.locator(".rec-card")).to_have_count(2)

    # on a phone the cards stack without sideways scrolling (tables scroll inside their own box)
    phone = page.context.browser.new_context(base_url=gateway.url, viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, org.key, "/recommendations")
    expect(phone.locator(".rec-card")).to_have_count(2)
    too_wide = phone.evaluate("""[...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap, .sidebar a, pre'))
        .map((el) => el.tagName + '.' + el.className + ':' + Math.round(el.getBoundingClientRect().right))""")
    assert too_wide == [] and phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), too_wide
    screenshot(phone, "recommendations-mobile")
    phone.context.close()


def test_a_new_org_is_told_how_to_get_recommendations(page: Page, gateway: Gateway, new_org: Org) -> None:
    sign_in(page, new_org.key, "/recommendations")
    empty = page.locator(".rec-empty")
    expect(empty.locator("h2")).to_have_text("No recommendations yet")
    expect(empty).to_contain_text("at least 50 requests per feature, task type and model")
    expect(empty).to_contain_text("X-Lectr-Task header: classification, summarisation, extraction, generation, reasoning.")
    expect(empty).not_to_contain_text("[object")
    expect(empty.locator("pre")).to_contain_text(f"curl {gateway.url}/v1/chat/completions")
    expect(empty.locator("pre")).to_contain_text("X-Lectr-Task: classification")
    screenshot(page, "recommendations-empty")


def test_the_page_needs_a_session(page: Page) -> None:
    page.goto("/recommendations")
    expect(page).to_have_url(re.compile(r"/signin\?next=/recommendations$"))
