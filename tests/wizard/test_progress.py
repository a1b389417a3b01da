"""The record of completed steps (AssessmentDraft.progress): written with every save, trusted
only for the same answers on the same day, and the same as validating every step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import AssessmentDraft
from assessments.wizard import progress_record
from tests.wizard.conftest import step_url
from tests.wizard.factories import DraftFactory, UserFactory, complete_answers, step_post_data

pytestmark = pytest.mark.django_db

FORM_STEPS = ["background", "exams", "experience", "goals"]


def the_draft() -> AssessmentDraft:
    return AssessmentDraft.objects.get()


def assert_record_is_true(draft: AssessmentDraft) -> None:
    """The record says what validating every step's form says."""
    assert draft.progress == progress_record(draft.answers)


def test_each_saved_step_records_the_steps_its_answers_complete(client, walk):
    for upto in FORM_STEPS:
        walk(client, upto=upto)
        draft = the_draft()
        assert_record_is_true(draft)
        assert draft.progress["completed"] == FORM_STEPS[: FORM_STEPS.index(upto) + 1]
    # The answers stay exactly what the user gave: the record is kept apart.
    assert "progress" not in the_draft().answers and "completed" not in the_draft().answers


def test_an_answer_that_breaks_another_step_marks_it_incomplete(client, walk):
    planned = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    not_taken = {"step2ck_taken": "no", "step2ck_planned_date": planned}
    walk(client, upto="goals", exams=not_taken)
    assert the_draft().progress["completed"] == FORM_STEPS

    # ECFMG certification needs Step 2 CK passed: the saved exams answers no longer hold.
    response = client.post(
        step_url("background"),
        {
            "country": "India",
            "graduation_year": str(dt.date.today().year - 3),
            "visa": "j1",
            "ecfmg_certified": "yes",
            "oet": "yes",
        },
    )

    assert response.status_code == 302
    draft = the_draft()
    assert_record_is_true(draft)
    assert draft.progress["completed"] == ["background", "experience", "goals"]
    assert client.get(step_url("review"))["Location"] == step_url("exams")
    html = client.get(step_url("exams")).content.decode()
    assert "You said you are ECFMG certified" in html


def test_a_draft_saved_without_a_record_gets_one_on_its_first_visit(client):
    user = UserFactory()
    draft = DraftFactory(owner=user, progress={})
    updated_at = AssessmentDraft.objects.get().updated_at
    client.force_login(user)

    with CaptureQueriesContext(connection) as first:
        assert client.get(step_url("exams")).status_code == 200
    with CaptureQueriesContext(connection) as second:
        html = client.get(step_url("exams")).content.decode()

    draft = the_draft()
    assert_record_is_true(draft)
    assert html.count("(done)") == len(FORM_STEPS)
    # One write on the first visit only; the draft keeps its place in "latest draft" order.
    assert sum(q["sql"].startswith("UPDATE") for q in first.captured_queries) == 1
    assert not any(q["sql"].startswith("UPDATE") for q in second.captured_queries)
    assert draft.updated_at == updated_at


def test_a_record_made_for_other_answers_is_not_trusted(client):
    user = UserFactory()
    answers = complete_answers()
    draft = DraftFactory(owner=user, answers=answers)
    assert draft.progress["completed"] == FORM_STEPS
    # Changed behind the wizard's back (the admin, a script): the record is stale.
    answers["sloes"] = 11
    AssessmentDraft.objects.filter(pk=draft.pk).update(answers=answers)
    client.force_login(user)

    assert client.get(step_url("review"))["Location"] == step_url("experience")
    assert the_draft().progress["completed"] == ["background", "exams", "goals"]


def test_a_record_from_another_day_is_checked_again(client):
    user = UserFactory()
    answers = complete_answers()
    # Yesterday the draft was complete; stale since (e.g. a season closed): a made-up
    # record that says so must not be trusted today.
    stale = {**progress_record(answers), "completed": FORM_STEPS}
    answers["application_year"] = dt.date.today().year - 3
    stale["answers"] = progress_record(answers)["answers"]
    stale["on"] = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    DraftFactory(owner=user, answers=answers, progress=stale)
    client.force_login(user)

    assert client.get(step_url("review"))["Location"] == step_url("goals")
    assert_record_is_true(the_draft())


@pytest.mark.parametrize("record", [[], "junk", {"on": 3, "completed": "all"}, {"answers": None}])
def test_a_garbled_record_is_ignored(client, record):
    user = UserFactory()
    DraftFactory(owner=user, progress=record)
    client.force_login(user)

    assert client.get(step_url("review")).status_code == 200
    assert_record_is_true(the_draft())


def test_a_step_post_reads_the_draft_once_under_a_lock(client, walk):
    walk(client, upto="experience")
    data = step_post_data("experience", usce_hands_on_months="4")  # one answer changed

    with CaptureQueriesContext(connection) as context:
        assert client.post(step_url("experience"), data).status_code == 302

    draft_reads = [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].startswith("SELECT") and "assessmentdraft" in q["sql"]
    ]
    assert len(draft_reads) == 1
    if connection.features.has_select_for_update:
        assert draft_reads[0].rstrip().endswith("FOR UPDATE")
    assert the_draft().answers["usce_hands_on_months"] == 4


def test_a_field_check_takes_no_lock(client, walk):
    walk(client, upto="experience")

    with CaptureQueriesContext(connection) as context:
        response = client.post(
            step_url("experience"), {"sloes": "1", "_validate": "sloes"}, HTTP_HX_REQUEST="true"
        )

    assert response.status_code == 200
    assert not any("FOR UPDATE" in q["sql"] for q in context.captured_queries)


@pytest.mark.parametrize("advisor", [True, False])
def test_the_navigation_asks_about_the_advisor_group_once(client, advisor):
    from django.contrib.auth.models import Group

    from accounts.models import ADVISORS_GROUP

    user = UserFactory()
    if advisor:
        user.groups.add(Group.objects.get_or_create(name=ADVISORS_GROUP)[0])
    DraftFactory(owner=user)
    client.force_login(user)

    with CaptureQueriesContext(connection) as context:
        html = client.get(step_url("exams")).content.decode()

    assert ("Advisor dashboard" in html) is advisor
    # One query asks about the group (User.is_advisor is cached on the request's user).
    group_queries = [q["sql"] for q in context.captured_queries if "auth_group" in q["sql"]]
    assert len(group_queries) == 1
    # Without a draft, the same.
    AssessmentDraft.objects.all().delete()
    with CaptureQueriesContext(connection) as context:
        html = client.get(step_url("background")).content.decode()
    assert ("Advisor dashboard" in html) is advisor
    group_queries = [q["sql"] for q in context.captured_queries if "auth_group" in q["sql"]]
    assert len(group_queries) == 1


def test_the_review_checks_the_record_against_the_saved_forms(client, walk):
    from programs.models import Specialty

    walk(client, upto="experience")
    Specialty.objects.create(code="DERM", name="Dermatology")
    walk(client, upto="goals", goals={"specialty": "DERM", "backup_specialties": []})
    assert the_draft().progress["completed"] == FORM_STEPS
    # The specialty leaves the catalog after the goals were saved: the record still says
    # the goals are done, the review finds out and sends the user there.
    Specialty.objects.filter(code="DERM").delete()

    assert client.get(step_url("review"))["Location"] == step_url("goals")
    assert client.post(step_url("review"))["Location"] == step_url("goals")
    assert the_draft().progress["completed"] == ["background", "exams", "experience"]
    assert_record_is_true(the_draft())


def test_the_goals_step_checks_the_record_against_its_saved_form(client, walk):
    from programs.models import Specialty

    walk(client, upto="experience")
    Specialty.objects.create(code="DERM", name="Dermatology")
    walk(client, upto="goals", goals={"specialty": "DERM", "backup_specialties": []})
    assert the_draft().progress["completed"] == FORM_STEPS
    # The specialty leaves the catalog: the record (keyed on the answers, not the catalog)
    # still says the goals are done; the goals step's own GET finds out and corrects it.
    Specialty.objects.filter(code="DERM").delete()

    assert client.get(step_url("goals")).status_code == 200
    assert the_draft().progress["completed"] == ["background", "exams", "experience"]
    assert_record_is_true(the_draft())
    # The next request trusts the corrected record: the review is closed.
    assert client.get(step_url("review"))["Location"] == step_url("goals")


def test_a_save_moves_the_draft_to_the_front_and_stores_what_the_flow_holds(client, walk):
    walk(client, upto="exams")
    before = the_draft().updated_at

    walk(client, upto="experience")

    draft = the_draft()
    assert draft.updated_at > before
    assert draft.answers["us_letters"] == 3 and draft.answers["usce_months"] == 4
    assert draft.progress["completed"] == ["background", "exams", "experience"]
