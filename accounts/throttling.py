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


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    sources: list[Any] = [credentials or {}]
    if request is not None:
        sources.append(getattr(request, "POST", {}))
    for source in sources:
        for key in _KEYS:
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None
