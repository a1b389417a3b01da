"""The wizard's words in Chromium: step 3 does not ask about a "target specialty" the user
has not named yet, and step 4's hint about preferred states says what the plan does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Plan
from tests.browser.test_plan_page import _log_in
from tests.factories import DraftFactory, UserFactory, em_programs

pytestmark = pytest.mark.browser


def test_step_3_names_the_specialty_question_of_step_4(page) -> None:
    user = UserFactory(email="wording@example.org")
    DraftFactory(owner=user)
    _log_in(page, user.email)
    page.goto(reverse("assessments:wizard_step", args=["experience"]))
    text = page.locator("#wizard").inner_text()
    assert "target specialty" not in text
    months = page.get_by_label("US clinical months in the specialty you want most")
    assert months.count() == 1
    assert "next step" in page.locator("#id_specialty_months_helptext").inner_text()


def test_the_preferred_states_hint_is_what_the_plan_does(page) -> None:
    user = UserFactory(email="states@example.org")
    em_programs(3, state="TX", step2_typical=236, img_share=30, program_type="university")
    em_programs(3, state="NY", step2_typical=236, img_share=30, program_type="university")
    draft = DraftFactory(owner=user)
    draft.answers = {**draft.answers, "preferred_states": ["NY"], "program_types": []}
    draft.save()
    _log_in(page, user.email)
    page.goto(reverse("assessments:wizard_step", args=["goals"]))
    hint = page.locator("#id_preferred_states_helptext").inner_text()
    assert "move up your list within their fit group" in hint

    page.goto(reverse("assessments:wizard_step", args=["review"]))
    page.get_by_role("button", name="Generate my plan").click()
    page.wait_for_url("**/plans/*/")
    plan = Plan.objects.get()
    rows = page.locator(".plan-programs tbody tr")
    states = [r.locator("td[data-label=Location]").inner_text() for r in rows.all()]
    fits = [r.locator(".fit-badge").inner_text() for r in rows.all()]
    assert len(set(fits)) == 1  # one fit group: the preferred state decides the order
    assert ["NY" in s for s in states] == [True, True, True, False, False, False], states
    assert plan.profile["preferred_states"] == ["NY"]
