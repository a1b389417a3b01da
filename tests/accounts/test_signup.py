from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from assessments.drafts import SESSION_PLAN_TOKENS_KEY
from tests.accounts.helpers import confirm_link, signup_and_confirm
from tests.factories import PASSWORD, EmptyPlanFactory, UserFactory

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


def test_it_creates_an_inactive_account_and_says_check_your_email(client):
    response = signup(client, email="New@Example.org")
    assert response["Location"] == reverse("accounts:signup_sent")
    page = client.get(response["Location"]).content.decode()
    assert "Check your email" in page
    user = User.objects.get()
    assert user.email == "new@example.org" and not user.is_active
    assert "_auth_user_id" not in client.session
    (message,) = mail.outbox
    assert message.to == ["new@example.org"]
    assert "/accounts/signup/confirm/" in message.body


def test_the_emailed_link_confirms_the_account_and_logs_in(client):
    response = signup_and_confirm(client, "new@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    user = User.objects.get()
    assert user.is_active and user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("accounts:home")).status_code == 200


def test_with_nothing_made_before_signing_up_it_claims_no_answers_were_saved(client):
    response = signup_and_confirm(client)
    html = client.get(response["Location"]).content.decode()
    assert "Your account is ready." in html
    assert "saved to it" not in html


def test_a_plan_made_before_signing_up_moves_and_the_message_says_so(client):
    plan = EmptyPlanFactory(owner=None)
    session = client.session
    session[SESSION_PLAN_TOKENS_KEY] = [str(plan.token)]
    session.save()
    response = signup_and_confirm(client)
    html = client.get(response["Location"]).content.decode()
    assert "The answers and plans you made before signing up are saved to it." in html
    plan.refresh_from_db()
    assert plan.owner == User.objects.get(email="new@example.org")


def test_opening_the_link_does_not_use_it_up_and_it_works_once(client):
    signup(client)
    link = confirm_link("new@example.org")
    assert "Confirm and log in" in client.get(link).content.decode()
    assert not User.objects.get().is_active  # a mail scanner's GET confirms nothing
    assert client.post(link).status_code == 302
    client.logout()
    again = client.post(link)
    assert again.status_code == 400
    assert "This link no longer works" in again.content.decode()


def test_opening_the_link_again_when_confirmed_and_logged_in_goes_to_the_account(client):
    signup(client)
    link = confirm_link("new@example.org")
    client.post(link)
    response = client.get(link, follow=True)
    assert response.redirect_chain == [(reverse("accounts:home"), 302)]
    html = response.content.decode()
    assert "Your account is already confirmed and you are logged in." in html
    assert "This link no longer works" not in html


def test_a_forged_link_is_refused(client):
    signup(client)
    link = confirm_link("new@example.org")
    response = client.post(link.rsplit("/", 2)[0] + "/forged-token/")
    assert response.status_code == 400
    assert not User.objects.get().is_active


def test_an_unconfirmed_account_cannot_log_in(client):
    signup(client)
    response = client.post(
        reverse("accounts:login"), {"username": "new@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "You have not confirmed this account yet" in html
    assert "Please enter a correct" not in html


def test_an_unconfirmed_account_with_a_wrong_password_gets_the_usual_error(client):
    signup(client)
    response = client.post(
        reverse("accounts:login"), {"username": "new@example.org", "password": "wrong-one"}
    )
    html = response.content.decode()
    assert "Please enter a correct" in html and "not confirmed" not in html


def test_it_follows_a_safe_next_url_after_confirming(client):
    response = signup_and_confirm(client, "n@example.org", next_url="/assessment/review/")
    assert response["Location"] == "/assessment/review/"


def test_it_ignores_an_offsite_next_url(client):
    response = signup_and_confirm(client, "n@example.org", next_url="https://evil.example.com/")
    assert response["Location"] == reverse("accounts:home")


def test_an_existing_address_gets_the_same_answer_and_its_owner_a_mail(client):
    owner = UserFactory(email="taken@example.org")
    new = signup(client, email="fresh@example.org")
    taken = signup(client, email="TAKEN@example.org")

    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"] == reverse("accounts:signup_sent")
    assert User.objects.count() == 2
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) is True  # the factory's password: unchanged
    message = [m for m in mail.outbox if m.to == ["taken@example.org"]][-1]
    assert "You already have one" in message.body
    assert "/accounts/password/reset/" in message.body
    assert "/signup/confirm/" not in message.body


def test_signing_up_again_before_confirming_sends_a_new_link_with_the_new_password(client):
    signup(client)
    signup(client, password1="another-long-pass-7", password2="another-long-pass-7")
    client.post(confirm_link("new@example.org"))
    user = User.objects.get()
    assert user.is_active and user.check_password("another-long-pass-7")


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
    assert not mail.outbox


def test_it_rejects_two_different_passwords(client):
    response = signup(client, password2=PASSWORD + "x")
    assert "The two passwords are not the same." in response.content.decode()
    assert not User.objects.exists()


def test_it_keeps_the_typed_email_after_an_error(client):
    response = signup(client, email="keep@example.org", password2="different-one-1")
    assert 'value="keep@example.org"' in response.content.decode()


def test_sign_ups_are_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "2/3600"}
    assert signup(client, email="a1@example.org").status_code == 302
    assert signup(client, email="a2@example.org").status_code == 302
    response = signup(client, email="a3@example.org")
    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_a_logged_in_user_is_sent_to_the_account_page(client):
    client.force_login(UserFactory())
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_the_password_reset_answers_the_same_for_any_address(client):
    UserFactory(email="known@example.org")
    known = client.post(reverse("accounts:password_reset"), {"email": "known@example.org"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["known@example.org"]]


def test_a_password_reset_for_an_unconfirmed_sign_up_points_to_signing_up_again(client):
    signup(client)
    mail.outbox.clear()
    response = client.post(
        reverse("accounts:password_reset"), {"email": "new@example.org"}, follow=True
    )
    assert mail.outbox == []  # Django's reset mails active accounts only
    html = response.content.decode()
    assert "never opened the confirmation link" in html
    assert f'href="{reverse("accounts:signup")}"' in html
