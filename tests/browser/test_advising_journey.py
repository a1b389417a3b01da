"""The advising journey in Chromium: an applicant shares their plans, the advisor signs up
from the emailed invitation, comments and marks the plan reviewed, and the applicant
sees the comment.

live_server runs in a thread of this process, so mail sent by the app lands in
django.core.mail.outbox (pytest-django switches to the locmem backend).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.browser.conftest import ConsoleMessage, csp_violations
from tests.factories import (
    PASSWORD,
    AdvisorFactory,
    AssignmentFactory,
    PlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

ADVISOR_EMAIL = "mentor@university.example"
ADVISOR_PASSWORD = "a-long-passphrase-9"
LINK = re.compile(r"https?://\S+")


def _log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(0)


def test_applicant_shares_advisor_signs_up_comments_and_reviews(
    page, browser, live_server, console_messages, screenshot
) -> None:
    applicant = UserFactory(email="amal@example.com", full_name="Amal Haddad")
    plan = PlanFactory(owner=applicant, specialty_code="EM", tier="viable", red_flag_count=2)

    # The applicant shares their plans by email address.
    _log_in(page, applicant.email, PASSWORD)
    page.goto(reverse("advising:sharing"))
    page.get_by_label("Advisor's email address").fill(ADVISOR_EMAIL)
    page.get_by_role("button", name="Share my plans").click()
    page.get_by_text(f"We sent an invitation to {ADVISOR_EMAIL}").wait_for()
    assert page.locator(".advising-access-list").get_by_text("Invited", exact=True).is_visible()
    screenshot(page, "advising-01-sharing")

    [invitation] = mail.outbox
    assert invitation.to == [ADVISOR_EMAIL]
    link = _link_in(invitation)

    # The advisor signs up from the link, in a browser of their own.
    advisor_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    advisor_context.set_default_timeout(10_000)
    advisor_page = advisor_context.new_page()
    advisor_console: list[ConsoleMessage] = []
    advisor_page.on("console", lambda m: advisor_console.append(ConsoleMessage(m.type, m.text)))
    advisor_page.goto(link)
    assert advisor_page.get_by_label("Email address").input_value() == ADVISOR_EMAIL
    advisor_page.get_by_label("Your name").fill("Dana Mentor")
    advisor_page.locator("#id_password1").fill(ADVISOR_PASSWORD)
    advisor_page.get_by_label("Password again").fill(ADVISOR_PASSWORD)
    screenshot(advisor_page, "advising-02-invitation")
    advisor_page.get_by_role("button", name="Create my advisor account").click()
    advisor_page.wait_for_url("**/advising/")
    row = advisor_page.locator("tbody tr", has_text="Amal Haddad")
    assert row.get_by_text("Emergency Medicine").is_visible()
    assert row.get_by_text("Not reviewed").is_visible()
    screenshot(advisor_page, "advising-03-dashboard")

    # The advisor comments (htmx swaps the thread in place) and marks the plan reviewed.
    row.get_by_role("link", name=re.compile("Review")).click()
    advisor_page.wait_for_url(f"**{reverse('advising:plan_review', args=[plan.pk])}")
    url_before = advisor_page.url
    advisor_page.get_by_label("Your comment").fill("Strong plan. Add a second SLOE before August.")
    advisor_page.get_by_role("button", name="Add comment").click()
    advisor_page.locator(".advising-comment", has_text="Add a second SLOE").wait_for()
    assert advisor_page.get_by_label("Your comment").input_value() == ""
    advisor_page.get_by_role("button", name="Mark reviewed").click()
    advisor_page.locator("#review-status .review-reviewed").wait_for()
    assert advisor_page.url == url_before  # both updates happened in place
    screenshot(advisor_page, "advising-04-review")
    assert csp_violations(advisor_console) == []
    advisor_context.close()

    # The applicant got an email and sees the comment and status on their plan page.
    notice = mail.outbox[-1]
    assert notice.to == [applicant.email]
    assert "Add a second SLOE" not in notice.body
    page.goto(_link_in(notice))
    feedback = page.locator("#advisor-feedback")
    feedback.get_by_text("Strong plan. Add a second SLOE before August.").wait_for()
    assert feedback.get_by_text("Reviewed").first.is_visible()
    assert feedback.get_by_text("Dana Mentor", exact=True).is_visible()
    screenshot(page, "advising-05-applicant-sees-feedback")
    assert csp_violations(console_messages) == []


def test_dashboard_filters_update_in_place_and_push_the_url(page, screenshot) -> None:
    advisor = AdvisorFactory(email="advisor@example.com", full_name="Dr. Dana Advisor")
    for name, tier in [
        ("Zara Strong", "strong"),
        ("Yusuf Risk", "risk"),
        ("Xena Viable", "viable"),
    ]:
        applicant = UserFactory(full_name=name)
        AssignmentFactory(advisor=advisor, applicant=applicant)
        PlanFactory(owner=applicant, tier=tier)
    _log_in(page, advisor.email, PASSWORD)
    page.goto(reverse("advising:dashboard"))
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__notReloaded = true")

    page.get_by_label("Tier").select_option("risk")
    page.wait_for_url(re.compile(r"tier=risk"))
    page.wait_for_function("document.querySelectorAll('tbody tr').length === 1")
    assert page.locator("tbody tr").first.get_by_text("Yusuf Risk", exact=True).is_visible()
    assert page.evaluate("window.__notReloaded") is True  # swapped, not reloaded

    page.get_by_label("Search by name or email").fill("zara")
    page.wait_for_url(re.compile(r"q=zara"))
    page.wait_for_function(
        "document.querySelector('#results').textContent.includes('No applicant matches')"
    )
    screenshot(page, "advising-06-dashboard-filtered")


def test_review_works_without_javascript(js_disabled_page, live_server) -> None:
    page = js_disabled_page
    advisor = AdvisorFactory()
    plan = PlanFactory(owner=UserFactory(full_name="Nojs Applicant"))
    AssignmentFactory(advisor=advisor, applicant=plan.owner)
    _log_in(page, advisor.email, PASSWORD)

    page.goto(reverse("advising:dashboard") + "?q=nojs")
    page.get_by_role("link", name=re.compile("Review")).click()
    page.get_by_label("Your comment").fill("Plain form comment.")
    page.get_by_role("button", name="Add comment").click()
    page.get_by_text("Comment added. The applicant gets an email.").wait_for()
    assert page.locator(".advising-comment", has_text="Plain form comment.").is_visible()
    page.get_by_role("button", name="Needs changes").click()
    page.get_by_text("Review status saved.").wait_for()
    assert page.locator("#review-status .review-needs_changes").is_visible()


def test_the_assigned_badge_lines_up_with_its_advisor_on_the_sharing_page(page) -> None:
    advisor = AdvisorFactory(email="assigned-advisor@example.org", full_name="Ada Assigned")
    applicant = UserFactory(email="assigned-applicant@example.org")
    AssignmentFactory(advisor=advisor, applicant=applicant)
    _log_in(page, applicant.email, PASSWORD)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("advising:sharing"))
        name = page.get_by_text("Ada Assigned", exact=True).bounding_box()
        badge = page.locator(".advising-access-list .badge", has_text="Assigned").bounding_box()
        # the badge sits under the name and its note, not adrift in the middle of the row
        assert abs(badge["x"] - name["x"]) <= 1, (width, name, badge)
