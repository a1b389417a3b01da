"""A database outage gives visitors a clean 503 page, never a traceback.

It sits in assessments beside the other site-wide pages (home, /healthz and the 500
handler in assessments.views.pages); config/ holds only settings and entry points.

When PostgreSQL goes away (restart, failover) the first query of a request raises
OperationalError or InterfaceError. process_exception() turns that into the 503 page with
a Retry-After header. Errors raised outside the view (a session save on the way out, or
the 500 handler itself touching the database) are caught in __call__: a
got_request_exception receiver marks the request, and the 500 response that Django made
for it is replaced by the 503 page. CONN_HEALTH_CHECKS in settings makes the next request
after the database is back open a fresh connection, so the app recovers by itself.

The 503 page is rendered without the request: context processors (the demo notice, the
user) would query the database that is down.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
_FLAG = "_matchplan_database_unavailable"


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
        except DATABASE_ERRORS:
            # Reached only when Django's own 500 handling failed on the database too.
            self._log(request)
            return database_unavailable_response()
        if response.status_code == 500 and getattr(request, _FLAG, False):
            return database_unavailable_response()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            self._log(request)
            return database_unavailable_response()
        return None

    @staticmethod
    def _log(request: HttpRequest) -> None:
        # Path only: the query string and body may carry applicant data.
        logger.warning(
            "Database unavailable: %s %s -> 503", request.method, request.path, exc_info=True
        )
