from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.services import user_create
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def signup(client, **overrides):
    data = {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return client.post(reverse("accounts:signup"), data)


def test_signup_page_shows_labelled_fields(client):
    response = client.get(reverse("accounts:signup"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="id_email"' in html and "Email address" in html
    assert "Password again" in html


def test_it_creates_the_account_and_logs_in(client):
    response = signup(client, email="New@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    user = User.objects.get()
    assert user.email == "new@example.org"
    assert user.check_password(PASSWORD)
    assert client.get(reverse("accounts:home")).status_code == 200


def test_it_follows_a_safe_next_url(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "n@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "/assessment/review/",
        },
    )
    assert response["Location"] == "/assessment/review/"


def test_it_ignores_an_offsite_next_url(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "n@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "https://evil.example.com/",
        },
    )
    assert response["Location"] == reverse("accounts:home")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("48213795012", "entirely numeric"),
        ("new@example.org", "too similar"),
    ],
)
def test_it_rejects_weak_passwords_with_the_validator_message(client, password, message):
    response = signup(client, password1=password, password2=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_it_rejects_two_different_passwords(client):
    response = signup(client, password2=PASSWORD + "x")
    assert "The two passwords are not the same." in response.content.decode()
    assert not User.objects.exists()


def test_it_rejects_a_duplicate_email_in_any_letter_case(client):
    UserFactory(email="taken@example.org")
    response = signup(client, email="TAKEN@example.org")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_it_keeps_the_typed_email_after_an_error(client):
    response = signup(client, email="keep@example.org", password2="different-one-1")
    assert 'value="keep@example.org"' in response.content.decode()


def test_a_logged_in_user_is_sent_to_the_account_page(client):
    client.force_login(UserFactory())
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_user_create_validates_the_password():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        user_create(email="a@example.org", password="123")
    assert "password" in exc.value.message_dict
    assert not User.objects.exists()
