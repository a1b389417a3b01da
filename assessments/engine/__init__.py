"""The strategy engine: from a profile to an explainable plan.

Pure Python: no Django, no ORM, no request, no writes. Everything it knows comes in as frozen
dataclasses (the profile, per-specialty rule parameters, the fees, program facts and today's
date), and one plan comes out. Views, ``manage.py assess`` and the what-if panel all call
:func:`assess`; :func:`assessments.plan_json.plan_to_dict` gives the JSON documented in
docs/assess.md and docs/plan.schema.json. Every statement in the plan carries the ``rule`` that
produced it and its ``source``; docs/rules.md lists them all.

The package's modules follow the plan's parts, each importing only from the ones before it:
``constants`` (sources, passing standard, thresholds, fit constants), ``inputs`` (rules, fees,
season and program facts), ``outputs`` (the plan's dataclasses), ``exams``, ``tiers``,
``calendar``, ``flags`` (red flags), ``strategy`` (applications, dual application, specialty
plans), ``next_steps`` (actions), ``matching`` (program matching, catalog coverage, fit),
``season`` (eligibility, signals, comparison group, PGY-1 year, season choice), ``citations``
and ``entry`` (:func:`assess` and :func:`standings`). This module re-exports the names the rest
of the app and the tests use, so ``from assessments import engine`` and ``engine.assess(...)``
work as before; anything else is imported from its module.
"""

from assessments.engine.calendar import (
    SEASON_EVENTS,
    eras_opens,
    key_date,
    match_day,
    rank_list_deadline,
    season_date_rules,
)
from assessments.engine.citations import own_source
from assessments.engine.constants import (
    ENGINE_VERSION,
    EXCLUSION_REASONS,
    FIT_LIKELY_MARGIN,
    FIT_LIKELY_MAX,
    FIT_NEW_PROGRAM_YEARS,
    FIT_TARGET_MAX,
    FITS,
    IMPACTS,
    MULTIPLE_FAILURES_HIGH_RISK,
    PASSING_STANDARDS,
    SEVERITIES,
    SRC_ASSUMPTION,
    SRC_CORD,
    SRC_EM,
    SRC_FEES,
    SRC_GENERAL,
    SRC_GS,
    SRC_NRMP,
    SRC_USMLE,
    STALE_AFTER_DAYS,
    STEP1_FAILURE_CAP,
    STEP2CK_LATE_AFTER_MONTH_DAY,
    STEP2CK_TARGET_MONTH_DAY,
    TIER_LABELS,
    TIERS,
    passing_standard,
    thresholds,
)
from assessments.engine.entry import Standing, assess, standings
from assessments.engine.exams import exam_history, yog_grade
from assessments.engine.inputs import (
    PLATFORM_ERAS,
    PLATFORM_RCAS,
    Fees,
    KeyDate,
    NrmpFees,
    PlatformFees,
    ProgramFacts,
    SeasonFacts,
    SignalRule,
    SourceRef,
    SpecialtyRules,
    platform_for,
    season_facts_for,
    season_of,
)
from assessments.engine.matching import name_ranks
from assessments.engine.outputs import Milestone, PlanResult, Reason, RedFlag, ScoreUsed, TierStep
from assessments.engine.season import eligibility, signal_season_words
from assessments.engine.tiers import band_of

__all__ = [
    "ENGINE_VERSION",
    "EXCLUSION_REASONS",
    "FITS",
    "FIT_LIKELY_MARGIN",
    "FIT_LIKELY_MAX",
    "FIT_NEW_PROGRAM_YEARS",
    "FIT_TARGET_MAX",
    "Fees",
    "IMPACTS",
    "KeyDate",
    "MULTIPLE_FAILURES_HIGH_RISK",
    "Milestone",
    "NrmpFees",
    "PASSING_STANDARDS",
    "PLATFORM_ERAS",
    "PLATFORM_RCAS",
    "PlanResult",
    "PlatformFees",
    "ProgramFacts",
    "Reason",
    "RedFlag",
    "SEASON_EVENTS",
    "SEVERITIES",
    "SRC_ASSUMPTION",
    "SRC_CORD",
    "SRC_EM",
    "SRC_FEES",
    "SRC_GENERAL",
    "SRC_GS",
    "SRC_NRMP",
    "SRC_USMLE",
    "STALE_AFTER_DAYS",
    "STEP1_FAILURE_CAP",
    "STEP2CK_LATE_AFTER_MONTH_DAY",
    "STEP2CK_TARGET_MONTH_DAY",
    "ScoreUsed",
    "SeasonFacts",
    "SignalRule",
    "SourceRef",
    "SpecialtyRules",
    "Standing",
    "TIERS",
    "TIER_LABELS",
    "TierStep",
    "assess",
    "band_of",
    "eligibility",
    "eras_opens",
    "exam_history",
    "key_date",
    "match_day",
    "name_ranks",
    "own_source",
    "passing_standard",
    "platform_for",
    "rank_list_deadline",
    "season_date_rules",
    "season_facts_for",
    "season_of",
    "signal_season_words",
    "standings",
    "thresholds",
    "yog_grade",
]
