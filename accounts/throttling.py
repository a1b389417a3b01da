"""How django-axes names the account in a log-in attempt (settings.AXES_USERNAME_CALLABLE).

Django's AuthenticationForm sends the email as ``username``, while a form that calls
authenticate(email=...) sends ``email``; axes' default reads only one key and then locks
by IP alone. Emails are compared lower-cased, so "Jane@x.org" and "jane@x.org" share one
failure count and case variations cannot multiply an attacker's attempts.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

_KEYS = ("username", "email")
# axes stores the name in a 255-character column: a longer (hostile) value must not turn a
# failed log-in into a database error. No real email is that long (254 at most).
_MAX_LENGTH = 255


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    sources: list[Any] = [credentials or {}]
    if request is not None:
        sources.append(getattr(request, "POST", {}))
    for source in sources:
        for key in _KEYS:
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()[:_MAX_LENGTH]
    return None
