"""Server-side validation: errors on the same step, typed values kept, cross-step rules."""

from __future__ import annotations

import datetime as dt

import pytest

from assessments.forms import BackgroundForm, GoalsForm, application_years
from assessments.models import AssessmentDraft
from tests.factories import step_post_data
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
TODAY = dt.date.today()


def post(client, step, **overrides):
    return client.post(step_url(step), step_post_data(step, **overrides))


def assert_error(response, message):
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html, html[html.find("wizard-error-summary") :][:1500]


def test_it_rejects_a_graduation_year_beyond_next_year_and_keeps_the_typed_values(client):
    response = post(client, "background", graduation_year=str(TODAY.year + 2), country="Nigeria")
    assert_error(response, f"Enter a year no later than {TODAY.year + 1}.")
    html = response.content.decode()
    assert 'value="Nigeria"' in html
    assert f'value="{TODAY.year + 2}"' in html
    assert 'value="j1" hx-post' in html or 'value="j1"  hx-post' in html  # radio still there
    assert "checked" in html
    assert not AssessmentDraft.objects.exists()


def test_an_ecfmg_certified_applicant_cannot_say_oet_not_passed(client):
    response = post(client, "background", ecfmg_certified="yes", oet="no")
    assert_error(response, "ECFMG certification includes the English requirement")


@pytest.mark.parametrize("citizenship", ["us_citizen", "permanent_resident"])
def test_a_us_citizen_or_permanent_resident_cannot_need_a_visa(client, citizenship):
    response = post(client, "background", visa="h1b", citizenship=citizenship)
    assert_error(response, "You said you are a US citizen or permanent resident, who needs no visa")
    assert not AssessmentDraft.objects.exists()


def test_no_visa_need_goes_with_any_citizenship_answer(client):
    # "Neither" with no visa need: a work permit of one's own (an EAD), no sponsorship needed.
    for citizenship in ("us_citizen", "permanent_resident", "other", ""):
        response = post(client, "background", visa="none", citizenship=citizenship)
        assert response.status_code == 302, citizenship


def test_it_rejects_a_score_above_300(client, walk):
    walk(client, upto="background")
    response = post(client, "exams", step2ck_score="301")
    assert_error(response, "Enter a score from 1 to 300.")
    assert 'value="301"' in response.content.decode()


def test_it_rejects_five_attempts(client, walk):
    walk(client, upto="background")
    response = post(client, "exams", step2ck_attempts="5", step1_attempts="5")
    assert_error(response, "USMLE allows at most 4 attempts")
    assert "Please correct 2 answers" in response.content.decode()


def test_a_taken_step2ck_needs_score_date_and_attempts(client, walk):
    walk(client, upto="background")
    response = post(client, "exams", step2ck_score="", step2ck_test_date="", step2ck_attempts="")
    assert_error(response, "Enter your Step 2 CK score.")
    assert_error(response, "Enter the date you sat Step 2 CK.")
    assert_error(response, "Enter how many times you sat Step 2 CK.")


def test_a_test_date_with_a_score_cannot_be_in_the_future(client, walk):
    walk(client, upto="background")
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = post(client, "exams", step2ck_test_date=tomorrow)
    assert_error(response, "A test date with a score cannot be in the future.")


def test_an_impossible_date_is_an_error_not_a_crash(client, walk):
    walk(client, upto="background")
    response = post(client, "exams", step2ck_test_date="2025-02-30")
    assert_error(response, "Enter a real date")


def test_not_taken_needs_a_planned_date(client, walk):
    walk(client, upto="background")
    response = post(client, "exams", step2ck_taken="no", step2ck_planned_date="")
    assert_error(response, "Enter the date you plan to sit Step 2 CK.")


def test_not_taken_ignores_the_score_fields_and_keeps_practice_scores(client, walk):
    walk(client, upto="background")
    planned = (TODAY + dt.timedelta(days=100)).isoformat()
    response = post(
        client,
        "exams",
        step2ck_taken="no",
        step2ck_score="999",  # irrelevant when not taken: ignored, even when invalid
        step2ck_planned_date=planned,
        practice_score_1="235",
        practice_score_2="",
        practice_score_3="221",
    )
    assert response.status_code == 302
    step2 = AssessmentDraft.objects.get().answers["step2ck"]
    assert step2 == {
        "score": None,
        "attempts": 1,
        "test_date": None,
        "planned_date": planned,
        # oldest first, so that the engine reads the last one as the latest
        "practice_scores": [221, 235],
    }


def test_step1_not_taken_ignores_attempts_and_score(client, walk):
    walk(client, upto="background")
    response = post(client, "exams", step1_result="not_taken", step1_attempts="9", step1_score="7")
    assert response.status_code == 302
    assert AssessmentDraft.objects.get().answers["step1"] == {
        "result": "not_taken",
        "attempts": 1,
        "score": None,
    }


def test_ecfmg_certification_needs_step1_passed(client, walk):
    walk(client, upto="background", background={"ecfmg_certified": "yes"})
    response = post(client, "exams", step1_result="fail", step1_attempts="2")
    assert_error(response, "You said you are ECFMG certified, which needs Step 1 passed.")


def test_ecfmg_certification_needs_a_passing_step2ck_score(client, walk):
    # The latest score under the standard of its date is a failed Step 2 CK: the plan read
    # "ECFMG certified" beside a failed attempt.
    walk(client, upto="background", background={"ecfmg_certified": "yes"})
    test_date = dt.date(2023, 3, 1)  # the passing score was 214 then
    response = post(client, "exams", step2ck_score="213", step2ck_test_date=test_date.isoformat())
    assert_error(response, "213 is under the passing score of 214 on that date")
    assert "Step 2 CK score" in response.content.decode().split("wizard-error-summary")[1]
    passed = post(client, "exams", step2ck_score="214", step2ck_test_date=test_date.isoformat())
    assert passed.status_code == 302


def test_an_applicant_not_yet_certified_may_enter_a_failing_step2ck_score(client, walk):
    walk(client, upto="background")
    response = post(client, "exams", step2ck_score="200", step2ck_attempts="1")
    assert response.status_code == 302


def test_specialty_months_cannot_exceed_all_us_months(client, walk):
    walk(client, upto="exams")
    response = post(client, "experience", specialty_months="6")
    assert_error(response, "Cannot be more than your US months in total (5).")


def test_sloes_count_among_us_letters(client, walk):
    walk(client, upto="exams")
    response = post(client, "experience", us_letters="1", sloes="2")
    assert_error(response, "SLOEs are US letters too")


def test_experience_weights_observerships_at_half(client, walk):
    walk(client, upto="exams")
    post(
        client,
        "experience",
        usce_hands_on_months="2",
        observership_months="3",
        specialty_months="4",
    )
    answers = AssessmentDraft.objects.get().answers
    assert answers["usce_months"] == 3.5
    # specialty months count as hands-on first: 2 in full, the other 2 at half
    assert answers["usce_in_specialty_months"] == 3
    assert answers["usce_hands_on_months"] == 2
    assert answers["observership_months"] == 3


def test_a_backup_cannot_be_the_primary_specialty(client, walk):
    walk(client, upto="experience")
    response = post(client, "goals", specialty="IM", backup_specialties=["IM", "FM"])
    assert_error(response, "is your primary specialty: untick it here.")
    # The ticked primary stays visible so that it can be unticked.
    assert 'value="IM"' in response.content.decode()


def test_at_most_three_backups(client, walk):
    walk(client, upto="experience")
    response = post(client, "goals", backup_specialties=["IM", "FM", "PEDS", "PSYCH"])
    assert_error(response, "Choose at most 3 backups.")


def test_application_year_must_fit_the_graduation_year():
    # In February the last season is still open, so a too-early season can be chosen.
    today = dt.date(2027, 2, 1)
    form = GoalsForm(
        step_post_data("goals", today=today, application_year="2026"),
        answers={"graduation_year": 2028},
        today=today,
    )
    assert not form.is_valid()
    assert form.errors["application_year"] == [
        "You graduate in 2028: the earliest season you can apply in is 2027, the autumn "
        "before you graduate."
    ]


def test_a_later_graduation_year_must_still_fit_the_saved_application_year():
    today = dt.date(2027, 2, 1)
    data = step_post_data("background", today=today, graduation_year="2028")
    form = BackgroundForm(data, answers={"application_year": 2026}, today=today)
    assert not form.is_valid()
    assert "you must graduate by 2027" in form.errors["graduation_year"][0]


def test_the_last_season_is_offered_until_the_match():
    assert application_years(dt.date(2027, 3, 31))[0] == 2026
    assert application_years(dt.date(2027, 4, 1))[0] == 2027


def test_an_unknown_specialty_is_an_error(client, walk):
    walk(client, upto="experience")
    response = post(client, "goals", specialty="XX")
    assert_error(response, "Choose a specialty from the list.")


def test_a_budget_must_be_a_number(client, walk):
    walk(client, upto="experience")
    response = post(client, "goals", budget_usd="$1500")
    assert_error(response, "Enter a whole number of dollars")
    assert 'value="$1500"' in response.content.decode()


# --- htmx: live validation and dependent fields --------------------------------------------


def test_live_validation_returns_only_that_fields_partial_with_its_error(client, walk):
    walk(client, upto="background")
    data = step_post_data("exams", step2ck_score="400", _validate="step2ck_score")
    response = client.post(step_url("exams"), data, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="div_id_step2ck_score"')
    assert "Enter a score from 1 to 300." in html
    assert "step1_result" not in html
    assert AssessmentDraft.objects.get().answers.keys() >= {"country"}
    assert "step1" not in AssessmentDraft.objects.get().answers  # nothing saved


def test_live_validation_of_a_valid_field_shows_no_error(client):
    data = step_post_data("background", _validate="country")
    html = client.post(step_url("background"), data, **HX).content.decode()
    assert 'id="div_id_country"' in html
    assert "invalid-feedback" not in html


def test_live_validation_of_an_unknown_field_is_empty(client):
    data = step_post_data("background", _validate="nope")
    assert client.post(step_url("background"), data, **HX).status_code == 204


def test_choosing_not_taken_shows_planned_date_and_practice_scores_only(client, walk):
    walk(client, upto="background")
    data = step_post_data("exams", step2ck_taken="no", _refresh="step2ck_taken")
    response = client.post(step_url("exams"), data, **HX)
    html = response.content.decode()
    assert html.strip().startswith('<div id="wizard-fields"')
    assert 'name="step2ck_planned_date"' in html
    assert 'name="practice_score_1"' in html
    assert 'name="step2ck_score"' not in html
    assert 'name="step2ck_test_date"' not in html
    # errors of fields not reached yet are not shown on a refresh
    assert "invalid-feedback" not in html


def test_choosing_taken_shows_score_date_and_attempts_only(client, walk):
    walk(client, upto="background")
    data = step_post_data("exams", step2ck_taken="yes", _refresh="step2ck_taken")
    html = client.post(step_url("exams"), data, **HX).content.decode()
    assert 'name="step2ck_score"' in html
    assert 'name="step2ck_test_date"' in html
    assert 'name="step2ck_planned_date"' not in html
    assert 'name="practice_score_1"' not in html


def test_without_an_answer_every_dependent_field_is_shown_with_help(client, walk):
    walk(client, upto="background")
    html = client.get(step_url("exams")).content.decode()
    for name in ("step2ck_score", "step2ck_test_date", "step2ck_planned_date", "practice_score_1"):
        assert f'name="{name}"' in html
    assert "Only if you have taken Step 2 CK." in html
    assert "Only if you have not taken it yet." in html


def test_the_taken_control_asks_to_refresh_the_form(client, walk):
    walk(client, upto="background")
    html = client.get(step_url("exams")).content.decode()
    assert 'hx-target="#step2ck-details"' in html
    assert 'hx-select="#step2ck-details"' in html
    assert "_refresh" in html


def test_choosing_a_primary_specialty_removes_it_from_the_backups(client, walk):
    walk(client, upto="experience")
    data = step_post_data("goals", specialty="FM", backup_specialties=[], _refresh="specialty")
    html = client.post(step_url("goals"), data, **HX).content.decode()
    backups = html[html.index('id="div_id_backup_specialties"') :]
    backups = backups[: backups.index("</fieldset>")]
    assert 'value="FM"' not in backups
    assert 'value="IM"' in backups
