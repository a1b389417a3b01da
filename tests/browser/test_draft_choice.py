"""Logging in with answers given before: the account's saved answers are never replaced
without asking. Chromium walks one wizard step anonymously, logs in to an account that has
other saved answers, and chooses."""

from __future__ import annotations

import pytest

from assessments.models import AssessmentDraft
from tests.browser.test_wizard_journey import fill_background, submit
from tests.factories import PASSWORD, DraftFactory, UserFactory

pytestmark = pytest.mark.browser


def _answer_a_step_then_log_in(page, email: str) -> None:
    page.goto("/assessment/background/")
    fill_background(page)
    page.get_by_label("Country of your medical school").fill("Nepal")
    submit(page)
    page.wait_for_url("**/assessment/exams/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Which answers should we keep?").wait_for()


@pytest.mark.parametrize("keep", ["saved", "new"])
def test_log_in_asks_which_answers_to_keep(page, screenshot, keep) -> None:
    user = UserFactory(email=f"choice-{keep}@example.org")
    saved = DraftFactory(owner=user)  # Step 2 CK 240, from India
    _answer_a_step_then_log_in(page, user.email)
    if keep == "saved":
        screenshot(page, "draft-choice")
    # both sets are described, side by side
    assert page.get_by_role("region", name="Your saved answers").get_by_text("240").count() == 1
    assert (
        page.get_by_role("region", name="The answers you just gave").get_by_text("1 of 4").count()
        == 1
    )
    anonymous = AssessmentDraft.objects.get(owner__isnull=True)

    if keep == "saved":
        page.get_by_role("button", name="Keep my saved answers").click()
        page.get_by_text("Your account keeps its saved answers.").wait_for()
        assert list(AssessmentDraft.objects.all()) == [saved]
    else:
        page.get_by_role("button", name="Use the answers I just gave").click()
        page.get_by_text("Your account now keeps the answers you just gave.").wait_for()
        assert list(AssessmentDraft.objects.all()) == [anonymous]
        anonymous.refresh_from_db()
        assert anonymous.owner == user
    page.goto("/assessment/background/")
    expected = "India" if keep == "saved" else "Nepal"
    assert page.get_by_label("Country of your medical school").input_value() == expected
