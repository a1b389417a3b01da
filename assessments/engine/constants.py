"""Constants of the engine: sources, the Step 2 CK passing standard, the thresholds of its
own rules and the program-fit constants (docs/rules.md explains each)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

ENGINE_VERSION = "1.0.0"

TIERS: tuple[str, ...] = ("strong", "viable", "risk", "high_risk")  # best first
TIER_LABELS = {"strong": "strong", "viable": "viable", "risk": "at risk", "high_risk": "high risk"}
FITS: tuple[str, ...] = ("likely", "target", "reach")  # best first
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")
IMPACTS: tuple[str, ...] = ("high", "medium", "low")
MILESTONE_STATUSES: tuple[str, ...] = ("done", "due", "overdue")

# --- sources (short citations shown next to every statement) -----------------------------
SRC_EM = "EM article: Step score strategies for non-US citizen IMGs in emergency medicine"
SRC_GS = (
    "Prelim surgery article: Step score strategy for non-US citizen IMGs in preliminary surgery"
)
SRC_BOTH = f"{SRC_EM}; {SRC_GS}"
# What a plan of another specialty cites instead of an article about EM or surgery.
SRC_GENERAL = "MatchPlan rule for every specialty (general advice to IMGs; our assumption)"
SRC_NRMP = "NRMP Charting Outcomes 2026, non-US IMGs"
SRC_USMLE = "USMLE minimum passing score announcements (reported by ECFMG)"
SRC_USMLE_ATTEMPTS = "USMLE attempt limit (4 per Step, since July 2021)"
# Four unpassed attempts on any Step: ineligible for every Step (SRC_USMLE_ATTEMPTS).
USMLE_MAX_ATTEMPTS = 4
SRC_ECFMG = "ECFMG certification requirements"
SRC_VISA = "ECFMG J-1 sponsorship and H-1B petition requirements"
SRC_FEES = "AAMC ERAS and NRMP fee schedules"
SRC_BMC = "BMC Medical Education 2024 (fewer specialties applied to, higher match odds)"
SRC_CORD = "CORD advice to EM applicants (2 SLOEs, at least 12 ranks)"
SRC_NRMP_CALENDAR = "NRMP Main Residency Match calendar (dates approximate)"
SRC_ERAS_CALENDAR = "AAMC ERAS calendar (dates approximate)"
SRC_PROGRAM = "program record"
SRC_ASSUMPTION = "MatchPlan assumption (explained on the methodology page)"

# --- USMLE Step 2 CK passing standard by test date -----------------------------------------
# (effective from, minimum passing score). A score under the standard in force on its test
# date is a failed attempt. Dates before the first entry use the first entry's standard.
PASSING_STANDARDS: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2014, 7, 1), 209),
    (dt.date(2022, 7, 1), 214),
    (dt.date(2025, 7, 1), 218),
)

# --- thresholds of the engine's own rules (docs/rules.md explains each) --------------------
STEP1_FAILURE_CAP = "viable"  # one failed attempt caps the tier here (EM article's viable row)
MULTIPLE_FAILURES_HIGH_RISK = 2  # failed attempts across Steps that mean high risk
PRACTICE_BELOW_TARGET_POINTS = 15  # practice score this far under the target: reschedule
STEP2CK_TARGET_MONTH_DAY = (7, 31)  # take Step 2 CK by the end of July of the application year
STEP2CK_LATE_AFTER_MONTH_DAY = (8, 10)  # planned after early August: step2ck_late
FIT_LIKELY_MARGIN = 5  # score >= typical + 5: likely
FIT_TARGET_MARGIN = 5  # typical - 5 < score < typical + 5: target; lower: reach
IMG_FEW_SHARE = 10  # IMG share (%) under which a program gets no signal (signal_plans)
# An observership month counts as half a hands-on month in usce_months (the wizard's weighting)
# and never as hands-on experience: observers take no part in patient care.
OBSERVERSHIP_WEIGHT = 0.5
NEAR_UNMATCHED_MARGIN = 5  # a score under unmatched median + 5 is never "strong"
STALE_AFTER_DAYS = 365  # program facts older than this are marked "verify"
RANK_BONUS_STATE = 4  # ranking points for a preferred state
RANK_BONUS_TYPE = 3  # ranking points for a preferred program type
FIT_RANK_POINTS = {"likely": 30, "target": 20, "reach": 10}
# Academic share of the applications by tier (the rest community / IMG-heavy). EM strong
# (15-20 academic of 35-45) is from the EM article; the others are assumptions.
ACADEMIC_SHARE = {"strong": 0.45, "viable": 0.30, "risk": 0.15, "high_risk": 0.10}
# Share of categorical general surgery in a prelim surgery list, by tier (assumption built on
# the prelim surgery article's "a mix of categorical and prelim spots if financially possible").
GS_CATEGORICAL_SHARE = {"strong": 0.25, "viable": 0.15, "risk": 0.0, "high_risk": 0.0}
EXCLUSION_REASONS: tuple[str, ...] = (
    "visa",
    "yog",
    "exam_failures",
    "score_below_minimum",
    "usce_required",
    "military",
    "not_accepting",
    "platform",
    "no_positions",
)
# --- program fit without per-program scores (docs/rules.md, "Program fit") ---------------
# A program's difficulty for this applicant = its selectivity points + the applicant's
# points; the label follows the sum. Selectivity comes from the facts public listings carry.
FIT_TIER_POINTS = {"strong": 0, "viable": 2, "risk": 4, "high_risk": 6}
# Red flags that programs screen applications on, one point each (at most two).
FIT_SCREEN_FLAGS: tuple[str, ...] = ("yog_old", "no_usce", "no_us_letters", "no_sloe")
FIT_SCREEN_FLAG_MAX = 2
# IMG share against the specialty's own programs: the share of programs with a lower share
# (percentile) -> points. Bottom 15 %: the few-IMG programs; top 15 %: the IMG-heavy ones.
FIT_IMG_PERCENTILE_POINTS: tuple[tuple[float, int], ...] = (
    (0.15, 2),
    (0.40, 1),
    (0.60, 0),
    (0.85, -1),
    (1.01, -2),
)
FIT_TYPE_POINTS = {
    "university": 1,
    "community_university": 0,
    "community": -1,
    "military": 1,
    "unknown": 0,
}
FIT_LARGE_POSITIONS = 20  # first-year positions at or above: -1 (more places)
FIT_SMALL_POSITIONS = 4  # at or below (but above 0): +1
FIT_NEW_PROGRAM_YEARS = 5  # accredited within this many years of the season: -1
FIT_LIKELY_MAX = -1  # difficulty at or below: likely
FIT_TARGET_MAX = 2  # difficulty at or below: target; above: reach
FIT_FEW_TARGETS = 10  # fewer likely + target programs than this: the plan explains
YOG_VERIFY_AFTER = 3  # an unknown YOG limit gates applicants more than this many years out
# Platforms a specialty's applications go through, when the caller passes none (the season
# data of assessments.rules may pass its own per plan).
DEFAULT_PLATFORMS: Mapping[str, frozenset[str]] = {"EM": frozenset({"residencycas"})}
DEFAULT_PLATFORM = frozenset({"eras"})
PLATFORM_NAMES = {"eras": "ERAS", "residencycas": "ResidencyCAS", "other": "another platform"}


def targets_words(visa: str) -> str:
    """The programs to aim at: visa sponsors that already train IMGs; for an applicant who needs
    no visa (US citizen or permanent resident) sponsorship is beside the point."""
    if visa == "none":
        return "programs that already train IMGs"
    return "programs that sponsor your visa and already train IMGs"


def _matching_platforms(plans: Sequence[Any]) -> dict[str, frozenset[str]]:
    """The platform each plan applies through (season data: ``SpecialtyPlan.platform``, e.g.
    "ResidencyCAS"), as the catalog's ``application_platform`` codes."""
    return {p.code: frozenset({p.platform.lower()}) for p in plans if p.platform}


def thresholds() -> dict[str, Any]:
    """The engine's own constants, for the methodology page and the plan snapshot."""
    return {
        "step1_failure_cap": STEP1_FAILURE_CAP,
        "multiple_failures_high_risk": MULTIPLE_FAILURES_HIGH_RISK,
        "practice_below_target_points": PRACTICE_BELOW_TARGET_POINTS,
        "step2ck_target": "{:02d}-{:02d}".format(*STEP2CK_TARGET_MONTH_DAY),
        "step2ck_late_after": "{:02d}-{:02d}".format(*STEP2CK_LATE_AFTER_MONTH_DAY),
        "fit_likely_margin": FIT_LIKELY_MARGIN,
        "fit_target_margin": FIT_TARGET_MARGIN,
        "stale_after_days": STALE_AFTER_DAYS,
        "rank_bonus_state": RANK_BONUS_STATE,
        "rank_bonus_type": RANK_BONUS_TYPE,
        "fit_rank_points": dict(FIT_RANK_POINTS),
        "academic_share": dict(ACADEMIC_SHARE),
        "gs_categorical_share": dict(GS_CATEGORICAL_SHARE),
        "exclusion_reasons": list(EXCLUSION_REASONS),
        "fit_tier_points": dict(FIT_TIER_POINTS),
        "fit_screen_flags": list(FIT_SCREEN_FLAGS),
        "fit_img_percentile_points": [list(band) for band in FIT_IMG_PERCENTILE_POINTS],
        "fit_type_points": dict(FIT_TYPE_POINTS),
        "fit_large_positions": FIT_LARGE_POSITIONS,
        "fit_small_positions": FIT_SMALL_POSITIONS,
        "fit_new_program_years": FIT_NEW_PROGRAM_YEARS,
        "fit_likely_max": FIT_LIKELY_MAX,
        "fit_target_max": FIT_TARGET_MAX,
        "fit_few_targets": FIT_FEW_TARGETS,
        "fit_screen_flag_max": FIT_SCREEN_FLAG_MAX,
        "yog_verify_after": YOG_VERIFY_AFTER,
    }


def passing_standard(on: dt.date) -> int:
    """The Step 2 CK minimum passing score in force on ``on``."""
    standard = PASSING_STANDARDS[0][1]
    for since, score in PASSING_STANDARDS:
        if on >= since:
            standard = score
    return standard
