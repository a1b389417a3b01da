from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

EMAIL = "applicant@example.com"
PASSWORD = "correct-horse-battery"
LOGIN_URL_NAMES = ["accounts:login", "admin:login"]


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(email=EMAIL, password=PASSWORD, is_staff=True)


def _post(client: Client, url_name: str, password: str, ip: str = "203.0.113.7"):
    return client.post(reverse(url_name), {"username": EMAIL, "password": password}, REMOTE_ADDR=ip)


def _fail(client: Client, url_name: str, times: int, ip: str = "203.0.113.7") -> None:
    for _ in range(times):
        _post(client, url_name, "wrong-password", ip)


@pytest.mark.parametrize("url_name", LOGIN_URL_NAMES)
def test_the_sixth_failed_login_shows_the_lockout_page(client: Client, user, url_name: str) -> None:
    _fail(client, url_name, 5)
    response = _post(client, url_name, "wrong-password")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Log-in paused after too many failed attempts" in body
    assert "Try again in 15 minutes" in body
    assert "accounts/locked_out.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("url_name", LOGIN_URL_NAMES)
def test_the_right_password_is_refused_during_the_lockout(
    client: Client, user, url_name: str
) -> None:
    _fail(client, url_name, 6)
    response = _post(client, url_name, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_the_account(client: Client, user) -> None:
    _fail(client, "admin:login", 4)
    response = _post(client, "admin:login", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_lock_is_per_address_so_others_cannot_lock_the_owner_out(client: Client, user) -> None:
    _fail(client, "admin:login", 6, ip="198.51.100.66")
    response = _post(client, "admin:login", PASSWORD, ip="203.0.113.7")
    assert response.status_code == 302


def test_login_works_again_after_the_cool_off(client: Client, user) -> None:
    _fail(client, "admin:login", 6)
    assert _post(client, "admin:login", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = _post(client, "admin:login", PASSWORD)
    assert response.status_code == 302


def test_throttling_settings_match_the_documented_policy() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.25  # hours
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_changing_the_case_of_the_email_does_not_reset_the_count(client: Client, user) -> None:
    for variant in ["Applicant@example.com", "APPLICANT@example.com", "applicant@EXAMPLE.com"]:
        client.post(
            reverse("admin:login"),
            {"username": variant, "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
        )
    _fail(client, "admin:login", 2)
    assert _post(client, "admin:login", PASSWORD).status_code == 429


def test_the_lock_names_the_account_not_only_the_address(
    client: Client, user, django_user_model
) -> None:
    # Another person behind the same address (a hospital network) can still log in.
    django_user_model.objects.create_user(
        email="colleague@example.com", password=PASSWORD, is_staff=True
    )
    _fail(client, "admin:login", 6)
    response = client.post(
        reverse("admin:login"),
        {"username": "colleague@example.com", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_login_with_a_name_longer_than_axes_column_is_a_form_error_not_a_500(client) -> None:
    # axes keeps the name in a 255-character column; PostgreSQL refused longer values.
    response = client.post("/accounts/login/", {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "a" * 255


# --- per IP address across accounts, and recovery while locked (issue 13) -----------------


def test_failures_across_many_accounts_from_one_address_are_throttled(client: Client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": "10/900"}
    for n in range(10):
        response = client.post(
            reverse("accounts:login"),
            {"username": f"victim{n}@example.org", "password": "guess"},
            REMOTE_ADDR="203.0.113.50",
        )
        assert response.status_code == 200  # each account failed only once
    for url_name in LOGIN_URL_NAMES:
        response = client.post(
            reverse(url_name),
            {"username": "victim99@example.org", "password": "guess"},
            REMOTE_ADDR="203.0.113.50",
        )
        assert response.status_code == 429
        body = response.content.decode()
        assert "limit of 10 failed log-ins from your network per 15 minutes" in body
        assert "Try again in" in body
        assert reverse("accounts:password_reset") in body
    other = client.post(
        reverse("accounts:login"),
        {"username": "victim99@example.org", "password": "guess"},
        REMOTE_ADDR="198.51.100.1",
    )
    assert other.status_code == 200  # other addresses are not affected


def test_the_default_per_address_limit_is_documented() -> None:
    assert settings.RATE_LIMITS["login_ip"] == "30/900"


def test_the_lock_page_offers_the_password_reset(client: Client, user) -> None:
    _fail(client, "accounts:login", 6)
    body = _post(client, "accounts:login", PASSWORD).content.decode()
    assert "The reset works during the pause" in body
    assert reverse("accounts:password_reset") in body


def test_a_locked_out_user_recovers_through_the_password_reset(client: Client, user) -> None:
    import re

    from django.core import mail

    _fail(client, "accounts:login", 6)
    assert _post(client, "accounts:login", PASSWORD).status_code == 429

    response = client.post(
        reverse("accounts:password_reset"), {"email": EMAIL}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    link = re.search(r"/accounts/password/reset/[\w-]+/[\w-]+/", mail.outbox[-1].body).group(0)
    set_password = client.get(link, REMOTE_ADDR="203.0.113.7").url
    new = "a-brand-new-pass-99"
    done = client.post(
        set_password,
        {"new_password1": new, "new_password2": new},
        REMOTE_ADDR="203.0.113.7",
    )
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)  # logged in by the reset
    assert "You are logged in with your new password" in client.get(done.url).content.decode()

    client.logout()
    assert _post(client, "accounts:login", new).status_code == 302  # the pause is over
    assert not AccessAttempt.objects.filter(username=EMAIL).exists()
