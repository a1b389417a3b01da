"""The goals step's backup boxes in Chromium: what a box says is what it saves.

Choosing the primary specialty refreshes the backup list from the server (the primary is
left out of it). The boxes' labels and values must stay paired after that refresh, with
JavaScript and without it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from assessments.forms import application_years
from assessments.models import AssessmentDraft
from tests.browser.test_plan_page import _log_in
from tests.factories import DraftFactory, UserFactory, complete_answers

pytestmark = pytest.mark.browser


def _draft_without_goals(email: str) -> AssessmentDraft:
    answers = complete_answers()
    for key in ("specialty", "backup_specialties"):
        answers.pop(key)
    return DraftFactory(owner=UserFactory(email=email), answers=answers)


def _boxes_agree_with_labels(page) -> None:
    for box in page.locator("input[name=backup_specialties]").all():
        label = page.locator(f"label[for='{box.get_attribute('id')}']")
        assert label.inner_text().endswith(f"({box.get_attribute('value')})")


def _choose_a_year(page) -> None:
    page.get_by_label("Application year").select_option(str(application_years(dt.date.today())[-2]))


def test_a_backup_box_ticks_the_specialty_its_label_names(page) -> None:
    draft = _draft_without_goals("goals-js@example.org")
    _log_in(page, "goals-js@example.org")
    page.goto("/assessment/goals/")
    backups = page.locator("#div_id_backup_specialties")
    assert backups.get_by_label("Emergency Medicine (EM)").count() == 1
    # Choosing EM refreshes the backup list without EM; the others move up one place
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_label("Primary specialty").select_option("EM")
    backups.get_by_label("Emergency Medicine (EM)").wait_for(state="detached")
    _boxes_agree_with_labels(page)

    backups.get_by_label("Internal Medicine (IM)").check()
    checked = page.locator("input[name=backup_specialties]:checked")
    assert [box.get_attribute("value") for box in checked.all()] == ["IM"]
    # a second change of the primary keeps the ticked box on its specialty
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_label("Primary specialty").select_option("FM")
    backups.get_by_label("Family Medicine (FM)").wait_for(state="detached")
    _boxes_agree_with_labels(page)
    assert backups.get_by_label("Internal Medicine (IM)").is_checked()
    assert backups.get_by_label("Emergency Medicine (EM)").is_checked() is False

    _choose_a_year(page)
    page.locator("form.wizard-form button[type=submit]").click()
    page.wait_for_url("**/assessment/review/")
    draft.refresh_from_db()
    assert draft.answers["specialty"] == "FM"
    assert draft.answers["backup_specialties"] == ["IM"]


def test_backup_boxes_agree_with_their_labels_without_javascript(js_disabled_page) -> None:
    page = js_disabled_page
    draft = _draft_without_goals("goals-nojs@example.org")
    _log_in(page, "goals-nojs@example.org")
    page.goto("/assessment/goals/")
    page.get_by_label("Primary specialty").select_option("EM")
    _boxes_agree_with_labels(page)
    page.locator("#div_id_backup_specialties").get_by_label("Internal Medicine (IM)").check()
    _choose_a_year(page)
    page.locator("form.wizard-form button[type=submit]").click()
    page.wait_for_url("**/assessment/review/")
    draft.refresh_from_db()
    assert draft.answers["backup_specialties"] == ["IM"]


def test_two_boxes_ticked_at_once_both_stay_ticked(page) -> None:
    """The first box's field check answers for the list as it was (one box); the second
    box's own check is skipped while the first is on its way. That late answer must not
    untick the second box."""
    _draft_without_goals("goals-quick@example.org")
    _log_in(page, "goals-quick@example.org")
    page.goto("/assessment/goals/")
    with page.expect_response(lambda r: r.request.method == "POST"):
        # two clicks in one go, as a quick user (or a slow server) makes them
        page.evaluate(
            """() => {
              document.getElementById("id_backup_specialties_IM").click();
              document.getElementById("id_backup_specialties_FM").click();
            }"""
        )
    # htmx takes its request class off once the answer is handled (swapped or dropped)
    page.locator(".htmx-request").wait_for(state="detached")
    checked = page.locator("input[name=backup_specialties]:checked")
    assert sorted(box.get_attribute("value") for box in checked.all()) == ["FM", "IM"]
