"""Site-wide middleware: a 400 for NUL characters, a clean 503 page on database outages,
and the admin's CSP.

It sits in core beside the other site-wide pages (home, /healthz and the 500 handler in
core.views); config/ holds only settings and entry points.

RejectNulMiddleware
-------------------
A NUL character (``\\x00``, ``%00`` in a URL) in the path, the query string, form fields
or cookies is never meant, and PostgreSQL refuses to store or compare text that holds
one: a list filter such as ``/admin/programs/program/?state=%00`` would reach the
database and fail with a 500. Every such request gets a plain 400 here instead, in every
part of the site, the admin included. Uploaded file contents are not examined (an XLSX
file holds NUL bytes legitimately; the import checks its cells itself).

DatabaseUnavailableMiddleware
-----------------------------

When PostgreSQL goes away (restart, failover) the first query of a request raises
OperationalError or InterfaceError. process_exception() turns that into the 503 page with
a Retry-After header. Errors raised outside the view (a session save on the way out, or
the 500 handler itself touching the database) are caught in __call__: a
got_request_exception receiver marks the request, and the 500 response that Django made
for it is replaced by the 503 page. CONN_HEALTH_CHECKS in settings makes the next request
after the database is back open a fresh connection, so the app recovers by itself.

The 503 page is rendered without the request: context processors (the demo notice, the
user) would query the database that is down.

AdminCSPMiddleware
------------------
django-csp's middleware, plus one exception for Django admin pages only (see below).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import sys
from collections.abc import Callable
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    QueryDict,
)
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
_FLAG = "_matchplan_database_unavailable"

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


def database_unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never cache an outage page in a proxy or browser.
    response["Cache-Control"] = "no-store"
    return response


def _mark_database_errors(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        setattr(request, _FLAG, True)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        got_request_exception.connect(
            _mark_database_errors, dispatch_uid="matchplan-database-unavailable"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS as exc:
            # Reached only when Django's own 500 handling failed on the database too.
            self._log(request, exc)
            return database_unavailable_response()
        if response.status_code == 500 and getattr(request, _FLAG, False):
            return database_unavailable_response()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            self._log(request, exception)
            return database_unavailable_response()
        return None

    @staticmethod
    def _log(request: HttpRequest, exc: Exception) -> None:
        # One line per request, no traceback: an outage floods the log otherwise. Path
        # only: the query string and body may carry applicant data.
        logger.warning(
            "Database unavailable: %s %s -> 503 (%s)",
            request.method,
            request.path,
            type(exc).__name__,
        )


# django-import-export's export page (admin/import_export/export.html, version 4.4) has
# two style attributes and an onchange handler for its "Select all" box. Instead of
# 'unsafe-inline', the admin alone allows exactly these three strings by hash
# ('unsafe-hashes' only permits attribute code whose hash is listed). The rest of the
# admin needs nothing: Django 5.2's admin has no inline code. A test checks the strings
# are still in the installed template, so an upgrade that changes them is noticed.
ADMIN_INLINE_ATTRIBUTES = {
    "script-src": ["onSelectToggleChange(event)"],
    "style-src": ["padding: 0;", "font-weight: bold;"],
}


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


ADMIN_CSP_UPDATE = {
    directive: ["'unsafe-hashes'", *(_csp_hash(s) for s in sources)]
    for directive, sources in ADMIN_INLINE_ATTRIBUTES.items()
}


class AdminCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if not report_only and match is not None and match.app_name == "admin":
            update = dict(parts.update or {})
            for directive, sources in ADMIN_CSP_UPDATE.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts
