"""Signal adapters. They only call services: no logic lives here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest

from accounts.models import User


def claim_anonymous_work(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Move the visitor's anonymous draft and plans to the account they just entered.

    Covers signup (which logs the new user in) and every login path alike.
    """
    if request is None or not hasattr(request, "session"):
        return
    from assessments.drafts import anonymous_work_claim

    anonymous_work_claim(request_session=request.session, user=user)


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
    user_logged_in.connect(claim_anonymous_work, dispatch_uid="accounts.claim_anonymous_work")
    user_login_failed.connect(count_failed_login, dispatch_uid="accounts.count_failed_login")
