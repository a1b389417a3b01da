"""Signal adapters. They only call services: no logic lives here.

The anonymous work a visitor did before logging in is claimed by assessments' own
receiver (assessments.receivers): accounts imports no app above it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest


def count_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Count a failed log-in against its IP address, whatever the account
    (accounts.middleware.LoginThrottleMiddleware refuses log-ins past the limit)."""
    if request is None:
        return
    from accounts.ratelimit import ip_client, limit_hit, rate_limit

    limit_hit(limit=rate_limit("login_ip"), client=ip_client(request))


def connect() -> None:
    user_login_failed.connect(count_failed_login, dispatch_uid="accounts.count_failed_login")
