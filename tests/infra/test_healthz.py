from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_a_reachable_database(client: Client) -> None:
    response = client.get(reverse("assessments:healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_gives_503_when_the_database_is_unreachable(client: Client) -> None:
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("assessments:healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_healthz_does_one_query_only(client: Client, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        client.get(reverse("assessments:healthz"))
