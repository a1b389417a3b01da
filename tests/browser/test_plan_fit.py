"""The plan page's program notes in Chromium: the few-targets warning, the catalog note and
the programs left out with the age of their facts. Screenshot: plans-fit-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory, em_programs, make_plan

pytestmark = pytest.mark.browser


def test_a_high_risk_plan_shows_its_notes_and_left_out_programs(page, screenshot) -> None:
    today = timezone.localdate()
    user = UserFactory(email="fit-browser@example.org")
    em_programs(8, step2_typical=None, img_share=55, program_type="community")
    em_programs(1, name="Fictional Army EM", program_type="military", affiliation="military")
    em_programs(
        1,
        name="Fictional Closed EM",
        accepting_applications="no",
        accepting_season=today.year,
        last_verified=today - dt.timedelta(days=500),
    )
    plan = make_plan(
        user,
        graduation_year=today.year - 12,
        usce_months=0,
        usce_in_specialty_months=0,
        us_letters=0,
        sloes=0,
        step2ck__score=224,
    )
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto(reverse("assessments:plan_detail", args=[plan.token]) + "#programs")
    note = page.locator(".plan-fit-note")
    note.wait_for()
    assert "Few realistic programs." in note.inner_text()
    assert "EM programs last updated" in page.locator(".plan-catalog-note").inner_text()
    screenshot(page, "plans-fit-01-notes")
    path = screenshot(page, "plans-fit-01-notes").with_name("plans-fit-01-section.png")
    page.locator("#programs").screenshot(path=str(path))
    page.locator(".plan-excluded-programs summary").click()
    row = page.locator(".plan-excluded-programs tr", has_text="Fictional Closed EM")
    assert "Stale: verify" in row.inner_text()
    page.locator("#excluded").scroll_into_view_if_needed()
    page.locator("#excluded").screenshot(path=str(path.with_name("plans-fit-02-left-out.png")))
