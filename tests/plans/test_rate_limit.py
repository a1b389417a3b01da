"""What-if recomputations are limited per client (issue 13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.plans.factories import em_programs, make_plan

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(owner):
    em_programs(2)
    return make_plan(owner)


def _whatif(client, plan, **extra):
    data = {"step2ck_score": "240", "visa": "j1", "specialty": "EM"}
    return client.post(reverse("assessments:plan_whatif", args=[plan.token]), data, **extra)


def test_what_if_answers_429_with_a_retry_time_after_the_limit(client, owner, plan, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "plan_whatif": "2/600"}
    client.force_login(owner)
    assert _whatif(client, plan, **HX).status_code == 200
    assert _whatif(client, plan, **HX).status_code == 200

    response = _whatif(client, plan, **HX)

    assert response.status_code == 429
    assert "limit of 2 what-ifs per 10 minutes" in response.content.decode()
    assert int(response["Retry-After"]) <= 600
    assert response["Cache-Control"] == "private, no-store"


def test_the_limit_is_per_account(client, owner, plan, settings, django_user_model):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "plan_whatif": "1/600"}
    client.force_login(owner)
    assert _whatif(client, plan).status_code == 200
    assert _whatif(client, plan).status_code == 429
    other = django_user_model.objects.create_user(email="other@example.org", password="x")
    other_plan = make_plan(other)
    client.force_login(other)
    assert _whatif(client, other_plan).status_code == 200


def test_limits_can_be_switched_off(client, owner, plan, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "plan_whatif": "1/600"}
    settings.RATE_LIMITS_ENABLED = False
    client.force_login(owner)
    for _ in range(3):
        assert _whatif(client, plan).status_code == 200
