"""Browser: the season sections of a plan and of the methodology page render and pass the CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import csp_violations
from tests.browser.test_plan_page import _log_in
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.browser


def test_a_dual_em_im_plan_shows_platforms_signals_and_sources(
    page, console_messages, screenshot
) -> None:
    user = UserFactory(email="season-browser@example.org")
    em_programs(4, step2_typical=236, name="Target EM Program", img_share=40)
    plan = make_plan(user, step2ck__score=235, backup_specialties=["IM"])
    _log_in(page, user.email)
    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    page.get_by_role("heading", name="Program signals").wait_for()
    assert page.get_by_text("ResidencyCAS applications (EM)").is_visible()
    assert page.get_by_text("ERAS applications (IM)").is_visible()
    shots = screenshot(page, "season-01-plan").parent
    page.locator("#strategy").screenshot(path=str(shots / "season-02-strategy.png"))
    page.locator("#signals").screenshot(path=str(shots / "season-03-signals.png"))
    assert not csp_violations(console_messages)


def test_the_methodology_page_lists_the_season_facts(page, console_messages, screenshot) -> None:
    page.goto(reverse("assessments:methodology"))
    page.get_by_role(
        "heading", name="Season facts: platforms, fees, signals and the Match"
    ).wait_for()
    shots = screenshot(page, "season-04-methodology").parent
    page.locator("#season-facts").screenshot(path=str(shots / "season-05-season-facts.png"))
    assert page.get_by_role("link", name="Fees for 2026 ERAS Season").first.is_visible()
    assert not csp_violations(console_messages)
