"""Profiles, programs and saved plans for the plan-page tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from assessments.models import Plan
from assessments.services import plan_create
from programs.models import Program
from tests.accounts.factories import PASSWORD, UserFactory
from tests.engine.helpers import with_changes
from tests.programs.factories import ProgramFactory, specialty

__all__ = [
    "PASSWORD",
    "ProgramFactory",
    "UserFactory",
    "em_programs",
    "make_plan",
    "profile_data",
]


def profile_data(**changes: Any) -> dict[str, Any]:
    """A valid EM profile (backup IM) dated relative to today; nested keys as step2ck__score."""
    today = timezone.localdate()
    data: dict[str, Any] = {
        "specialty": "EM",
        "backup_specialties": ["IM"],
        "visa": "j1",
        "graduation_year": today.year - 2,
        "application_year": today.year,
        "step1": {"result": "pass", "attempts": 1, "score": None},
        "step2ck": {
            "score": 238,
            "attempts": 1,
            "test_date": (today - dt.timedelta(days=60)).isoformat(),
            "planned_date": None,
            "practice_scores": [],
        },
        "step3": {"result": "not_taken"},
        "ecfmg_certified": False,
        "usce_months": 3,
        "usce_in_specialty_months": 2,
        "us_letters": 2,
        "sloes": 1,
        "publications": 0,
        "presentations": 1,
        "specialty_experience_years": 0,
        "preferred_states": ["NY", "TX"],
        "program_types": ["community"],
        "budget_usd": 1500,
    }
    return with_changes(data, changes)


def em_programs(count: int, **fields: Any) -> list[Program]:
    """``count`` EM programs that a J-1 applicant with a 238 is not excluded from."""
    defaults: dict[str, Any] = {
        "specialty": specialty("EM"),
        "j1": "yes",
        "step2_min": 214,
        "max_yog": None,
        "requires_usce": "no",
    }
    return ProgramFactory.create_batch(count, **(defaults | fields))


def make_plan(owner: Any = None, **changes: Any) -> Plan:
    return plan_create(owner=owner, profile_data=profile_data(**changes))
