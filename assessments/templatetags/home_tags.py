"""The home page's applicant part (templates/core/home.html): core's view imports no app,
so the page asks assessments for the latest plan through this tag."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import OuterRef, Subquery

from assessments.models import Plan
from assessments.plans.queries import plans_of
from programs.models import Specialty

register = template.Library()


@register.simple_tag
def latest_plan_of(user: Any) -> Plan | None:
    """`{% latest_plan_of user as latest_plan %}`: the account's newest plan, or None, with
    ``specialty_name`` (the catalog's name for its code; None if the specialty is gone)."""
    if not getattr(user, "is_authenticated", False):
        return None
    names = Specialty.objects.filter(code=OuterRef("specialty_code")).values("name")[:1]
    return plans_of(user).annotate(specialty_name=Subquery(names)).first()
