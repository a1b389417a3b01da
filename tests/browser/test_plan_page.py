"""The plan page in Chromium: filtering and sorting the program table in place, the what-if
panel, the CSV download, printing, and the history with a comparison; what-if also without
JavaScript. Screenshots go to test-artifacts/screenshots/plans-*.png."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Plan
from tests.browser.conftest import SCREENSHOTS, csp_violations
from tests.factories import PASSWORD, UserFactory, em_programs, make_plan

pytestmark = pytest.mark.browser


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_filter_sort_whatif_csv_and_print_in_place(page, console_messages, screenshot) -> None:
    user = UserFactory(email="plans-browser@example.org")
    em_programs(3, step2_typical=225, name="Likely Program", img_share=60)
    em_programs(2, step2_typical=262, name="Reach Program", img_share=20)
    plan = make_plan(user)
    _log_in(page, user.email)

    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    page.get_by_role("heading", name="Your Emergency Medicine application plan").wait_for()
    screenshot(page, "plans-01-plan-page")
    # Playwright's screenshots leave empty style="" attributes on inputs (to hide the caret),
    # which htmx would copy while settling and the CSP would then report: start afresh.
    page.reload()
    page.evaluate("window.__notReloaded = true")

    page.locator("#programs_fit").select_option("reach")
    page.wait_for_url(re.compile(r"fit=reach"))
    page.wait_for_function("document.querySelectorAll('.plan-programs tbody tr').length === 2")
    assert page.locator(".plan-programs tbody").get_by_text("Likely Program").count() == 0

    page.locator("#programs_fit").select_option("")
    page.get_by_role("link", name=re.compile(r"^IMG share")).click()
    page.wait_for_url(re.compile(r"sort=img"))
    page.locator("th[aria-sort='descending']").wait_for()
    assert page.evaluate("window.__notReloaded") is True  # swapped in place, not reloaded

    # A score out of range: the panel comes back with the field's error, no result.
    page.get_by_label("Step 2 CK score").fill("999")
    page.get_by_role("button", name="Recompute").click()
    page.locator("#whatif_step2ck_score.is-invalid").wait_for()
    assert page.locator("#whatif-result").count() == 0
    # Corrected: only the outcome is swapped in, under the form that keeps what was typed,
    # and it takes the focus.
    page.get_by_label("Step 2 CK score").fill("250")
    page.get_by_role("button", name="Recompute").click()
    result = page.locator("#whatif-result")
    result.wait_for()
    assert result.locator(".tier-strong").first.is_visible()
    expect(page.get_by_label("Step 2 CK score")).to_have_value("250")
    # The error went with it (after htmx's settle step, which keeps an element's old
    # attributes for a moment when the new one has the same id).
    expect(page.locator("#whatif-form .is-invalid")).to_have_count(0)
    page.wait_for_function("document.activeElement.id === 'whatif-result'")
    # Another value swaps the outcome alone, under the same form.
    page.get_by_label("Step 2 CK score").fill("230")
    page.get_by_role("button", name="Recompute").click()
    expect(page.locator("#whatif-result .tier-viable").first).to_be_visible()
    assert page.get_by_label("Step 2 CK score").input_value() == "230"
    page.locator("#what-if").screenshot(path=str(SCREENSHOTS / "plans-02b-what-if-panel.png"))
    assert page.locator("#whatif-form").count() == 1
    assert page.evaluate("window.__notReloaded") is True
    assert Plan.objects.count() == 1
    screenshot(page, "plans-02-what-if")

    with page.expect_download() as download_info:
        page.locator("header").get_by_role("link", name="Download programs (CSV)").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        body = handle.read()
    assert body.startswith("\ufefffit,program,institution")
    assert "Reach Program" in body

    page.emulate_media(media="print")
    assert not page.locator("#what-if").is_visible()
    assert not page.locator("nav.navbar").is_visible()
    screenshot(page, "plans-03-print")
    assert csp_violations(console_messages) == []


def test_history_and_comparison(page, console_messages, screenshot) -> None:
    user = UserFactory(email="plans-history@example.org")
    em_programs(2)
    make_plan(user, step2ck__score=236)
    make_plan(user, step2ck__score=247)
    _log_in(page, user.email)

    page.goto(reverse("assessments:plan_list"))
    assert page.locator("table tbody tr").count() == 2
    screenshot(page, "plans-04-history")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/plans/compare/\?a="))
    page.get_by_text("▲ Better").first.wait_for()
    screenshot(page, "plans-05-compare")
    assert csp_violations(console_messages) == []


def test_what_if_works_without_javascript(js_disabled_page, screenshot) -> None:
    page = js_disabled_page
    user = UserFactory(email="plans-nojs@example.org")
    em_programs(2)
    plan = make_plan(user)
    _log_in(page, user.email)

    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    page.get_by_label("Step 2 CK score").fill("220")
    page.get_by_role("button", name="Recompute").click()
    page.wait_for_load_state()
    page.locator("#whatif-result").wait_for()
    assert page.locator("#whatif-result .tier-high_risk").first.is_visible()
    assert Plan.objects.count() == 1

    page.locator("#programs_state").select_option(index=1)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"state="))
    screenshot(page, "plans-06-no-javascript")
