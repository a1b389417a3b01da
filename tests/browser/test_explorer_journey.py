"""The specialty explorer in Chromium, with JavaScript on and off: from the wizard's goals step
to "Your standing in every specialty", sorting it, a what-if value, picking a backup and
seeing it on the review step (nothing saved as a plan). Screenshots at 1280 and 390 px go to
test-artifacts/screenshots/explorer-*.png."""

from __future__ import annotations

import re

import pytest

from assessments.models import AssessmentDraft, Plan
from tests.browser.conftest import SCREENSHOTS, csp_violations
from tests.factories import (
    PASSWORD,
    DraftFactory,
    ProgramFactory,
    UserFactory,
    em_programs,
    specialty,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def screenshot():
    # As in the wizard journey: leave the caret alone, or Playwright's style attribute on
    # inputs would be copied by htmx and reported by the CSP.
    def take(page, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, caret="initial")

    return take


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _applicant(email: str):
    user = UserFactory(email=email)
    DraftFactory(owner=user)  # EM primary, IM backup, Step 2 CK 240, J-1
    em_programs(4, step2_typical=230, img_share=60, state="NY")
    em_programs(2, step2_typical=250, j1="unknown", state="CA")
    ProgramFactory.create_batch(3, specialty=specialty("FM"), requires_usce="no", max_yog=None)
    return user


def _first_row(page) -> str:
    return page.locator("tr.explorer-row").first.get_attribute("id") or ""


def _journey(page, screenshot, name: str, *, javascript: bool) -> None:
    page.goto("/assessment/goals/")
    page.get_by_role("link", name="See your standing in every specialty").click()
    page.wait_for_url(re.compile(r"/explore/$"))
    page.get_by_role("heading", name="Your standing in every specialty").wait_for()
    assert page.locator("tr.explorer-row").count() == 13
    assert "your primary" in page.locator("#row-EM").inner_text()
    assert "Score does not separate" in page.locator("#row-FM").inner_text()
    screenshot(page, f"explorer-{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"explorer-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    if javascript:
        page.reload()  # a fresh page after the screenshots (see the screenshot fixture)
        page.evaluate("window.__notReloaded = true")

    # Sort by signals (most first), then reverse it.
    page.locator("thead").get_by_role("link", name="Signals").click()
    page.wait_for_url(re.compile(r"sort=signals"))
    page.wait_for_function(
        "['row-GS', 'row-IM', 'row-ANES'].includes(document.querySelector('tr.explorer-row').id)"
    )
    page.locator("thead").get_by_role("link", name=re.compile(r"^Signals")).click()
    page.wait_for_url(re.compile(r"sort=-signals"))
    page.wait_for_function(
        "!['row-GS', 'row-IM', 'row-ANES'].includes(document.querySelector('tr.explorer-row').id)"
    )

    # A what-if score: every row moves (in place with JavaScript).
    page.get_by_label("Step 2 CK score (what if)").fill("262")
    if javascript:
        page.get_by_label("Step 2 CK score (what if)").press("Tab")  # change
    else:
        page.get_by_role("button", name="Update").click()
    page.wait_for_url(re.compile(r"step2ck_score=262"))
    page.locator("#row-IM .badge.tier-strong").wait_for()
    assert "sort=-signals" in page.url  # the order survives the what-if change
    if javascript:
        assert page.evaluate("window.__notReloaded") is True
    screenshot(page, f"explorer-{name}-what-if")

    # Family medicine as a backup: the review shows it, and no plan is made.
    page.locator("#row-FM").get_by_role("button", name=re.compile(r"^Add as backup")).click()
    page.wait_for_url(re.compile(r"/assessment/review/$"))
    page.get_by_role("heading", name="Review your answers").wait_for()
    assert "Family Medicine, Internal Medicine" in page.locator("main").inner_text()
    screenshot(page, f"explorer-{name}-review")
    assert Plan.objects.count() == 0


def test_goals_to_explorer_to_a_backup_on_the_review(page, console_messages, screenshot) -> None:
    user = _applicant("explorer-js@example.org")
    _log_in(page, user.email)

    _journey(page, screenshot, "js", javascript=True)

    answers = AssessmentDraft.objects.get(owner=user).answers
    assert answers["backup_specialties"] == ["FM", "IM"]
    assert csp_violations(console_messages) == []
    assert [m.text for m in console_messages if m.type in ("error", "pageerror")] == []


def test_the_same_journey_without_javascript(js_disabled_page, screenshot) -> None:
    user = _applicant("explorer-nojs@example.org")
    _log_in(js_disabled_page, user.email)

    _journey(js_disabled_page, screenshot, "nojs", javascript=False)

    assert AssessmentDraft.objects.get(owner=user).answers["backup_specialties"] == ["FM", "IM"]


def test_comparing_two_specialties(page, screenshot) -> None:
    user = _applicant("explorer-compare@example.org")
    _log_in(page, user.email)

    page.goto("/explore/")
    page.locator("#id_a").select_option("IM")
    page.locator("#id_b").select_option("FM")
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_url(re.compile(r"/explore/compare/\?"))
    table = page.locator("table.explorer-compare")
    table.wait_for()
    assert "Internal Medicine (IM)" in table.inner_text()
    assert "Family Medicine (FM)" in table.inner_text()
    screenshot(page, "explorer-compare-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "explorer-compare-390")
