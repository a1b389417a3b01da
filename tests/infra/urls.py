"""Test-only URLs: the real site plus views that fail in controlled ways."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as site_urlpatterns


def raise_operational_error(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1 port 5432 failed")


def raise_interface_error(request: HttpRequest) -> HttpResponse:
    raise InterfaceError("connection already closed")


def raise_value_error(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug, not an outage")


def raise_permission_denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def touch_session(request: HttpRequest) -> HttpResponse:
    request.session["seen"] = True  # saved by SessionMiddleware on the way out
    return HttpResponse("ok")


urlpatterns = [
    path("_test/operational-error/", raise_operational_error),
    path("_test/interface-error/", raise_interface_error),
    path("_test/value-error/", raise_value_error),
    path("_test/permission-denied/", raise_permission_denied),
    path("_test/touch-session/", touch_session),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
