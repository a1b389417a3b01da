from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.test import Client

pytestmark = pytest.mark.urls("tests.infra.urls")


def assert_clean_503(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "MatchPlan is briefly unavailable" in body
    assert "Your saved answers and plans are safe" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body
    assert "5432" not in body


def test_a_view_hitting_operational_error_gets_the_503_page(client: Client) -> None:
    assert_clean_503(client.get("/_test/operational-error/"))


def test_a_view_hitting_interface_error_gets_the_503_page(client: Client) -> None:
    assert_clean_503(client.get("/_test/interface-error/"))


@pytest.mark.django_db
def test_the_home_page_gives_503_while_the_database_is_down(client: Client) -> None:
    # Every new cursor fails as it would while PostgreSQL restarts.
    down = OperationalError("the database system is shutting down")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=down):
        response = client.get("/")
    assert_clean_503(response)


@pytest.mark.django_db
def test_the_home_page_recovers_once_the_database_is_back(client: Client) -> None:
    down = OperationalError("the database system is shutting down")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=down):
        assert client.get("/").status_code == 503
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_failed_session_save_after_the_view_still_gives_503() -> None:
    # The error happens in SessionMiddleware on the way out, outside process_exception.
    client = Client(raise_request_exception=False)
    down = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(SessionStore, "save", side_effect=down):
        response = client.get("/_test/touch-session/")
    assert_clean_503(response)


@pytest.mark.django_db
def test_other_errors_still_give_the_500_page() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/_test/value-error/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Retry-After" not in response


def test_the_outage_is_logged_by_path_without_the_query_string(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="core.middleware"):
        client.get("/_test/operational-error/?step2_score=250&email=jane@example.com")
    messages = [r.getMessage() for r in caplog.records if r.name == "core.middleware"]
    assert messages == [
        "Database unavailable: GET /_test/operational-error/ -> 503 (OperationalError)"
    ]


@pytest.mark.django_db
def test_the_503_page_is_sent_with_the_content_security_policy(client: Client) -> None:
    response = client.get("/_test/operational-error/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
