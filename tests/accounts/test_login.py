from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_renders_the_crispy_form(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="div_id_username"' in html  # crispy's field wrapper
    assert "Email address" in html
    assert reverse("accounts:password_reset") in html


def test_it_logs_in_with_the_email_in_any_letter_case(client):
    UserFactory(email="jane@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "Jane@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:plan_list")  # applicants: their plans
    assert client.get(reverse("accounts:home")).status_code == 200


def test_an_advisor_lands_on_the_advisor_dashboard(client):
    from tests.factories import AdvisorFactory

    AdvisorFactory(email="advisor@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "advisor@example.org", "password": PASSWORD}
    )
    assert response["Location"] == reverse("advising:dashboard")


def test_an_admin_lands_in_django_admin(client):
    UserFactory(email="staff@example.org", is_staff=True)
    response = client.post(
        reverse("accounts:login"), {"username": "staff@example.org", "password": PASSWORD}
    )
    assert response["Location"] == reverse("admin:index")


def test_a_next_url_still_wins_over_the_landing_page(client):
    UserFactory(email="jane@example.org")
    response = client.post(
        reverse("accounts:login"),
        {"username": "jane@example.org", "password": PASSWORD, "next": "/methodology/"},
    )
    assert response["Location"] == "/methodology/"


def test_a_wrong_password_shows_an_error(client):
    UserFactory(email="jane@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "jane@example.org", "password": "wrong-one"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct email address and password" in html
    # the email address is compared in any letter case (see the test above)
    assert "both fields may be case-sensitive" not in html


def test_logout_is_a_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302  # to the login page


def test_the_account_page_needs_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_reset_sends_an_email_with_a_working_link(client):
    UserFactory(email="jane@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "jane@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jane@example.org"]
    assert message.subject == "Reset your MatchPlan password"
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    # The confirm view redirects once to hide the token from the Referer header.
    confirm = client.get(path, follow=True)
    assert confirm.status_code == 200
    assert "Choose a new password" in confirm.content.decode()
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "another-fine-passphrase", "new_password2": "another-fine-passphrase"},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    login = client.post(
        reverse("accounts:login"),
        {"username": "jane@example.org", "password": "another-fine-passphrase"},
    )
    assert login.status_code == 302


def test_password_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def _reset(client, email, ip="203.0.113.7"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_emails_to_one_address_are_limited_whatever_the_network(client):
    UserFactory(email="jane@example.org")
    for n in range(5):  # the default allows a few tries
        assert _reset(client, "jane@example.org", ip=f"203.0.113.{n}").status_code == 302

    response = _reset(client, "Jane@Example.org ", ip="198.51.100.1")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "You have reached the limit of 5 reset emails to one address per hour." in body
    # The page speaks of inboxes and the links already sent, not of the site's speed.
    assert "filling an inbox" in body and "A reset link already sent still works" in body
    assert "fast for everybody" not in body
    assert len(mail.outbox) == 5
    # Other addresses are not affected.
    UserFactory(email="sam@example.org")
    assert _reset(client, "sam@example.org", ip="198.51.100.1").status_code == 302
    assert len(mail.outbox) == 6


def test_password_reset_requests_from_one_address_are_limited_whatever_the_accounts(
    client, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_ip": "3/3600"}
    UserFactory(email="victim9@example.org")
    for n in range(3):
        assert _reset(client, f"victim{n}@example.org").status_code == 302

    response = _reset(client, "victim9@example.org")

    assert response.status_code == 429
    assert "limit of 3 reset requests from your network per hour" in response.content.decode()
    assert mail.outbox == []
    assert _reset(client, "victim9@example.org", ip="198.51.100.1").status_code == 302
    assert [m.to for m in mail.outbox] == [["victim9@example.org"]]


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
