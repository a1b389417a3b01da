"""Template helpers so other apps' pages can show advising data with one include."""

from __future__ import annotations

from typing import Any

from django import template

from advising import selectors
from assessments.models import Plan
from assessments.plans.words import tier_word

register = template.Library()


@register.simple_tag
def plan_feedback_for(plan: Plan) -> selectors.PlanFeedback:
    """`{% plan_feedback_for plan as feedback %}`: comments and review status of a plan."""
    return selectors.plan_feedback(plan)


@register.simple_tag
def sharing_overview_for(user: Any) -> selectors.SharingOverview:
    """`{% sharing_overview_for user as sharing %}`: who can see the user's plans."""
    return selectors.sharing_overview(user)


@register.filter
def tier_label(tier: str | None) -> str:
    return tier_word(tier) if tier else ""


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def code_label(code: str) -> str:
    """ "visa_not_sponsored" -> "visa not sponsored"."""
    return str(code).replace("_", " ")
