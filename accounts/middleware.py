"""Request guards that run before any view.

RejectNulMiddleware
-------------------
A NUL character (``\\x00``, ``%00`` in a URL) in the path, the query string, form fields
or cookies is never meant, and PostgreSQL refuses to store or compare text that holds
one: a list filter such as ``/admin/programs/program/?state=%00`` would reach the
database and fail with a 500. Every such request gets a plain 400 here instead, in every
part of the site, the admin included. Uploaded file contents are not examined (an XLSX
file holds NUL bytes legitimately; the import checks its cells itself).

LoginThrottleMiddleware
-----------------------
django-axes pauses log-in for one email address from one IP address after 5 failures.
That leaves guessing across many accounts from one address unthrottled, so failed log-ins
are also counted per IP address whatever the account (``RATE_LIMITS["login_ip"]``, counted
by accounts.receivers on Django's ``user_login_failed``); past the limit, log-in posts from
that address get the 429 page, which offers the password reset (it works during the pause).

It lives in accounts beside the other request-level protections (log redaction, rate
limits); config/ holds only settings and entry points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict

from accounts.ratelimit import ip_client, limit_used, rate_limit, too_many_requests

NUL = "\x00"


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def request_has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or _has_nul(request.GET):
        return True
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return True
    return request.method == "POST" and _has_nul(request.POST)


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            response = HttpResponseBadRequest(
                "Bad request: the address or the form contains a NUL character (%00).",
                content_type="text/plain; charset=utf-8",
            )
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


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
