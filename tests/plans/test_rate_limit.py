"""What-if recomputations are limited per client (issue 13)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import em_programs, make_plan

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


def _csv(client, plan):
    return client.get(reverse("assessments:plan_csv", args=[plan.token]))


def test_csv_downloads_are_limited_per_client(client, owner, plan, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "plan_csv": "2/600"}
    client.force_login(owner)
    for _ in range(2):
        response = _csv(client, plan)
        assert response.status_code == 200
        b"".join(response.streaming_content)  # sent: the request ends
    response = _csv(client, plan)
    assert response.status_code == 429
    assert "limit of 2 downloads per 10 minutes" in response.content.decode()


def test_a_csv_download_waits_while_another_file_is_being_built(client, owner, plan, settings):
    settings.CSV_EXPORTS_AT_ONCE = 1
    client.force_login(owner)
    first = _csv(client, plan)  # not read yet: its file is still being built
    assert first.status_code == 200

    busy = _csv(client, plan)
    assert busy.status_code == 429
    assert busy["Retry-After"] == "5"
    assert "Try again in 5 seconds" in busy.content.decode()

    b"".join(first.streaming_content)  # the first download ends and frees its slot
    assert _csv(client, plan).status_code == 200


def test_an_abandoned_download_frees_its_slot(client, owner, plan, settings, monkeypatch):
    settings.CSV_EXPORTS_AT_ONCE = 1
    client.force_login(owner)
    first = _csv(client, plan)
    next(iter(first.streaming_content))
    # Closing the response ends the request, whose signal closes the database connection as
    # on a server; here that connection holds the test's transaction (PostgreSQL), so keep it.
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
    first.close()  # what the server does when the client goes away
    monkeypatch.undo()
    assert _csv(client, plan).status_code == 200
