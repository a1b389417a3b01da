from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import register_user_data_exporter, user_export_data
from advising.models import PlanComment
from assessments.models import AssessmentDraft, Plan
from tests.factories import (
    PASSWORD,
    AdvisorFactory,
    CommentFactory,
    DraftFactory,
    EmptyPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_account_page_shows_email_and_links(client):
    user = UserFactory(email="jane@example.org")
    EmptyPlanFactory(owner=user)
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    html = response.content.decode()
    assert "jane@example.org" in html
    assert reverse("assessments:plan_list") in html
    assert reverse("accounts:export") in html
    assert reverse("accounts:delete") in html
    assert "You have 1 saved plan." in html
    # what the export holds: the season tracker and advising are in it too
    assert "your seasons' applications and rank lists" in html


def test_the_account_page_sets_and_clears_the_name_advisors_see(client):
    user = UserFactory(email="jane@example.org", full_name="")
    client.force_login(user)
    assert 'name="full_name"' in client.get(reverse("accounts:home")).content.decode()

    response = client.post(reverse("accounts:name"), {"full_name": "  Jane   Doe "}, follow=True)
    assert "Your name is saved." in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Jane Doe" and str(user) == "Jane Doe"

    client.post(reverse("accounts:name"), {"full_name": ""})
    user.refresh_from_db()
    assert user.full_name == "" and str(user) == "jane@example.org"


def test_a_name_too_long_is_a_field_error_and_changes_nothing(client):
    user = UserFactory(full_name="Jane Doe")
    client.force_login(user)
    response = client.post(reverse("accounts:name"), {"full_name": "x" * 151})
    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Jane Doe"


def test_the_name_form_takes_posts_only_from_a_logged_in_user(client):
    assert client.post(reverse("accounts:name"), {"full_name": "X"}).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:name")).status_code == 405


def test_export_downloads_the_users_data_as_json(client):
    user = UserFactory(email="jane@example.org")
    draft = DraftFactory(owner=user)
    plan = EmptyPlanFactory(
        owner=user, specialty_code="IM", specialty_name="Internal Medicine", tier="risk"
    )
    other = UserFactory()
    DraftFactory(owner=other)
    EmptyPlanFactory(owner=other)
    client.force_login(user)

    response = client.get(reverse("accounts:export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="matchplan-data-')
    data = json.loads(response.content)
    assert data["export_format"] == "matchplan.user-data.v1"
    assert data["user"]["email"] == "jane@example.org"
    assert "password" not in json.dumps(data["user"])
    assert [d["token"] for d in data["drafts"]] == [str(draft.token)]
    assert data["drafts"][0]["answers"]["specialty"] == "EM"
    assert [p["token"] for p in data["plans"]] == [str(plan.token)]
    assert data["plans"][0]["tier"] == "risk"
    assert data["plans"][0]["specialty_name"] == "Internal Medicine"
    # drafts and plans are not exported a second time by the generic fallback
    assert "assessments.AssessmentDraft" not in data["other"]
    assert "assessments.Plan" not in data["other"]


def test_export_needs_login(client):
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 302


def test_a_registered_exporter_adds_its_key():
    user = UserFactory()
    register_user_data_exporter("test_extra", lambda u: {"email_again": u.email})
    try:
        data = user_export_data(user=user)
    finally:
        from accounts import services

        services._exporters.pop("test_extra", None)
    assert data["test_extra"] == {"email_again": user.email}


def test_delete_page_asks_for_the_password_and_lists_what_goes(client):
    user = UserFactory()
    DraftFactory(owner=user)
    EmptyPlanFactory.create_batch(2, owner=user)
    client.force_login(user)
    html = client.get(reverse("accounts:delete")).content.decode()
    assert "Your password" in html
    assert "2 plans" in html


def test_an_advisors_delete_page_says_their_comments_stay_without_their_name(client):
    advisor = AdvisorFactory()
    CommentFactory.create_batch(2, plan=EmptyPlanFactory(owner=UserFactory()), author=advisor)
    client.force_login(advisor)
    html = client.get(reverse("accounts:delete")).content.decode()
    assert "Kept without your name" in html
    assert "2 plan comments you wrote" in html

    client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert list(PlanComment.objects.values_list("author", flat=True)) == [None, None]


def test_an_applicants_delete_page_lists_nothing_kept(client):
    user = UserFactory()
    EmptyPlanFactory(owner=user)
    client.force_login(user)
    assert "Kept without your name" not in client.get(reverse("accounts:delete")).content.decode()


def test_delete_with_a_wrong_password_keeps_everything(client):
    user = UserFactory()
    DraftFactory(owner=user)
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": "not-it"})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert AssessmentDraft.objects.filter(owner=user).exists()


def test_delete_removes_the_user_drafts_and_plans_and_logs_out(client):
    user = UserFactory()
    DraftFactory(owner=user)
    EmptyPlanFactory.create_batch(2, owner=user)
    keeper = UserFactory()
    EmptyPlanFactory(owner=keeper)
    client.force_login(user)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:home")
    assert not User.objects.filter(pk=user.pk).exists()
    assert not AssessmentDraft.objects.filter(owner_id=user.pk).exists()
    assert list(Plan.objects.values_list("owner_id", flat=True)) == [keeper.pk]
    assert client.get(reverse("accounts:home")).status_code == 302
