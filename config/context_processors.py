"""Context for the layout every page shares (templates/base.html)."""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

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


@lru_cache(maxsize=8)
def _nav_urls(script_prefix: str) -> dict[str, str]:
    return {key: reverse(name) for key, name in NAV_URLS.items()}


def navigation(request: HttpRequest) -> dict[str, dict[str, str]]:
    """The layout's URLs, reversed once per process (and script prefix) instead of on every
    page: the URL configuration cannot change while the process runs."""
    return {"nav": _nav_urls(get_script_prefix())}
