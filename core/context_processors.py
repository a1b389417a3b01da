"""Context for the layout every page shares (templates/base.html)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

# The layout's links, by the name base.html uses for each.
NAV_URLS = {
    "home": "assessments:home",
    "wizard": "assessments:wizard",
    "programs": "programs:list",
    "methodology": "assessments:methodology",
    "plans": "assessments:plan_list",
    "season": "tracker:home",
    "advising": "advising:dashboard",
    "admin": "admin:index",
    "account": "accounts:home",
    "login": "accounts:login",
    "logout": "accounts:logout",
    "signup": "accounts:signup",
}


def navigation(request: HttpRequest) -> dict[str, dict[str, str]]:
    """The layout's URLs."""
    return {"nav": {key: reverse(name) for key, name in NAV_URLS.items()}}
