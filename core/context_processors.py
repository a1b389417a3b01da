"""Context for the layout every page shares (templates/base.html)."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

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


@cache
def _nav(urlconf: str | None, script_prefix: str) -> dict[str, str]:
    return {key: reverse(name, urlconf=urlconf) for key, name in NAV_URLS.items()}


def navigation(request: HttpRequest) -> dict[str, dict[str, str]]:
    """The layout's URLs: reversed once per URLconf and script prefix (every page asks for
    the same twelve; reversing them cost 0.24-0.36 ms per request, scripts/bench_micro.py)."""
    return {"nav": _nav(get_urlconf(), get_script_prefix())}
