"""Plan generation is limited per client: a clear 429 page saying when to try again."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from assessments.models import Plan
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
# The same answers again would only link to the plan already made: ask for a new one.
AGAIN = {"again": "1"}


@pytest.fixture
def three_plans(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "plan_create": "3/3600"}


def test_an_anonymous_client_gets_a_429_after_the_limit(client, walk, three_plans):
    walk(client)
    for _ in range(3):
        assert client.post(step_url("review"), AGAIN).status_code == 302

    response = client.post(step_url("review"), AGAIN, REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 429
    assert Plan.objects.count() == 3
    html = response.content.decode()
    assert "Please wait a few minutes" in html
    assert "limit of 3 plans generated per hour" in html
    assert "Try again in" in html and "minute" in html
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_the_limit_follows_the_address_not_the_session(walk, three_plans):
    for _ in range(3):
        fresh = Client()  # a new session (cookies dropped), same address
        walk(fresh)
        assert fresh.post(step_url("review")).status_code == 302
    other = Client()
    walk(other)
    assert other.post(step_url("review")).status_code == 429
    assert other.post(step_url("review"), REMOTE_ADDR="198.51.100.9").status_code == 302


def test_htmx_gets_the_message_for_the_main_region(client, walk, three_plans):
    walk(client)
    for _ in range(3):
        client.post(step_url("review"), AGAIN, **HX)

    response = client.post(step_url("review"), AGAIN, **HX)

    assert response.status_code == 429
    assert response["HX-Retarget"] == "#main"
    assert "<html" not in response.content.decode()
    assert "Please wait a few minutes" in response.content.decode()


def test_the_counters_live_in_the_django_cache(client, walk, three_plans):
    walk(client)
    client.post(step_url("review"), AGAIN)
    cache.clear()  # a shared cache (Redis) holds them for every worker
    for _ in range(3):
        assert client.post(step_url("review"), AGAIN).status_code == 302


def test_the_same_answers_again_spend_nothing(client, walk, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "plan_create": "1/3600"}
    walk(client)
    assert client.post(step_url("review")).status_code == 302

    for _ in range(2):
        same = client.post(step_url("review"))
        assert same.status_code == 200  # "nothing changed": a link to the plan made
        assert Plan.objects.count() == 1

    assert client.post(step_url("review"), AGAIN).status_code == 429
