from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/home.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachable: 200; not: 503. Does no other work (the load-test ceiling)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def methodology(request: HttpRequest) -> HttpResponse:  # replaced by the engine work
    return render(request, "assessments/home.html")


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
