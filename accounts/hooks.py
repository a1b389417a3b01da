"""Extension points of the log-in and the account page, for the apps built on accounts.

accounts imports no app above it (tests/infra/test_import_graph.py checks). An app that
needs a step after log-in, or a section on the account page, registers it here from its
AppConfig.ready(), as it registers its part of the personal-data export
(accounts.services.register_user_data_exporter). Registering a key again replaces the
previous entry, so module reloads in tests stay harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

# (request, the URL the log-in would go to) -> another URL to go to first, or None.
LoginRedirect = Callable[[HttpRequest, str], str | None]

_login_redirects: dict[str, LoginRedirect] = {}


def register_login_redirect(key: str, hook: LoginRedirect) -> None:
    """Let `hook` send a person who just logged in somewhere first (e.g. a question to
    answer), with the URL they were going to, which it should pass on as ``next``."""
    _login_redirects[key] = hook


def login_redirect(request: HttpRequest, url: str) -> str:
    """Where a successful log-in goes: the first registered hook's answer, else `url`."""
    for hook in _login_redirects.values():
        redirect_to = hook(request, url)
        if redirect_to:
            return redirect_to
    return url


@dataclass(frozen=True)
class AccountSection:
    template_name: str  # included in templates/accounts/home.html with the page's context
    context: Callable[[HttpRequest], dict[str, Any]]  # what the template needs


_account_sections: dict[str, AccountSection] = {}


def register_account_section(
    key: str, *, template_name: str, context: Callable[[HttpRequest], dict[str, Any]]
) -> None:
    """Add a section to the account page, in registration (INSTALLED_APPS) order. Its
    context is merged into the page's, so its keys must not clash with another section's."""
    _account_sections[key] = AccountSection(template_name=template_name, context=context)


def account_sections(request: HttpRequest) -> tuple[list[str], dict[str, Any]]:
    """The registered sections' templates, in order, and their merged context."""
    context: dict[str, Any] = {}
    for section in _account_sections.values():
        context.update(section.context(request))
    return [section.template_name for section in _account_sections.values()], context
