from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/signup/confirm/[\w-]+/[\w-]+/)")


def confirm_link(email: str) -> str:
    """The confirmation path in the latest email sent to ``email``."""
    message = [m for m in mail.outbox if m.to == [email]][-1]
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def signup_and_confirm(
    client: Client, email: str = "new@example.org", *, password: str = PASSWORD, next_url: str = ""
) -> Any:
    """Sign up, then open the emailed link in the same browser and confirm (logs in)."""
    data = {"email": email, "password1": password, "password2": password, "next": next_url}
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "accounts:signup_sent"
    ), response.content.decode()[:2000]
    return client.post(confirm_link(email))
