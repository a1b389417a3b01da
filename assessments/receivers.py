"""Signal adapters and account hooks of assessments. They only call services: no logic
lives here. Connected from AssessmentsConfig.ready(): accounts, which sends the signals and
owns the hooks, imports no app above it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from accounts.hooks import register_account_section, register_login_redirect
from assessments.drafts import anonymous_work_claim, draft_for_user, pending_draft_choice

if TYPE_CHECKING:
    from accounts.models import User


def claim_anonymous_work(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Move the visitor's anonymous draft and plans to the account they just entered.

    Covers signup (which logs the new user in) and every login path alike.
    """
    if request is None or not hasattr(request, "session"):
        return
    anonymous_work_claim(request_session=request.session, user=user)


def draft_choice_first(request: HttpRequest, url: str) -> str | None:
    """After log-in, when the visitor's answers from before differ from the account's saved
    ones: ask which to keep (the draft choice page), then go on to `url`."""
    if pending_draft_choice(request) is None:
        return None
    return f"{reverse('assessments:draft_choice')}?{urlencode({'next': url})}"


def account_section_context(request: HttpRequest) -> dict[str, Any]:
    """The account page's "Your self-assessment and plans" section."""
    user = request.user
    return {
        "draft": draft_for_user(user=user),
        "plan_count": user.plans.count(),
        "latest_plans": user.plans.order_by("-created_at", "-pk")[:3],
    }


def connect() -> None:
    user_logged_in.connect(claim_anonymous_work, dispatch_uid="assessments.claim_anonymous_work")
    register_login_redirect("assessments.draft_choice", draft_choice_first)
    register_account_section(
        "assessments",
        template_name="assessments/account_section.html",
        context=account_section_context,
    )
