"""Template helpers of the saved-plan pages (also used by the advisor's read-only review)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from assessments.plans.reader import as_date
from assessments.plans.view import plan_view_lazy
from assessments.plans.words import tier_word as plan_tier_word

register = template.Library()


# `{% plan_view_for plan as pv %}`: the view of a saved plan, parsed only if read (when a
# cached fragment that shows it is missing).
register.simple_tag(plan_view_lazy, name="plan_view_for")


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@register.simple_tag
def num_range(low: Any, high: Any, unit: str = "") -> str:
    """`{% num_range 60 80 %}` -> "60–80"; equal ends give one number; unknown gives "—"."""
    low, high = _number(low), _number(high)
    if low is None and high is None:
        return "—"
    if low is None or high is None or low == high:
        text = intcomma(low if low is not None else high)
    else:
        text = f"{intcomma(low)}–{intcomma(high)}"
    return f"{text}{unit}"


@register.simple_tag
def usd_range(low: Any, high: Any) -> str:
    """`{% usd_range 3035 4535 %}` -> "$3,035–$4,535"."""
    low, high = _number(low), _number(high)
    if low is None and high is None:
        return "—"
    if low is None or high is None or low == high:
        return f"${intcomma(low if low is not None else high)}"
    return f"${intcomma(low)}–${intcomma(high)}"


@register.filter
def tier_word(tier: str | None) -> str:
    return plan_tier_word(tier)


@register.filter
def capfirst_word(code: Any) -> str:
    """ "high" -> "High", "score_below_minimum" -> "Score below minimum"."""
    text = str(code or "").replace("_", " ")
    return text[:1].upper() + text[1:]


@register.filter
def signed(value: Any) -> str:
    """A change as "+5", "−3" or "±0"; unknown as "—"."""
    number = _number(value)
    if number is None:
        return "—"
    if number > 0:
        return f"+{intcomma(number)}"
    if number < 0:
        return f"−{intcomma(-number)}"
    return "±0"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def iso_date(value: Any) -> dt.date | Any:
    """A date stored in a plan's JSON ("2026-10-08") as a date, for the ``date`` filter; any
    other value as it is."""
    return as_date(value) or value
