"""The review step's "Generate my plan": a stored plan, for the account or the session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.drafts import SESSION_PLAN_TOKENS_KEY
from assessments.models import Plan
from tests.accounts.helpers import signup_and_confirm
from tests.factories import DraftFactory, UserFactory, complete_answers
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_review_lists_every_answer_with_change_links(client, walk):
    walk(client)
    response = client.get(step_url("review"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Step 5 of 5" in html
    for label, value in [
        ("Country of your medical school", "India"),
        ("Step 2 CK score", "240"),
        ("Hands-on US clinical experience (months)", "3"),
        ("Primary specialty", "Emergency Medicine"),
        ("Backup specialties (optional)", "Internal Medicine"),
        ("Preferred states (optional)", "New York, Texas"),
        ("Budget for application fees, in US dollars (optional)", "$1,500"),
    ]:
        assert f"<dt>{label}</dt>" in html
        assert f"<dd>{value}</dd>" in html
    for step in ("background", "exams", "experience", "goals"):
        assert f'href="{step_url(step)}?return=review"' in html
    assert f'href="{step_url("exams")}?return=review#id_step2ck_score"' in html
    assert 'Change<span class="visually-hidden"> step 2 ck score</span>' in html
    assert 'Change<span class="visually-hidden"> your usmle exams</span>' in html
    assert "Generate my plan" in html


def test_review_as_htmx_partial(client, walk):
    walk(client)
    html = client.get(step_url("review"), **HX).content.decode()
    assert "<html" not in html
    assert "Generate my plan" in html


def test_generating_creates_a_plan_for_the_account_and_shows_it(client):
    user = UserFactory()
    DraftFactory(owner=user)
    client.force_login(user)

    response = client.post(step_url("review"))

    plan = Plan.objects.get()
    assert plan.owner == user
    assert plan.specialty_code == "EM"
    assert plan.tier in {"strong", "viable", "risk", "high_risk"}
    assert plan.output["tier"] == plan.tier
    assert plan.profile["step2ck"]["score"] == 240
    assert "country" not in plan.profile  # the engine's input only
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:plan_detail", args=[plan.token])


def test_generating_with_htmx_redirects_the_whole_page(client):
    user = UserFactory()
    DraftFactory(owner=user)
    client.force_login(user)
    response = client.post(step_url("review"), **HX)
    plan = Plan.objects.get()
    assert response["HX-Redirect"] == reverse("assessments:plan_detail", args=[plan.token])


def test_an_anonymous_plan_is_kept_in_the_session_and_saved_on_signup(client, walk):
    walk(client)
    response = client.post(step_url("review"))
    plan = Plan.objects.get()
    assert plan.owner is None
    assert client.session[SESSION_PLAN_TOKENS_KEY] == [str(plan.token)]
    assert response["Location"] == reverse("assessments:plan_detail", args=[plan.token])

    signup_and_confirm(client, "later@example.org", next_url=response["Location"])

    plan.refresh_from_db()
    assert plan.owner.email == "later@example.org"


def test_unchanged_answers_link_to_the_existing_plan_instead_of_a_copy(client):
    user = UserFactory()
    DraftFactory(owner=user)
    client.force_login(user)
    first = client.post(step_url("review"))["Location"]

    response = client.post(step_url("review"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing changed" in html
    assert f'href="{first}"' in html
    assert Plan.objects.count() == 1
    # asked for explicitly, a new plan is made (with today's programs and rules)
    again = client.post(step_url("review"), {"again": "1"})
    assert again.status_code == 302
    assert Plan.objects.count() == 2


def test_changed_answers_make_a_new_plan(client):
    user = UserFactory()
    draft = DraftFactory(owner=user)
    client.force_login(user)
    client.post(step_url("review"))
    draft.answers = {**draft.answers, "us_letters": 4}
    draft.save()
    assert client.post(step_url("review")).status_code == 302
    assert Plan.objects.count() == 2


def test_an_anonymous_visitor_is_told_too(client, walk):
    walk(client)
    client.post(step_url("review"))
    html = client.post(step_url("review"), **HX).content.decode()
    assert "Nothing changed" in html
    assert Plan.objects.count() == 1


def test_another_user_cannot_open_the_plan(client):
    owner = UserFactory()
    DraftFactory(owner=owner)
    client.force_login(owner)
    location = client.post(step_url("review"))["Location"]
    client.post(reverse("accounts:logout"))
    assert client.get(location).status_code in (302, 404)  # anonymous: log in first
    client.force_login(UserFactory())
    assert client.get(location).status_code == 404  # another applicant


def test_an_anonymous_plan_is_not_open_to_another_session(client, walk):
    from django.test import Client

    walk(client)
    location = client.post(step_url("review"))["Location"]
    assert Client().get(location).status_code in (302, 404)


def test_the_review_cannot_generate_before_the_steps_are_done(client, walk):
    walk(client, upto="experience")
    response = client.post(step_url("review"))
    assert response["Location"] == step_url("goals")
    assert not Plan.objects.exists()


def test_a_stale_answer_sends_the_user_to_the_step_that_fixes_it(client):
    user = UserFactory()
    answers = complete_answers()
    answers["sloes"] = 11  # the form allows at most 10: say an older version saved 11
    answers["us_letters"] = 20
    DraftFactory(owner=user, answers=answers)
    client.force_login(user)
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("experience")


def test_engine_errors_are_shown_on_the_review_with_links(client, monkeypatch):
    from assessments import services
    from assessments.profile import ProfileError

    def reject(**kwargs):
        raise ProfileError({"step2ck.score": "Must be from 1 to 300; got 0."})

    monkeypatch.setattr(services, "plan_compute", reject)
    user = UserFactory()
    DraftFactory(owner=user)
    client.force_login(user)

    response = client.post(step_url("review"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Must be from 1 to 300; got 0." in html
    assert f'href="{step_url("exams")}?return=review"' in html
    assert not Plan.objects.exists()
