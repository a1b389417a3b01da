from __future__ import annotations

from typing import Any

import pytest

from advising.demo import DEMO_ADVISOR_EMAIL, DEMO_APPLICANT_EMAIL, ensure_demo_assignment
from advising.models import AdvisorAssignment
from advising.selectors import can_advise
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_assignment_makes_the_demo_advisor_advise_the_demo_applicant(db: Any) -> None:
    advisor = UserFactory(email=DEMO_ADVISOR_EMAIL)
    applicant = UserFactory(email=DEMO_APPLICANT_EMAIL)

    ensure_demo_assignment()
    ensure_demo_assignment()

    assert AdvisorAssignment.objects.filter(advisor=advisor, applicant=applicant).count() == 1
    assert can_advise(advisor, applicant)


def test_demo_assignment_waits_for_the_demo_users(db: Any) -> None:
    UserFactory(email=DEMO_ADVISOR_EMAIL)

    assert ensure_demo_assignment() is None
    assert not AdvisorAssignment.objects.exists()


def test_load_demo_gives_the_demo_applicant_a_plan_with_the_advisors_comment(
    settings: Any, client: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.urls import reverse

    from advising.models import PlanComment, PlanReview
    from assessments.models import Plan

    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())  # idempotent

    plan = Plan.objects.get(owner__email=DEMO_APPLICANT_EMAIL)
    comment = PlanComment.objects.get(plan=plan)
    assert comment.author.email == DEMO_ADVISOR_EMAIL
    assert PlanReview.objects.get(plan=plan).status == "needs_changes"
    assert plan.specialty_code == "EM"

    client.force_login(comment.author)
    html = client.get(reverse("advising:plan_review", args=[plan.pk])).content.decode()
    assert "A solid start." in html
    assert "Showing 1–" in html  # the program table of a real plan
