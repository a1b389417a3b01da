from __future__ import annotations

import json

import pytest
from django.urls import reverse

from advising.models import AdvisorAssignment
from tests.advising.conftest import World, client_for
from tests.factories import CommentFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_admin_assigns_an_applicant_to_an_advisor_and_is_recorded_as_assigner(world: World) -> None:
    client = client_for(world.staff)

    response = client.post(
        reverse("admin:advising_advisorassignment_add"),
        {"advisor": world.advisor_unrelated.pk, "applicant": world.applicant_a.pk},
    )

    assert response.status_code == 302
    assignment = AdvisorAssignment.objects.get(
        advisor=world.advisor_unrelated, applicant=world.applicant_a
    )
    assert assignment.assigned_by == world.staff


def test_admin_cannot_assign_someone_outside_the_advisors_group(world: World) -> None:
    response = client_for(world.staff).post(
        reverse("admin:advising_advisorassignment_add"),
        {"advisor": world.applicant_b.pk, "applicant": world.applicant_a.pk},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AdvisorAssignment.objects.filter(advisor=world.applicant_b).exists()


def test_advisor_autocomplete_offers_only_advisors(world: World) -> None:
    response = client_for(world.staff).get(
        reverse("admin:autocomplete"),
        {
            "app_label": "advising",
            "model_name": "advisorassignment",
            "field_name": "advisor",
            "term": "example.org",
        },
    )

    emails = {item["text"] for item in json.loads(response.content)["results"]}
    assert {"Ada Assigned", "Sam Shared", "Uma Unrelated"} == emails


def test_assignment_list_shows_both_people(world: World) -> None:
    html = (
        client_for(world.staff)
        .get(reverse("admin:advising_advisorassignment_changelist"))
        .content.decode()
    )
    assert "assigned@example.org" in html and "a@example.org" in html


@pytest.mark.parametrize("model", ["plancomment", "planreview", "share", "plan"])
def test_plans_comments_and_reviews_are_read_only_in_admin(world: World, model: str) -> None:
    comment = CommentFactory(plan=world.plan_a, author=world.advisor_assigned)
    review = ReviewFactory(plan=world.plan_a, reviewer=world.advisor_assigned)
    app = "assessments" if model == "plan" else "advising"
    obj = {
        "plancomment": comment,
        "planreview": review,
        "share": world.share,
        "plan": world.plan_a,
    }[model]
    client = client_for(world.staff)

    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    change = client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403
    assert (
        client.post(
            reverse(f"admin:{app}_{model}_delete", args=[obj.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    type(obj).objects.get(pk=obj.pk)  # still there


def test_applicants_and_advisors_cannot_open_admin(world: World) -> None:
    for user in (world.applicant_a, world.advisor_assigned):
        response = client_for(user).get(reverse("admin:advising_plancomment_changelist"))
        assert response.status_code == 302
