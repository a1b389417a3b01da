"""The advisor's plan review in Chromium: the same paged, filterable program table as the
applicant's page, a readable reasons column, and the status and comment panel in reach from
anywhere on the page (sticky beside the plan; a jump link on a phone)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.test_advising_journey import _log_in
from tests.factories import (
    PASSWORD,
    AdvisorFactory,
    AssignmentFactory,
    SeasonFactory,
    UserFactory,
    applied,
    em_programs,
    make_plan,
)
from tracker.models import Status

pytestmark = pytest.mark.browser


def _review_page(page, count: int = 127) -> str:
    advisor = AdvisorFactory(email="reviewer@example.org")
    applicant = UserFactory(email="reviewed@example.org", full_name="Rahul Verma")
    em_programs(count - 2, step2_typical=230, img_share=55)
    em_programs(2, step2_typical=230, img_share=55, name="Findable Program")
    plan = make_plan(applicant)
    AssignmentFactory(advisor=advisor, applicant=applicant)
    _log_in(page, advisor.email, PASSWORD)
    return reverse("advising:plan_review", args=[plan.pk])


def test_the_review_pages_filters_and_pages_the_programs(page, screenshot) -> None:
    url = _review_page(page)
    page.goto(url)
    status = page.locator(".plan-table-status")
    assert "Showing 1–50 of 127 programs" in status.inner_text()
    assert page.locator(".plan-programs tbody tr").count() == 50
    screenshot(page, "advising-review-1280")

    # a readable reasons column, not a sliver
    reasons = page.locator(".plan-programs thead th.col-reasons").bounding_box()
    assert reasons["width"] >= 200

    page.evaluate("window.__notReloaded = true")
    page.get_by_role("navigation", name="Program list pages").get_by_role(
        "link", name="Next page"
    ).click()
    page.get_by_text("Showing 51–100 of 127 programs").wait_for()
    page.get_by_label("Search programs").fill("Findable")
    page.get_by_label("Search programs").press("Enter")
    page.get_by_text("Showing 1–2 of 2 programs matching your filters").wait_for()
    assert page.evaluate("window.__notReloaded") is True  # swapped in place
    assert page.locator(".plan-programs tbody tr").count() == 2

    # the status and comments panel stays on screen at the bottom of the page
    page.mouse.wheel(0, 100_000)
    page.wait_for_function("() => window.scrollY > 1000")
    box = page.locator("#review-status").bounding_box()
    viewport = page.viewport_size
    assert 0 <= box["y"] < viewport["height"]
    with page.expect_response(lambda r: "/status/" in r.url):
        page.get_by_role("button", name="Mark reviewed").click()
    page.locator("#review-status .review-reviewed").wait_for()


def test_the_review_page_on_a_phone_keeps_the_panel_in_reach(page) -> None:
    url = _review_page(page, count=60)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.mouse.wheel(0, 6000)
    jump = page.get_by_role("link", name="Status and comments", exact=True)
    assert jump.is_visible()
    jump.click()
    # Bootstrap scrolls smoothly: wait until the panel's button is on screen
    page.wait_for_function(
        """() => {
          const button = [...document.querySelectorAll('#review-status button')]
            .find((b) => b.textContent.includes('Mark reviewed'));
          const top = button.getBoundingClientRect().top;
          return top >= 0 && top < window.innerHeight;
        }"""
    )


def test_the_season_view_on_a_phone_keeps_the_applications_table_inside_the_screen(page) -> None:
    advisor = AdvisorFactory(email="season-reviewer@example.org")
    applicant = UserFactory(email="season-reviewed@example.org", full_name="Rahul Verma")
    AssignmentFactory(advisor=advisor, applicant=applicant)
    season = SeasonFactory(owner=applicant)
    for program in em_programs(3, name="Northern Valley Emergency Medicine Program"):
        applied(
            season,
            program,
            status=Status.INTERVIEW_SCHEDULED,
            interview_at=timezone.now() + dt.timedelta(days=10),
            interview_mode="virtual",
            notes="Ask about the J-1 waiver and the night-shift rota",
        )
    _log_in(page, advisor.email, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("tracker:advise", args=[season.pk]))
    # the page itself never scrolls sideways; the table scrolls in its own frame, and says so
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    frame = page.get_by_role("region", name="Applications of Rahul Verma")
    assert frame.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.get_by_text("Scroll sideways for the whole table").first.is_visible()


def test_keyboard_focus_stays_on_the_pressed_button_after_status_and_comment(page) -> None:
    url = _review_page(page, count=3)
    page.goto(url)
    page.get_by_role("button", name="Mark reviewed").focus()
    page.keyboard.press("Enter")
    page.locator("#review-status .badge", has_text="Reviewed").wait_for()
    # htmx swapped the panel: focus is back on the button, not thrown to the page top
    assert page.evaluate("document.activeElement.textContent.trim()") == "Mark reviewed"

    page.get_by_label("Your comment").fill("Add two community programs.")
    page.get_by_role("button", name="Add comment").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Comment added. The applicant gets an email.").wait_for()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Add comment"
