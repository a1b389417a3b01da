from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.logging_filters import RedactPersonalData, redact


def test_it_redacts_email_addresses() -> None:
    assert redact("login failed for Jane.Doe+match@mail.example.org") == (
        "login failed for [email]"
    )


def test_it_drops_query_strings_from_request_lines() -> None:
    line = '"GET /plans/7/what-if/?step2_score=250&visa=j1 HTTP/1.1" 200 512'
    assert redact(line) == '"GET /plans/7/what-if/?[redacted] HTTP/1.1" 200 512'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("step2_score=245", "step2_score=[redacted]"),
        ("Step2CK: 238", "Step2CK: [redacted]"),
        ("visa_status='j1'", "visa_status=[redacted]"),
        ("{'needs_visa': True, 'name': 'x'}", "{'needs_visa': [redacted], 'name': 'x'}"),
        ("usmle_step1=pass", "usmle_step1=[redacted]"),
        ("password=hunter2", "password=[redacted]"),
    ],
)
def test_it_redacts_scores_visa_and_secrets_given_as_key_value(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_it_keeps_ordinary_messages_unchanged() -> None:
    text = "Not Found: /programs/999/"
    assert redact(text) == text


def _record(msg: str, *args: object, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("t", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_filter_redacts_the_formatted_message_and_keeps_the_record() -> None:
    record = _record("user %s scored %s", "a.b@example.com", "step2=250")
    assert RedactPersonalData().filter(record) is True
    assert record.getMessage() == "user [email] scored step2=[redacted]"


def test_the_filter_redacts_tracebacks() -> None:
    try:
        raise ValueError("duplicate email a.b@example.com")
    except ValueError:
        import sys

        record = _record("boom", exc_info=sys.exc_info())
    RedactPersonalData().filter(record)
    assert "a.b@example.com" not in record.exc_text
    assert "duplicate email [email]" in record.exc_text


def test_every_configured_handler_redacts() -> None:
    handlers = settings.LOGGING["handlers"]
    assert handlers
    for name, handler in handlers.items():
        assert "redact" in handler.get("filters", []), name
    # Django's default (non-redacting) handlers are removed from its loggers.
    for name in ("django", "django.server"):
        assert logging.getLogger(name).handlers == []


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured console handler writes, with its filter and formatter."""
    root = logging.getLogger()
    (handler,) = [
        h for h in root.handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    previous_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        handler.setStream(previous)
        root.setLevel(previous_level)


@pytest.mark.django_db
def test_failed_logins_never_write_the_email_to_the_log(
    client: Client, django_user_model, log_output: io.StringIO
) -> None:
    django_user_model.objects.create_user(
        email="private.person@example.com", password="right-pw-123"
    )
    for _ in range(6):
        client.post(
            reverse("admin:login"),
            {"username": "private.person@example.com", "password": "wrong"},
        )
    output = log_output.getvalue()
    assert "AXES" in output  # the attempts were logged ...
    assert "private.person@example.com" not in output  # ... without the address


def test_server_request_lines_are_logged_without_the_query_string(log_output: io.StringIO) -> None:
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /assessment/?step2_score=251 HTTP/1.1", "200", "1234"
    )
    line = log_output.getvalue()
    assert '"GET /assessment/?[redacted] HTTP/1.1" 200 1234' in line
    assert "251" not in line
