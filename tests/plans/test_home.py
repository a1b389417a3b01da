"""The home page points a returning applicant at their latest plan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Specialty
from tests.factories import UserFactory, make_plan

pytestmark = pytest.mark.django_db


def test_a_visitor_is_invited_to_start(client):
    html = client.get(reverse("assessments:home")).content.decode()
    assert "Start the self-assessment" in html
    assert "Open your latest plan" not in html


def test_an_applicant_with_plans_gets_a_link_to_the_latest(client):
    user = UserFactory()
    make_plan(user, step2ck__score=230)
    latest = make_plan(user, step2ck__score=250)
    make_plan(UserFactory())  # someone else's, newer
    client.force_login(user)
    html = client.get(reverse("assessments:home")).content.decode()
    assert reverse("assessments:plan_detail", args=[latest.token]) in html
    assert ">Strong<" in html
    # The specialty by its name, not its code.
    name = Specialty.objects.get(code=latest.specialty_code).name
    assert f"Your latest plan: {name}, " in html
