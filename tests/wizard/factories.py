from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from assessments.forms import application_years
from assessments.models import AssessmentDraft, Plan
from tests.accounts.factories import UserFactory

__all__ = ["DraftFactory", "PlanFactory", "UserFactory", "complete_answers", "step_post_data"]


def complete_answers(today: dt.date | None = None) -> dict[str, Any]:
    """A complete, valid draft (all four form steps), dated relative to today."""
    today = today or dt.date.today()
    return {
        "country": "India",
        "graduation_year": today.year - 3,
        "visa": "j1",
        "ecfmg_certified": False,
        "oet": "yes",
        "oet_passed": True,
        "step1": {"result": "pass", "attempts": 1, "score": None},
        "step2ck": {
            "score": 240,
            "attempts": 1,
            "test_date": (today - dt.timedelta(days=90)).isoformat(),
            "planned_date": None,
            "practice_scores": [],
        },
        "step3": {"result": "not_taken"},
        "usce_hands_on_months": 3,
        "observership_months": 2,
        "specialty_months": 2,
        "usce_months": 4,
        "usce_in_specialty_months": 2,
        "us_letters": 3,
        "sloes": 1,
        "publications": 0,
        "presentations": 1,
        "specialty_experience_years": 0,
        "specialty": "EM",
        "backup_specialties": ["IM"],
        "application_year": application_years(today)[-2],
        "preferred_states": ["NY", "TX"],
        "program_types": ["community"],
        "budget_usd": 1500,
    }


def step_post_data(step: str, today: dt.date | None = None, **overrides: Any) -> dict[str, Any]:
    """Valid POST data of one wizard step (the same answers as complete_answers)."""
    today = today or dt.date.today()
    data: dict[str, Any] = {
        "background": {
            "country": "India",
            "graduation_year": str(today.year - 3),
            "visa": "j1",
            "ecfmg_certified": "no",
            "oet": "yes",
        },
        "exams": {
            "step1_result": "pass",
            "step1_attempts": "1",
            "step1_score": "",
            "step2ck_taken": "yes",
            "step2ck_score": "240",
            "step2ck_test_date": (today - dt.timedelta(days=90)).isoformat(),
            "step2ck_attempts": "1",
            "step2ck_planned_date": "",
            "practice_score_1": "",
            "practice_score_2": "",
            "practice_score_3": "",
            "step3_result": "not_taken",
        },
        "experience": {
            "usce_hands_on_months": "3",
            "observership_months": "2",
            "specialty_months": "2",
            "us_letters": "3",
            "sloes": "1",
            "publications": "0",
            "presentations": "1",
            "specialty_experience_years": "0",
        },
        "goals": {
            "specialty": "EM",
            "backup_specialties": ["IM"],
            "application_year": str(application_years(today)[-2]),
            "preferred_states": ["NY", "TX"],
            "program_types": ["community"],
            "budget_usd": "1500",
        },
    }[step]
    data.update(overrides)
    return data


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentDraft

    owner = factory.SubFactory(UserFactory)
    answers = factory.LazyFunction(complete_answers)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    owner = factory.SubFactory(UserFactory)
    engine_version = "test"
    specialty_code = "EM"
    tier = "viable"
    red_flag_count = 1
    profile = factory.LazyFunction(dict)
    inputs = factory.LazyFunction(dict)
    output = factory.LazyFunction(lambda: {"tier": "viable", "red_flags": [], "programs": []})
