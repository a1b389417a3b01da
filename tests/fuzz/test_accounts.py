"""Hostile input to the account forms: sign-up, log-in, password change and reset, delete."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from tests.factories import PASSWORD, UserFactory
from tests.fuzz.strategies import (
    FUZZ,
    assert_not_500,
    form_data,
    form_errors,
    hostile_text,
    logged_in,
    new_client,
    one_of_valid,
    posted,
    rolled_back,
)

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-unusual-passphrase-42"
emails = st.one_of(
    one_of_valid("new@example.org", "NEW@Example.ORG", "user@example.org", "x@y.zz"),
    st.emails().filter(lambda e: len(e) <= 254),
)
passwords = one_of_valid(GOOD_PASSWORD, PASSWORD, "short", "password", "12345678901")


@given(data=form_data({"email": emails, "password1": passwords, "password2": passwords}))
@FUZZ
def test_signup_never_fails_and_creates_a_user_only_when_valid(data: dict[str, Any]) -> None:
    with rolled_back():
        UserFactory(email="user@example.org")
        before = User.objects.count()

        response = new_client().post(reverse("accounts:signup"), data)

        assert_not_500(response, 200, 302)
        if response.status_code == 200:
            assert form_errors(response), "a refused sign-up must say why"
            assert User.objects.count() == before
        elif str(data.get("email", "")).strip().lower() == "user@example.org":
            assert User.objects.count() == before  # same answer; the owner gets a mail
        else:
            assert User.objects.count() == before + 1


@given(data=form_data({"username": emails, "password": passwords}), htmx=st.booleans())
@FUZZ
def test_login_never_fails(data: dict[str, Any], htmx: bool) -> None:
    with rolled_back():
        UserFactory(email="user@example.org")
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}

        response = new_client().post(reverse("accounts:login"), data, **extra)

        # 429: django-axes locked the account out after repeated failures.
        assert_not_500(response, 200, 302, 429)
        if response.status_code == 200:
            assert form_errors(response)


@given(
    data=form_data(
        {
            "old_password": one_of_valid(PASSWORD, "wrong"),
            "new_password1": passwords,
            "new_password2": passwords,
        }
    )
)
@FUZZ
def test_password_change_never_fails_and_keeps_the_password_when_refused(
    data: dict[str, Any],
) -> None:
    with rolled_back():
        user = UserFactory()

        response = logged_in(user).post(reverse("accounts:password_change"), data)

        assert_not_500(response, 200, 302)
        user.refresh_from_db()
        if response.status_code == 200:
            assert form_errors(response)
            assert user.check_password(PASSWORD)
        else:
            assert user.check_password(posted(data, "new_password1"))


@given(data=form_data({"email": emails}))
@FUZZ
def test_password_reset_request_never_fails(data: dict[str, Any]) -> None:
    with rolled_back():
        UserFactory(email="user@example.org")
        mail.outbox.clear()

        response = new_client().post(reverse("accounts:password_reset"), data)

        assert_not_500(response, 200, 302)
        if response.status_code == 200:
            assert form_errors(response)
            assert not mail.outbox


@given(data=form_data({"password": one_of_valid(PASSWORD, "wrong")}))
@FUZZ
def test_account_delete_never_fails_and_deletes_only_with_the_password(
    data: dict[str, Any],
) -> None:
    with rolled_back():
        user = UserFactory()

        response = logged_in(user).post(reverse("accounts:delete"), data)

        assert_not_500(response, 200, 302)
        exists = User.objects.filter(pk=user.pk).exists()
        if response.status_code == 200:
            assert form_errors(response)
            assert exists
        else:
            assert posted(data, "password") == PASSWORD and not exists


@given(next_url=hostile_text)
@FUZZ
def test_a_hostile_next_parameter_never_fails(next_url: str) -> None:
    with rolled_back():
        response = new_client().get(reverse("accounts:signup"), {"next": next_url})
        assert_not_500(response, 200)
        response = new_client().get(reverse("accounts:login"), {"next": next_url})
        assert_not_500(response, 200)


def test_regression_an_empty_signup_post_shows_the_required_fields() -> None:
    # `Form(request.POST or None)` left an empty POST unbound: the page came back
    # without a word about what was missing.
    response = new_client().post(reverse("accounts:signup"), {})

    assert response.status_code == 200
    assert set(form_errors(response)) == {"email", "password1", "password2"}
    assert not User.objects.exists()


def test_regression_an_empty_delete_post_asks_for_the_password() -> None:
    user = UserFactory()

    response = logged_in(user).post(reverse("accounts:delete"), {})

    assert response.status_code == 200
    assert set(form_errors(response)) == {"password"}
    assert User.objects.filter(pk=user.pk).exists()
