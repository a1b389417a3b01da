"""Keep applicants' personal data out of the logs.

Every handler in settings.LOGGING carries :class:`RedactPersonalData`, so whatever a
library or our own code logs (axes logs the username, which is the email address; the
development server logs the query string, which can hold a what-if score) reaches the
log file with emails, query strings and score/visa values replaced. Request bodies are
never logged anywhere in the first place.

It lives in accounts because it protects account holders' data; config/ holds only
settings, urls and the wsgi/asgi entry points.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# "GET /plans/what-if?step2_score=250 HTTP/1.1" -> keep the path, drop the query string.
_QUERY = re.compile(r"(\s/[^\s?]*)\?[^\s\"']*")
# Paths that carry a secret: a password-reset link (/password/reset/<uid>/<token>/), a
# sign-up confirmation (/signup/confirm/<uid>/<token>/) and an advisor invitation (/invitations/<token>/). Whoever reads one in a log could use it.
_SECRET_PATHS = re.compile(
    r"(?P<prefix>/password/reset/|/signup/confirm/)(?!sent/|complete/)"
    r"[^\s/?\"']+(?:/[^\s/?\"']+)?"
    r"|(?P<invite>/invitations/)[^\s/?\"']+"
)
# key=value or key: value where the key names a score, visa status or other profile fact.
_SENSITIVE_KEYS = (
    r"[\w\-]*(?:score|step[_\-]?[123]|step2ck|usmle|comlex|visa|citizenship|email"
    r"|password|passwd|token|secret|yog|graduation|attempts|answers|profile)[\w\-]*"
)
_KEY_VALUE = re.compile(
    rf"(?i)(?P<key>[\"']?{_SENSITIVE_KEYS}[\"']?\s*[=:]\s*)"
    r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;&)}\]]+)"
)


def _secret_path(match: re.Match[str]) -> str:
    return (match.group("prefix") or match.group("invite")) + REDACTED


def redact(text: str) -> str:
    """Return ``text`` with emails, secret links, query strings and sensitive key=value pairs
    masked."""
    text = _EMAIL.sub("[email]", text)
    text = _SECRET_PATHS.sub(_secret_path, text)
    text = _QUERY.sub(rf"\1?{REDACTED}", text)
    return _KEY_VALUE.sub(rf"\g<key>{REDACTED}", text)


class RedactPersonalData(logging.Filter):
    """Logging filter that rewrites each record's message (and traceback) through redact()."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Tracebacks can quote values (a ValidationError with an email); format
            # once here so the handler prints the redacted text instead.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact_access_atoms(atoms: dict[str, str]) -> dict[str, str]:
    """gunicorn's access-log atoms with the path and request line passed through redact():
    a password-reset or invitation link in the path must not reach the access log."""
    for key in ("U", "r", "f"):
        if key in atoms and isinstance(atoms[key], str):
            atoms[key] = redact(atoms[key])
    return atoms
