"""The strategy engine: from a profile to an explainable plan.

Pure Python: no Django, no ORM, no request, no writes. Everything it knows comes in as frozen
dataclasses (the profile, per-specialty rule parameters, the fee schedule, program facts and
today's date), and one plan comes out. Views, ``manage.py assess`` and the what-if panel all call
:func:`assess`; :func:`plan_to_dict` gives the JSON documented in docs/assess.md and
docs/plan.schema.json. Every statement in the plan carries the ``rule`` that produced it and
its ``source``; docs/rules.md lists them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assessments.profile import Profile

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
SRC_NRMP = "NRMP Charting Outcomes 2026, non-US IMGs"
SRC_USMLE = "USMLE minimum passing score announcements (reported by ECFMG)"
SRC_USMLE_ATTEMPTS = "USMLE attempt limit (4 per Step, since July 2021)"
SRC_ECFMG = "ECFMG certification requirements"
SRC_VISA = "ECFMG J-1 sponsorship and H-1B petition requirements"
SRC_FEES = "AAMC ERAS and NRMP fee schedules"
SRC_BMC = "BMC Medical Education 2024 (fewer specialties applied to, higher match odds)"
SRC_CORD = "CORD advice to EM applicants (2 SLOEs, at least 12 ranks)"
SRC_NRMP_CALENDAR = "NRMP Main Residency Match calendar (dates approximate)"
SRC_ERAS_CALENDAR = "AAMC ERAS calendar (dates approximate)"
SRC_PROGRAM = "program record"
SRC_ASSUMPTION = "MatchPlan assumption, see docs/rules.md"

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
IMG_FRIENDLY_SHARE = 50  # IMG share (%) at or above which the fit moves up one step
IMG_FEW_SHARE = 10  # IMG share (%) under which the fit moves down one step
STALE_AFTER_DAYS = 365  # program facts older than this are marked "verify"
RANK_BONUS_STATE = 4  # ranking points for a preferred state
RANK_BONUS_TYPE = 3  # ranking points for a preferred program type
RANK_BONUS_IMG_FRIENDLY = 2
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
)


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
        "img_friendly_share": IMG_FRIENDLY_SHARE,
        "img_few_share": IMG_FEW_SHARE,
        "stale_after_days": STALE_AFTER_DAYS,
        "rank_bonus_state": RANK_BONUS_STATE,
        "rank_bonus_type": RANK_BONUS_TYPE,
        "rank_bonus_img_friendly": RANK_BONUS_IMG_FRIENDLY,
        "fit_rank_points": dict(FIT_RANK_POINTS),
        "academic_share": dict(ACADEMIC_SHARE),
        "gs_categorical_share": dict(GS_CATEGORICAL_SHARE),
        "exclusion_reasons": list(EXCLUSION_REASONS),
    }


def passing_standard(on: dt.date) -> int:
    """The Step 2 CK minimum passing score in force on ``on``."""
    standard = PASSING_STANDARDS[0][1]
    for since, score in PASSING_STANDARDS:
        if on >= since:
            standard = score
    return standard


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpecialtyRules:
    """Rule parameters of one specialty (from the SpecialtyRule table, or rules.DEFAULT_RULES)."""

    code: str
    name: str
    track: str
    basis: str  # article | derived | assumption
    strong_min: int
    viable_min: int
    risk_min: int
    apps_strong_min: int
    apps_strong_max: int
    apps_viable_min: int
    apps_viable_max: int
    apps_risk_min: int
    apps_risk_max: int
    apps_high_risk_min: int
    apps_high_risk_max: int
    dual_partners: tuple[str, ...] = ()
    recommended_ranks: int = 12
    yog_limit_years: int = 5
    h1b_band_shift: int = 5
    after_failure_min_step2: int = 230
    usce_target_months: int = 3
    us_letters_target: int = 3
    sloes_target: int = 0
    matched_median: int | None = None
    unmatched_median: int | None = None
    matched_ranks_median: float | None = None
    unmatched_ranks_median: float | None = None
    match_rate_pct: int | None = None
    stats_source: str = SRC_NRMP
    source_note: str = ""

    def apps_for(self, tier: str) -> tuple[int, int]:
        return getattr(self, f"apps_{tier}_min"), getattr(self, f"apps_{tier}_max")


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    season: int
    eras_fee_first_tier: int = 11
    eras_first_tier_size: int = 30
    eras_fee_after: int = 30
    usmle_transcript_fee: int = 80
    nrmp_registration_fee: int = 75
    nrmp_included_ranks: int = 20
    nrmp_extra_rank_fee: int = 30
    source_note: str = ""

    def eras_cost(self, applications: int) -> int:
        """ERAS fees of ``applications`` programs in ONE specialty (tiers count per specialty)."""
        first = min(applications, self.eras_first_tier_size)
        return first * self.eras_fee_first_tier + (applications - first) * self.eras_fee_after

    def nrmp_cost(self, ranks: int) -> int:
        extra = max(0, ranks - self.nrmp_included_ranks)
        return self.nrmp_registration_fee + extra * self.nrmp_extra_rank_fee


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    """What the engine knows about one program. ``None`` / ``"unknown"`` mean unknown."""

    id: int
    name: str
    institution: str
    city: str
    state: str
    specialty_code: str
    program_type: str
    j1: str = "unknown"  # yes | no | unknown
    h1b: str = "unknown"
    img_share: int | None = None
    step2_min: int | None = None
    step2_typical: int | None = None
    max_yog: int | None = None
    accepts_failures: str = "unknown"
    requires_usce: str = "unknown"
    last_verified: dt.date | None = None
    acgme_id: str | None = None
    positions: int | None = None
    website: str = ""
    source: str = ""


# --- outputs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """One explained statement: what the rule ``rule`` concluded, and where that rule is from."""

    rule: str
    text: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class TierStep:
    """One step of the tier computation: the tier after it and why it moved (or not)."""

    rule: str
    effect: str  # band | cap | lower | raise_bar | note
    tier: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class RedFlag:
    code: str
    severity: str  # high | medium | low
    message: str
    rule: str
    source: str
    major: bool = False  # a major red flag makes dual application worth it


@dataclass(frozen=True, slots=True)
class MixItem:
    label: str  # e.g. "academic (university-based)", "community and IMG-heavy"
    min: int
    max: int
    program_types: tuple[str, ...]
    reason: Reason


@dataclass(frozen=True, slots=True)
class SpecialtyPlan:
    """Tier and application strategy for one specialty (the primary or a backup)."""

    code: str
    name: str
    role: str  # primary | backup
    tier: str
    projected: bool
    bands: Mapping[str, int]  # effective lower bounds after the H-1B raise: strong, viable, risk
    tier_steps: tuple[TierStep, ...]
    applications_min: int
    applications_max: int
    eras_cost_min: int
    eras_cost_max: int
    mix: tuple[MixItem, ...]
    ranks: int
    basis: str
    source_note: str
    matched_median: int | None
    unmatched_median: int | None
    match_rate_pct: int | None
    stats_source: str


@dataclass(frozen=True, slots=True)
class ScoreUsed:
    value: int | None
    kind: str  # actual | projected | none
    test_date: dt.date | None
    passing_standard: int | None
    passed: bool | None
    reason: Reason


@dataclass(frozen=True, slots=True)
class Budget:
    budget_usd: int
    covers: str  # max | min | below_min
    affordable_primary_applications: int
    shortfall_for_min_usd: int
    reason: Reason


@dataclass(frozen=True, slots=True)
class Applications:
    specialty: str
    min: int
    max: int
    cost_min: int  # whole plan: ERAS (every specialty) + transcript + NRMP
    cost_max: int
    total_min: int  # every specialty together
    total_max: int
    eras_min: int
    eras_max: int
    transcript: int
    nrmp_min: int
    nrmp_max: int
    mix: tuple[MixItem, ...]
    budget: Budget | None
    fee_season: int
    fee_source: str
    reason: Reason


@dataclass(frozen=True, slots=True)
class Ranks:
    recommended_contiguous: int
    by_specialty: tuple[tuple[str, int], ...]
    total: int
    reason: Reason


@dataclass(frozen=True, slots=True)
class DualApply:
    recommended: bool
    specialties: tuple[str, ...]
    reason: str
    rule: str
    source: str


@dataclass(frozen=True, slots=True)
class Milestone:
    code: str
    title: str
    date: dt.date
    end_date: dt.date | None
    kind: str  # task | event
    status: str  # done | due | overdue
    note: str
    rule: str
    source: str


@dataclass(frozen=True, slots=True)
class Action:
    code: str
    impact: str  # high | medium | low
    text: str
    how_much: str
    rule: str
    source: str


@dataclass(frozen=True, slots=True)
class ProgramEntry:
    facts: ProgramFacts
    fit: str  # likely | target | reach
    rank: int  # 1-based position in the list
    points: int  # ranking points (fit, preferences); higher first
    preferred_state: bool
    preferred_type: bool
    reasons: tuple[Reason, ...]
    verify: tuple[Reason, ...]  # unknown or stale facts: "verify with the program"


@dataclass(frozen=True, slots=True)
class ExcludedProgram:
    id: int
    name: str
    specialty_code: str
    reasons: tuple[Reason, ...]  # rule = the exclusion reason code


@dataclass(frozen=True, slots=True)
class PlanResult:
    engine_version: str
    computed_on: dt.date
    specialty: str
    tier: str
    projected: bool
    score: ScoreUsed
    tier_steps: tuple[TierStep, ...]
    primary: SpecialtyPlan
    backups: tuple[SpecialtyPlan, ...]
    red_flags: tuple[RedFlag, ...]
    applications: Applications
    ranks: Ranks
    dual_apply: DualApply
    timeline: tuple[Milestone, ...]
    actions: tuple[Action, ...]
    programs: tuple[ProgramEntry, ...]
    excluded_programs: tuple[ExcludedProgram, ...]
    excluded: Mapping[str, int]
    programs_considered: int
    failed_attempts: int = 0
    years_since_graduation: int = 0
    notes: tuple[Reason, ...] = field(default_factory=tuple)


def assess(
    profile: Profile,
    *,
    rules: Mapping[str, SpecialtyRules],
    fees: FeeSchedule,
    programs: Sequence[ProgramFacts],
    today: dt.date,
) -> PlanResult:
    """Compute the plan. Raises KeyError if a profile specialty has no rules."""
    raise NotImplementedError  # filled in by the next commit


def plan_to_dict(result: PlanResult) -> dict[str, Any]:
    """The plan as the JSON documented in docs/assess.md (valid against docs/plan.schema.json)."""
    raise NotImplementedError
