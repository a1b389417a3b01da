from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

LOGIN = {"username": "nobody@example.com", "password": "not-the-password"}


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _csrf_token(client: Client) -> str:
    client.get(reverse("admin:login"))  # sets the csrftoken cookie
    return client.cookies["csrftoken"].value


def test_a_post_without_the_token_is_refused(csrf_client: Client) -> None:
    response = csrf_client.post(reverse("admin:login"), LOGIN)
    assert response.status_code == 403
    assert "This form has expired or was sent from another site" in response.content.decode()


def test_an_htmx_post_without_the_token_is_refused(csrf_client: Client) -> None:
    response = csrf_client.post(reverse("admin:login"), LOGIN, HTTP_HX_REQUEST="true")
    assert response.status_code == 403


def test_an_htmx_post_with_the_token_in_the_header_is_accepted(csrf_client: Client) -> None:
    # base.html puts the token in hx-headers, so htmx sends it as X-CSRFToken.
    token = _csrf_token(csrf_client)
    response = csrf_client.post(
        reverse("admin:login"), LOGIN, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200  # the form answered (wrong password), CSRF passed
    assert "Please enter the correct" in response.content.decode()


def test_a_post_with_the_token_in_the_form_is_accepted(csrf_client: Client) -> None:
    token = _csrf_token(csrf_client)
    response = csrf_client.post(reverse("admin:login"), {**LOGIN, "csrfmiddlewaretoken": token})
    assert response.status_code == 200


def test_a_post_with_a_forged_token_is_refused(csrf_client: Client) -> None:
    _csrf_token(csrf_client)
    response = csrf_client.post(reverse("admin:login"), LOGIN, HTTP_X_CSRFTOKEN="x" * 64)
    assert response.status_code == 403


def test_logout_needs_the_token(csrf_client: Client, django_user_model) -> None:
    user = django_user_model.objects.create_user(email="a@example.com", password="pw-123456!")
    csrf_client.force_login(user)
    response = csrf_client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    assert "_auth_user_id" in csrf_client.session


def _all_views(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _all_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_view_is_exempt_from_csrf() -> None:
    # A csrf_exempt view would let another site post on a user's behalf. The one exception:
    # the reminder emails' one-click unsubscribe (RFC 8058), posted by the mail provider
    # without our cookie; the signed token in its URL is the credential.
    exempt = [
        route
        for route, view in _all_views(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False)
    ]
    assert exempt == ["season/unsubscribe/<str:token>/"]


@pytest.mark.parametrize(
    "url",
    [
        "/assessment/background/",  # the wizard's htmx field checks and step posts
        "/accounts/signup/",
        "/accounts/login/",
    ],
)
def test_site_forms_refuse_htmx_posts_without_the_token(csrf_client: Client, url: str) -> None:
    response = csrf_client.post(url, {"_validate": "graduation_year"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403


def test_the_wizard_accepts_an_htmx_post_with_the_token(csrf_client: Client) -> None:
    token = _csrf_token(csrf_client)
    response = csrf_client.post(
        "/assessment/background/",
        {"_validate": "graduation_year"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code != 403
    assert response.status_code < 500
