"""Site-wide pages: the home page, the health check and the 500 handler.

Their URL names stay in the ``assessments`` namespace (``assessments:home``,
``assessments:healthz``), where every template, setting and script already reverses them.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # The returning applicant's latest plan comes from assessments' template tag
    # (plan_tags.latest_plan_of): core imports no app.
    return render(request, "core/home.html")


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachable: 200; not: 503. Does no other work (the load-test ceiling)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: context processors query the database,
    # which may be exactly what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
