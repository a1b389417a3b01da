"""Who may open the explorer: the draft's explorer shows the requester's own draft (an
account without one is sent to its latest plan's explorer, anyone else to the wizard); a
plan's explorer follows the plan page's rule (its owner, or the anonymous session that made
it; others 404, anonymous visitors to log in)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    DraftFactory,
    ShareFactory,
    UserFactory,
    make_plan,
    step_post_data,
)
from tests.fuzz.strategies import logged_in, new_client

pytestmark = pytest.mark.django_db


def anonymous_with_draft() -> Client:
    client = new_client()
    for step in ("background", "exams", "experience", "goals"):
        assert client.post(f"/assessment/{step}/", step_post_data(step)).status_code == 302
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    applicant = UserFactory()
    DraftFactory(owner=applicant)
    plan = make_plan(applicant)
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=applicant)
    sharing = AdvisorFactory()
    ShareFactory(applicant=applicant, advisor=sharing)
    other = UserFactory()
    DraftFactory(owner=other)
    anonymous = anonymous_with_draft()
    anonymous_plan_client = new_client()
    anonymous_plan = make_plan(None)
    session = anonymous_plan_client.session
    session["plan_tokens"] = [str(anonymous_plan.token)]
    session.save()
    return {
        "plan": plan,
        "anonymous_plan": anonymous_plan,
        "clients": {
            "anonymous": new_client(),
            "anonymous_with_draft": anonymous,
            "anonymous_with_plan": anonymous_plan_client,
            "applicant": logged_in(applicant),
            "advisor_assigned": logged_in(advisor),
            "advisor_shared": logged_in(sharing),
            "other_user": logged_in(other),
        },
    }


DRAFT_EXPLORER = {
    "anonymous": 302,  # to the wizard: nothing to explore yet
    "anonymous_with_draft": 200,
    "anonymous_with_plan": 302,
    "applicant": 200,
    "advisor_assigned": 302,  # advisors have no draft; they never see the applicant's
    "advisor_shared": 302,
    "other_user": 200,  # their own draft
}
PLAN_EXPLORER = {
    "anonymous": 302,  # to log in
    "anonymous_with_draft": 302,
    "anonymous_with_plan": 302,  # a session token opens only its own plans
    "applicant": 200,
    "advisor_assigned": 404,  # as on the plan page: advisors read plans in their review page
    "advisor_shared": 404,
    "other_user": 404,
}
ANONYMOUS_PLAN_EXPLORER = dict.fromkeys(PLAN_EXPLORER, 404) | {
    "anonymous": 302,
    "anonymous_with_draft": 302,
    "anonymous_with_plan": 200,
}


@pytest.mark.parametrize("role", list(DRAFT_EXPLORER))
def test_the_draft_explorer(world: dict[str, Any], role: str) -> None:
    client = world["clients"][role]
    for url in ("/explore/", "/explore/compare/?a=IM&b=FM"):
        response = client.get(url)
        assert response.status_code == DRAFT_EXPLORER[role], (url, role)
        if response.status_code == 302:
            assert response["Location"] == "/assessment/"


@pytest.mark.parametrize("role", list(PLAN_EXPLORER))
@pytest.mark.parametrize("which", ["plan", "anonymous_plan"])
def test_a_plans_explorer(world: dict[str, Any], role: str, which: str) -> None:
    token = world[which].token
    expected = (PLAN_EXPLORER if which == "plan" else ANONYMOUS_PLAN_EXPLORER)[role]
    for name in ("assessments:plan_explorer", "assessments:plan_explorer_compare"):
        response = world["clients"][role].get(reverse(name, args=[token]))
        assert response.status_code == expected, (name, role)
        if expected == 302:
            assert response["Location"].startswith(reverse("accounts:login"))


def test_an_account_without_a_draft_explores_its_latest_plan() -> None:
    applicant = UserFactory()
    make_plan(applicant)
    latest = make_plan(applicant)
    client = logged_in(applicant)

    page = client.get("/explore/?sort=programs")
    compare = client.get("/explore/compare/?a=IM&b=FM")

    assert page.status_code == 302
    assert page["Location"] == (
        reverse("assessments:plan_explorer", args=[latest.token]) + "?sort=programs"
    )
    assert compare["Location"] == (
        reverse("assessments:plan_explorer_compare", args=[latest.token]) + "?a=IM&b=FM"
    )
    assert client.get(page["Location"]).status_code == 200


def test_nothing_to_explore_sends_to_the_wizard_and_says_why() -> None:
    response = logged_in(UserFactory()).get("/explore/", follow=True)

    assert response.redirect_chain[0] == ("/assessment/", 302)
    assert "The explorer places your answers in every specialty" in response.content.decode()


def test_the_draft_explorer_shows_the_requesters_own_draft(world: dict[str, Any]) -> None:
    html = world["clients"]["other_user"].get("/explore/").content.decode()
    mine = world["clients"]["applicant"].get("/explore/").content.decode()

    # Both drafts have the factory's answers; what differs is whose session asks.
    assert "your primary" in html and "your primary" in mine


def test_a_pick_changes_only_the_requesters_draft(world: dict[str, Any]) -> None:
    from assessments.models import AssessmentDraft

    before = {d.pk: d.answers for d in AssessmentDraft.objects.all()}
    client = world["clients"]["other_user"]
    client.post(reverse("assessments:explorer_pick"), {"pick": "PEDS:primary"})

    changed = [
        pk
        for pk, answers in before.items()
        if AssessmentDraft.objects.get(pk=pk).answers != answers
    ]
    assert len(changed) == 1
    assert AssessmentDraft.objects.get(pk=changed[0]).owner is not None
    assert AssessmentDraft.objects.get(pk=changed[0]).answers["specialty"] == "PEDS"


def test_the_owner_of_a_plan_gets_the_pick_buttons(world: dict[str, Any]) -> None:
    owner = world["clients"]["applicant"].get(
        reverse("assessments:plan_explorer", args=[world["plan"].token])
    )
    assert "explorer_pick" not in owner.content.decode()  # the url name never leaks
    assert 'action="/explore/pick/"' in owner.content.decode()
