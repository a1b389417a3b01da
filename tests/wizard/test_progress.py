"""Which steps are complete: a step is complete when its form, bound to the saved answers,
is valid today, checked on every request (nothing recorded beside the answers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import AssessmentDraft
from tests.factories import DraftFactory, UserFactory, complete_answers, step_post_data
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db

FORM_STEPS = ["background", "exams", "experience", "goals"]


def the_draft() -> AssessmentDraft:
    return AssessmentDraft.objects.get()


def test_each_saved_step_opens_the_next_and_only_the_next(client, walk):
    for index, upto in enumerate(FORM_STEPS[:-1]):
        walk(client, upto=upto)
        html = client.get(step_url(upto)).content.decode()
        assert html.count("(done)") == index + 1
        following = FORM_STEPS[index + 1 :] + ["review"]
        # a jump ahead lands on the first incomplete step
        assert client.get(step_url(following[-1]))["Location"] == step_url(following[0])
    # The answers stay exactly what the user gave.
    assert "progress" not in the_draft().answers and "completed" not in the_draft().answers


def test_an_answer_that_breaks_another_step_marks_it_incomplete(client, walk):
    planned = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    not_taken = {"step2ck_taken": "no", "step2ck_planned_date": planned}
    walk(client, upto="goals", exams=not_taken)
    assert client.get(step_url("review")).status_code == 200

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
    assert client.get(step_url("review"))["Location"] == step_url("exams")
    html = client.get(step_url("exams")).content.decode()
    assert "You said you are ECFMG certified" in html


def test_answers_changed_behind_the_wizards_back_are_checked_again(client):
    user = UserFactory()
    answers = complete_answers()
    draft = DraftFactory(owner=user, answers=answers)
    client.force_login(user)
    assert client.get(step_url("review")).status_code == 200
    # Changed by the admin or a script: the next request sees it.
    answers["sloes"] = 11
    AssessmentDraft.objects.filter(pk=draft.pk).update(answers=answers)

    assert client.get(step_url("review"))["Location"] == step_url("experience")


def test_answers_that_time_made_stale_are_incomplete_today(client):
    user = UserFactory()
    answers = complete_answers()
    answers["application_year"] = dt.date.today().year - 3  # a season that has closed
    DraftFactory(owner=user, answers=answers)
    client.force_login(user)

    assert client.get(step_url("review"))["Location"] == step_url("goals")


@pytest.mark.parametrize("answers", [[], "junk", {"country": 3}])
def test_garbled_answers_start_the_wizard_again(client, answers):
    user = UserFactory()
    DraftFactory(owner=user, answers=answers)
    client.force_login(user)

    assert client.get(step_url("review"))["Location"] == step_url("background")


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

    assert ('title="Advisor dashboard">Advising</a>' in html) is advisor
    # One query asks about the group (User.is_advisor is cached on the request's user).
    group_queries = [q["sql"] for q in context.captured_queries if "auth_group" in q["sql"]]
    assert len(group_queries) == 1
    # Without a draft, the same.
    AssessmentDraft.objects.all().delete()
    with CaptureQueriesContext(connection) as context:
        html = client.get(step_url("background")).content.decode()
    assert ('title="Advisor dashboard">Advising</a>' in html) is advisor
    group_queries = [q["sql"] for q in context.captured_queries if "auth_group" in q["sql"]]
    assert len(group_queries) == 1


def test_a_specialty_removed_from_the_catalog_reopens_the_goals_step(client, walk):
    from programs.models import Specialty

    walk(client, upto="experience")
    Specialty.objects.create(code="DERM", name="Dermatology")
    walk(client, upto="goals", goals={"specialty": "DERM", "backup_specialties": []})
    assert client.get(step_url("review")).status_code == 200

    Specialty.objects.filter(code="DERM").delete()

    assert client.get(step_url("review"))["Location"] == step_url("goals")
    assert client.post(step_url("review"))["Location"] == step_url("goals")
    assert client.get(step_url("goals")).status_code == 200


def test_a_save_moves_the_draft_to_the_front_and_stores_the_answers(client, walk):
    walk(client, upto="exams")
    before = the_draft().updated_at

    walk(client, upto="experience")

    draft = the_draft()
    assert draft.updated_at > before
    assert draft.answers["us_letters"] == 3 and draft.answers["usce_months"] == 4


def test_a_page_with_answers_seen_before_validates_only_the_form_it_shows(
    client, walk, monkeypatch
):
    from assessments.wizard import FormStep

    walk(client, upto="goals")
    assert client.get(step_url("exams")).status_code == 200  # decides the progress once
    built: list[str] = []
    real = FormStep.saved_form

    def saved_form(self, *args, **kwargs):
        built.append(self.name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FormStep, "saved_form", saved_form)
    html = client.get(step_url("experience")).content.decode()

    assert html.count("(done)") == 4
    assert built == ["experience"]  # the form on the page; the progress came from the cache


def test_the_progress_is_kept_per_answers_and_day(rf):
    from assessments.wizard import WizardFlow

    user = UserFactory()
    draft = DraftFactory(owner=user, answers=complete_answers())
    request = rf.get("/")
    request.user = user
    today = dt.date.today()

    def key(day: dt.date) -> str:
        return WizardFlow(request, today=day).progress_key

    assert key(today) == key(today)
    assert key(today) != key(today + dt.timedelta(days=1))
    before = key(today)
    draft.answers = {**draft.answers, "sloes": 2}
    draft.save()
    assert key(today) != before
