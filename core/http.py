"""Request helpers shared by every app's views.

django-htmx documents the HtmxHttpRequest type-hint pattern rather than shipping the
class; it lives in core, the layer every app may import.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing only)."""

    htmx: HtmxDetails


def safe_next(request: HttpRequest) -> str:
    """The request's ``next`` (POST, else GET) if it points to this site, else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""
