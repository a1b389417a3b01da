"""Services of the assessments app.

``plan_compute`` (the strategy engine's entry point for views, the CLI and the what-if panel)
comes first; plan persistence (``plan_create`` and friends) follows below it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction

from assessments import engine, selectors
from assessments.engine import PlanResult
from assessments.models import Plan
from assessments.profile import ProfileError, parse_profile

__all__ = ["ProfileError", "plan_compute", "plan_create"]


def plan_compute(
    *, profile_data: Mapping[str, Any], today: dt.date | None = None
) -> tuple[PlanResult, dict[str, Any]]:
    """Validate the profile JSON and compute its plan from the current rules, fees and programs.

    Returns the engine's result and the JSON snapshot of the inputs used (profile, rule
    parameters of the specialties involved, fee schedule, engine thresholds, date); the facts of
    each listed program are embedded in the plan's program entries. Raises
    :class:`ProfileError` (``.errors``: field path -> message) for invalid data. Reads only.
    """
    today = today or dt.date.today()
    rules = selectors.rules_by_code()
    profile = parse_profile(profile_data, specialty_codes=rules.keys(), today=today)
    if profile.specialty not in rules:  # only when the rule table is empty
        raise ProfileError({"specialty": f"No rule parameters for {profile.specialty}."})
    # Partners are fetched too: the engine may advise one when the profile lists no backup.
    codes = {profile.specialty, *profile.backup_specialties}
    codes.update(rules[profile.specialty].dual_partners)
    fees = selectors.active_fee_schedule()
    programs = selectors.program_facts_for(codes)
    result = engine.assess(profile, rules=rules, fees=fees, programs=programs, today=today)
    used = [result.primary.code, *(b.code for b in result.backups)]
    inputs = {
        "engine_version": engine.ENGINE_VERSION,
        "today": today.isoformat(),
        "rules": {code: selectors.rules_to_dict(rules[code]) for code in used},
        "fees": selectors.fees_to_dict(fees),
        "passing_standards": [
            {"since": since.isoformat(), "score": score}
            for since, score in engine.PASSING_STANDARDS
        ],
        "thresholds": engine.thresholds(),
        "programs_considered": result.programs_considered,
    }
    return result, inputs


# --- plan persistence -------------------------------------------------------------------------
# Minimal version written with the wizard; the plan pages' work may extend it, keeping this
# signature (the wizard's review step calls it).


def plan_create(
    *,
    owner: Any | None,
    profile_data: Mapping[str, Any],
    session_token_sink: Callable[[uuid.UUID], None] | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Compute the plan for ``profile_data`` and store it as an immutable snapshot.

    ``owner`` is the account (None for an anonymous visitor); for an anonymous plan,
    ``session_token_sink(token)`` records the plan's token so that the visitor's session can
    open it and, on signup or login, move it to the account. Raises :class:`ProfileError`.
    """
    result, inputs = plan_compute(profile_data=profile_data, today=today)
    output = engine.plan_to_dict(result)
    with transaction.atomic():
        plan = Plan.objects.create(
            owner=owner,
            engine_version=result.engine_version,
            specialty_code=result.specialty,
            tier=result.tier,
            red_flag_count=len(result.red_flags),
            profile=dict(profile_data),
            inputs=inputs,
            output=output,
        )
    if owner is None and session_token_sink is not None:
        session_token_sink(plan.token)
    return plan
