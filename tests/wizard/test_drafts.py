"""Resume, ownership, and the move of anonymous work to an account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from assessments.drafts import (
    SESSION_DRAFT_KEY,
    SESSION_PLAN_TOKENS_KEY,
    anonymous_work_claim,
    draft_profile_data,
)
from assessments.models import AssessmentDraft, Plan
from assessments.profile import parse_profile
from tests.accounts.helpers import signup_and_confirm
from tests.factories import PASSWORD, DraftFactory, EmptyPlanFactory, UserFactory, complete_answers
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db


def login(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


def signup(client, email="new@example.org", next_url=""):
    response = signup_and_confirm(client, email, next_url=next_url)
    assert response.status_code == 302
    return response


def add_anonymous_plan(client) -> Plan:
    plan = EmptyPlanFactory(owner=None)
    session = client.session
    session[SESSION_PLAN_TOKENS_KEY] = [*session.get(SESSION_PLAN_TOKENS_KEY, []), str(plan.token)]
    session.save()
    return plan


def test_resume_after_logout_and_login(client, walk):
    user = UserFactory()
    login(client, user)
    walk(client, upto="exams")
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("background")

    login(client, user)

    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("experience")
    assert 'value="240"' in client.get(step_url("exams")).content.decode()


def test_a_logged_in_user_resumes_their_latest_draft():
    user = UserFactory()
    DraftFactory(owner=user, answers={"country": "old"})
    latest = DraftFactory(owner=user)
    from assessments.drafts import draft_for_user

    assert draft_for_user(user=user) == latest


def test_anonymous_draft_and_plan_move_to_a_new_account_on_signup(client, walk):
    walk(client, upto="goals")
    draft = AssessmentDraft.objects.get()
    plan = add_anonymous_plan(client)

    signup(client, next_url=step_url("review"))

    user = draft.__class__.objects.get(pk=draft.pk).owner
    assert user is not None and user.email == "new@example.org"
    draft.refresh_from_db()
    assert draft.answers["specialty"] == "EM"  # nothing lost
    plan.refresh_from_db()
    assert plan.owner == user
    assert SESSION_DRAFT_KEY not in client.session
    assert SESSION_PLAN_TOKENS_KEY not in client.session
    # the wizard carries on where the visitor was
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("review")


def test_anonymous_draft_and_plan_move_to_an_account_without_a_draft_on_login(client, walk):
    user = UserFactory()
    walk(client, upto="exams")
    draft = AssessmentDraft.objects.get(owner__isnull=True)
    plan = add_anonymous_plan(client)

    response = login(client, user)

    assert response["Location"] == reverse("assessments:plan_list")
    draft.refresh_from_db()
    plan.refresh_from_db()
    assert draft.owner == user and plan.owner == user
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("experience")


def _log_in_with_two_drafts(client, walk, user):
    walk(client, upto="exams")
    anonymous = AssessmentDraft.objects.get(owner__isnull=True)
    plan = add_anonymous_plan(client)
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": PASSWORD, "next": "/plans/"},
    )
    return anonymous, plan, response


def test_login_asks_which_answers_to_keep_when_the_account_has_other_answers(client, walk):
    user = UserFactory()
    saved = DraftFactory(owner=user)  # complete, Step 2 CK 240 ... like the walk, but not equal
    saved.answers = {**saved.answers, "step2ck": {**saved.answers["step2ck"], "score": 244}}
    saved.save()

    anonymous, plan, response = _log_in_with_two_drafts(client, walk, user)

    choice_url = reverse("assessments:draft_choice")
    assert response["Location"] == f"{choice_url}?next=%2Fplans%2F"
    # nothing replaced yet: the saved draft is still the account's, the new one still waits
    anonymous.refresh_from_db()
    assert anonymous.owner is None
    assert AssessmentDraft.objects.filter(owner=user).get() == saved
    plan.refresh_from_db()
    assert plan.owner == user  # plans are separate rows: they always move
    page = client.get(response["Location"]).content.decode()
    assert "Keep my saved answers" in page and "Use the answers I just gave" in page
    assert "244" in page and "240" in page
    # until the user chooses, the wizard shows the account's saved answers, and says so
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("review")
    review = client.get(step_url("review")).content.decode()
    assert "Choose which answers to keep" in review and choice_url in review


def test_the_choice_page_tells_an_unanswered_step_from_an_answer(client, walk):
    # The answers just given stop at the exams step, Step 2 CK not taken yet; the account's
    # have no backups. The page said "None" backups for the unanswered goals step and
    # "Not given" for a Step 2 CK that was answered "not yet".
    user = UserFactory()
    DraftFactory(owner=user, answers={**complete_answers(), "backup_specialties": []})
    walk(
        client,
        upto="exams",
        exams={
            "step2ck_taken": "no",
            "step2ck_planned_date": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
        },
    )
    response = login(client, user)
    html = client.get(response["Location"]).content.decode()
    saved, new = html.split("Keep my saved answers", 1)

    def value(part, label):
        cell = part.split(f'<dt class="col-6">{label}</dt>', 1)[1]
        return cell.split("</dd>", 1)[0].split(">", 1)[1].strip()

    assert value(saved, "Backup specialties") == "None"
    assert value(new, "Backup specialties") == "Not given"
    assert value(new, "Step 2 CK score") == "Not taken yet"


def test_choosing_the_answers_just_given_makes_them_the_accounts(client, walk):
    user = UserFactory()
    saved = DraftFactory(owner=user, answers={"country": "Saved country"})
    anonymous, _plan, _response = _log_in_with_two_drafts(client, walk, user)

    response = client.post(reverse("assessments:draft_choice"), {"keep": "new", "next": "/plans/"})

    assert response["Location"] == "/plans/"
    anonymous.refresh_from_db()
    assert anonymous.owner == user
    assert not AssessmentDraft.objects.filter(pk=saved.pk).exists()
    assert SESSION_DRAFT_KEY not in client.session
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("experience")


def test_keeping_the_saved_answers_deletes_the_ones_just_given(client, walk):
    user = UserFactory()
    saved = DraftFactory(owner=user, answers={"country": "Saved country"})
    anonymous, _plan, _response = _log_in_with_two_drafts(client, walk, user)

    client.post(reverse("assessments:draft_choice"), {"keep": "saved"})

    assert not AssessmentDraft.objects.filter(pk=anonymous.pk).exists()
    assert list(AssessmentDraft.objects.filter(owner=user)) == [saved]
    assert client.get(reverse("assessments:draft_choice"))["Location"] == reverse(
        "assessments:wizard"
    )  # nothing pending any more


def test_the_choice_page_without_a_choice_changes_nothing(client, walk):
    user = UserFactory()
    saved = DraftFactory(owner=user, answers={"country": "Saved country"})
    anonymous, _plan, _response = _log_in_with_two_drafts(client, walk, user)

    response = client.post(reverse("assessments:draft_choice"), {"keep": "both"})

    assert response.status_code == 200
    assert "Choose one of the two buttons." in response.content.decode()
    anonymous.refresh_from_db()
    assert anonymous.owner is None
    assert AssessmentDraft.objects.filter(pk=saved.pk, owner=user).exists()


def test_the_same_answers_need_no_choice(client, walk):
    user = UserFactory()
    walk(client, upto="exams")
    anonymous = AssessmentDraft.objects.get(owner__isnull=True)
    saved = DraftFactory(owner=user, answers=dict(anonymous.answers))

    response = login(client, user)

    assert response["Location"] == reverse("assessments:plan_list")
    assert list(AssessmentDraft.objects.all()) == [saved]


def test_anonymous_users_are_sent_to_log_in_from_the_choice_page(client):
    response = client.get(reverse("assessments:draft_choice"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_empty_anonymous_draft_does_not_hide_the_accounts_draft(client):
    user = UserFactory()
    mine = DraftFactory(owner=user)
    empty = AssessmentDraft.objects.create(answers={})
    session = client.session
    session[SESSION_DRAFT_KEY] = str(empty.token)
    session.save()

    login(client, user)

    assert not AssessmentDraft.objects.filter(pk=empty.pk).exists()
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("review")
    assert list(AssessmentDraft.objects.filter(owner=user)) == [mine]


def test_another_users_draft_is_never_shown_through_a_session_token(client):
    other = DraftFactory(owner=UserFactory(), answers={**complete_answers(), "country": "Secret"})
    session = client.session
    session[SESSION_DRAFT_KEY] = str(other.token)
    session.save()

    response = client.get(reverse("assessments:wizard"))
    assert response["Location"] == step_url("background")
    assert "Secret" not in client.get(step_url("background")).content.decode()
    assert client.get(step_url("review"))["Location"] == step_url("background")


def test_claiming_never_takes_another_users_draft_or_plan(client):
    victim = UserFactory()
    draft = DraftFactory(owner=victim)
    plan = EmptyPlanFactory(owner=victim)
    session = client.session
    session[SESSION_DRAFT_KEY] = str(draft.token)
    session[SESSION_PLAN_TOKENS_KEY] = [str(plan.token), "not-a-uuid"]
    session.save()

    intruder = UserFactory()
    login(client, intruder)

    draft.refresh_from_db()
    plan.refresh_from_db()
    assert draft.owner == victim and plan.owner == victim


def test_a_garbled_session_does_not_crash_the_claim():
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_DRAFT_KEY] = "garbage"
    session[SESSION_PLAN_TOKENS_KEY] = "not a list"
    result = anonymous_work_claim(request_session=session, user=UserFactory())
    assert result.draft is None and result.plan_count == 0


def test_draft_profile_data_is_exactly_the_engines_input():
    draft = DraftFactory()
    data = draft_profile_data(draft)
    for wizard_only in (
        "country",
        "oet",
        "usce_hands_on_months",
        "specialty_months",
    ):
        assert wizard_only not in data
    # The engine reads the observership months too: they are not hands-on experience.
    assert "observership_months" in data
    assert data["oet_passed"] is True
    profile = parse_profile(data)  # unknown keys would raise ProfileError
    assert profile.specialty == "EM"
    assert profile.usce_months == 4
    assert profile.backup_specialties == ("IM",)


def test_a_wizard_walk_produces_a_profile_the_engine_accepts(client, walk):
    walk(client)
    profile = parse_profile(draft_profile_data(AssessmentDraft.objects.get()))
    assert profile.step2ck.score == 240
    assert profile.preferred_states == ("NY", "TX")
