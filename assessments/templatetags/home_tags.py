"""The home page's applicant part (templates/core/home.html): core's view imports no app,
so the page asks assessments for the latest plan through this tag."""

from __future__ import annotations

from typing import Any

from django import template

from assessments.models import Plan
from assessments.plans.queries import plans_of

register = template.Library()


@register.simple_tag
def latest_plan_of(user: Any) -> Plan | None:
    """`{% latest_plan_of user as latest_plan %}`: the account's newest plan, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return plans_of(user).first()
