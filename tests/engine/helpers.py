"""Profiles and a runner for the pure engine tests (no database)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from assessments.engine import PlanResult, ProgramFacts, assess
from assessments.plan_json import plan_to_dict
from assessments.profile import parse_profile
from assessments.rules import DEFAULT_FEES, default_rules

TODAY = dt.date(2026, 6, 1)

# The example profile, read from the documented file so the docs cannot drift
# from what the tests check.
EXAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "example-profile.json").read_text()
)


def with_changes(profile: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``profile`` with ``changes``; nested keys as step2ck__score=245."""
    data = copy.deepcopy(profile)
    for key, value in changes.items():
        if "__" in key:
            outer, inner = key.split("__", 1)
            data[outer][inner] = value
        else:
            data[key] = value
    return data


def profile_data(**changes: Any) -> dict[str, Any]:
    """The example with changes; nested keys as step2ck__score=245 or step1={...}."""
    return with_changes(EXAMPLE, changes)


def run(
    data: dict[str, Any] | None = None,
    *,
    programs: list[ProgramFacts] | None = None,
    today: dt.date = TODAY,
    rules: dict | None = None,
    **changes: Any,
) -> PlanResult:
    data = data if data is not None else profile_data(**changes)
    profile = parse_profile(data, today=today)
    return assess(
        profile,
        rules=rules or default_rules(),
        fees=DEFAULT_FEES,
        programs=programs or [],
        today=today,
    )


def run_dict(data: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    return plan_to_dict(run(data, **kwargs))


_next_id = iter(range(1, 10**9))


def program(**fields: Any) -> ProgramFacts:
    """A program that excludes nobody and has every fact known unless told otherwise."""
    defaults: dict[str, Any] = {
        "id": next(_next_id),
        "name": "Program",
        "institution": "Hospital",
        "city": "Albany",
        "state": "OH",
        "specialty_code": "EM",
        "program_type": "university",
        "j1": "yes",
        "h1b": "yes",
        "img_share": 30,
        "step2_min": None,
        "step2_typical": 238,
        "max_yog": 10,
        "accepts_failures": "yes",
        "requires_usce": "no",
        "last_verified": TODAY,
    }
    defaults.update(fields)
    return ProgramFacts(**defaults)


def codes(result: PlanResult) -> set[str]:
    return {flag.code for flag in result.red_flags}
