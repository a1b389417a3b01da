"""Log-in throttling that runs before the log-in views.

LoginThrottleMiddleware
-----------------------
django-axes pauses log-in for one email address from one IP address after 5 failures.
That leaves guessing across many accounts from one address unthrottled, so failed log-ins
are also counted per IP address whatever the account (``RATE_LIMITS["login_ip"]``, counted
by accounts.receivers on Django's ``user_login_failed``); past the limit, log-in posts from
that address get the 429 page, which offers the password reset (it works during the pause).

It lives in accounts beside the other log-in protections (log redaction, rate limits);
the site-wide request guards (NUL characters, database outages) are in core.middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from accounts.ratelimit import ip_client, limit_used, rate_limit, too_many_requests

LOGIN_VIEWS = frozenset({"accounts:login", "admin:login"})


class LoginThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in LOGIN_VIEWS:
            return None
        limit = rate_limit("login_ip")
        retry_after = limit_used(limit=limit, client=ip_client(request))
        if retry_after is None:
            return None
        return too_many_requests(
            request,
            limit=limit,
            retry_after=retry_after,
            what="failed log-ins from your network",
            password_reset=True,
        )
