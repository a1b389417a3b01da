"""No password-reset token, invitation link or email address reaches the logs, and
production refuses the email backends that would write them there (issue 13)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from django.urls import reverse

from accounts.logging_filters import RedactPersonalData, redact_access_atoms
from tests.factories import UserFactory
from tests.infra.test_production_settings import _run

CONSOLE = "django.core.mail.backends.console.EmailBackend"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/([\w-]+)/([\w-]+)/)")
INVITE_LINK = re.compile(r"https?://[^/\s]+(/advising/invitations/([\w-]+)/)")


def test_production_refuses_to_start_without_an_email_backend() -> None:
    result = _run(["manage.py", "check"], EMAIL_BACKEND=None)
    assert result.returncode != 0
    assert "EMAIL_BACKEND is not set" in result.stderr


@pytest.mark.parametrize("backend", [CONSOLE, "django.core.mail.backends.filebased.EmailBackend"])
def test_production_refuses_to_start_with_a_backend_that_writes_mail_out(backend: str) -> None:
    result = _run(["manage.py", "check"], EMAIL_BACKEND=backend)
    assert result.returncode != 0
    assert f"EMAIL_BACKEND is set to {backend}" in result.stderr


def test_the_deploy_check_reports_the_console_backend_as_an_error() -> None:
    with (
        override_settings(DEBUG=False, EMAIL_BACKEND=CONSOLE),
        pytest.raises(SystemCheckError, match="accounts.E001"),
    ):
        call_command("check", deploy=True, stdout=io.StringIO(), stderr=io.StringIO())


def test_the_deploy_check_accepts_smtp() -> None:
    out = io.StringIO()
    with override_settings(
        DEBUG=False, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend"
    ):
        call_command("check", "accounts", deploy=True, tags=["security"], stdout=out)
    assert "accounts.E001" not in out.getvalue()


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the configured (redacting) console handler writes, at DEBUG level."""
    root = logging.getLogger()
    (handler,) = [
        h for h in root.handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        handler.setStream(previous)
        root.setLevel(previous_level)


def _server_log(client: Client, path: str, status: int) -> None:
    """What a server logs for one request: runserver's line through Django's logging, and
    gunicorn's access line through the atoms our gunicorn logger class rewrites."""
    logging.getLogger("django.server").info('"%s" %s %s', f"GET {path} HTTP/1.1", status, 100)
    atoms = redact_access_atoms({"U": path, "r": f"GET {path} HTTP/1.1"})
    logging.getLogger("gunicorn.access").info('"%s" %s', atoms["r"], atoms["U"])


def _visit(client: Client, path: str, **kwargs) -> object:
    response = client.post(path, **kwargs) if kwargs else client.get(path)
    _server_log(client, path, response.status_code)
    return response


@pytest.mark.django_db
def test_a_password_reset_and_an_invitation_leave_no_token_link_or_address_in_the_logs(
    client: Client, log_output: io.StringIO
) -> None:
    user = UserFactory(email="reset.me@example.org")
    _visit(client, reverse("accounts:password_reset"), data={"email": "reset.me@example.org"})
    (message,) = mail.outbox
    link_path, uid, token = RESET_LINK.search(message.body).groups()
    confirm = _visit(client, link_path)
    set_password = confirm.url  # Django moves the token into the session, then redirects
    _visit(client, set_password)
    _visit(
        client,
        set_password,
        data={"new_password1": "a-new-long-pass-42", "new_password2": "a-new-long-pass-42"},
    )
    user.refresh_from_db()
    assert user.check_password("a-new-long-pass-42")  # the flow really ran

    applicant = UserFactory(email="applicant.person@example.org")
    sharer = Client()
    sharer.force_login(applicant, backend="accounts.backends.ModelBackend")
    _visit(sharer, reverse("advising:sharing"), data={"advisor_email": "mentor.x@example.org"})
    invite_path, invite_token = INVITE_LINK.search(mail.outbox[-1].body).groups()
    _visit(Client(), invite_path)
    _visit(Client(), reverse("advising:invitation", args=["no-such-token-abc"]))  # 404 path

    output = log_output.getvalue()
    assert "GET" in output  # the requests were logged ...
    for secret in (token, uid, invite_token, "no-such-token-abc"):
        assert secret not in output
    for address in ("reset.me@example.org", "applicant.person", "mentor.x@example.org"):
        assert address not in output
    assert "/accounts/password/reset/[redacted]" in output
    assert "/advising/invitations/[redacted]" in output


def test_a_malformed_rate_limit_is_reported_by_the_system_check() -> None:
    from django.conf import settings

    limits = {**settings.RATE_LIMITS, "plan_create": "twenty an hour"}
    with (
        override_settings(RATE_LIMITS=limits),
        pytest.raises(SystemCheckError, match="accounts.E002"),
    ):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
