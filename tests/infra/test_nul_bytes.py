"""A NUL character anywhere in the request is a 400, never a 500 (issue 13)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(django_user_model) -> Client:
    staff = django_user_model.objects.create_superuser(email="s@example.org", password="pw-x")
    client = Client()
    client.force_login(staff, backend="accounts.backends.ModelBackend")
    return client


@pytest.mark.parametrize(
    "query",
    ["state=%00", "acgme_id__exact=%00", "source=%00", "q=ab%00cd", "%00=x"],
)
def test_admin_list_filters_answer_400_to_a_nul_in_the_query(staff_client, query) -> None:
    response = staff_client.get(reverse("admin:programs_program_changelist") + "?" + query)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/?next=%00",
        "/programs/?q=%00",
        "/accounts/login/?next=/%00",
        "/advising/invitations/ab%00cd/",
        "/plans/compare/?a=%00",
    ],
)
def test_public_pages_answer_400_to_a_nul_in_the_address(client, url) -> None:
    assert client.get(url).status_code == 400


def test_form_data_with_a_nul_is_a_400(client) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "a\x00@example.org", "password": "x"}
    )
    assert response.status_code == 400


def test_a_cookie_with_a_nul_is_a_400(client) -> None:
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/").status_code == 400


def test_ordinary_requests_pass(client) -> None:
    assert client.get("/programs/?q=abc").status_code == 200
