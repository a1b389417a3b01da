"""Request typing shared by every app's views.

django-htmx documents this type-hint pattern rather than shipping the class; it lives
here because every app already depends on accounts (the user model).
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing only)."""

    htmx: HtmxDetails
