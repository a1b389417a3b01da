"""System checks for settings that would leak account secrets in production.

settings.py already refuses to start with DEBUG off and a console or file email backend;
this check says the same in ``manage.py check --deploy``, so settings changed at run time
(or a settings file that drops the start-up guard) are caught before a deploy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOGGING_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    }
)
SILENT_BACKENDS = frozenset(
    {
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    }
)


@register(Tags.security, deploy=True)
def check_email_backend(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    if settings.DEBUG:
        return []
    backend = getattr(settings, "EMAIL_BACKEND", "")
    if backend in LOGGING_BACKENDS:
        return [
            Error(
                f"EMAIL_BACKEND is {backend} with DEBUG off.",
                hint="It writes password-reset and invitation links to the logs or disk. "
                "Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend.",
                id="accounts.E001",
            )
        ]
    if backend in SILENT_BACKENDS:
        return [
            Warning(
                f"EMAIL_BACKEND is {backend}: no email leaves the server.",
                hint="Password resets and advisor invitations will not arrive.",
                id="accounts.W001",
            )
        ]
    return []


@register(Tags.security)
def check_rate_limits(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Every RATE_LIMITS value reads as "count/seconds" with positive numbers."""
    errors = []
    for name, value in getattr(settings, "RATE_LIMITS", {}).items():
        count, _, seconds = str(value).partition("/")
        if not (count.isdigit() and seconds.isdigit() and int(count) > 0 and int(seconds) > 0):
            errors.append(
                Error(
                    f"RATE_LIMITS[{name!r}] is {value!r}.",
                    hint='Write it as "count/seconds", e.g. "20/3600" (RATE_LIMIT_* variables).',
                    id="accounts.E002",
                )
            )
    return errors
