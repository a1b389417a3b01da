"""The strategy engine: from a profile to an explainable plan.

Pure Python: no Django, no ORM, no request, no writes. Everything it knows comes in as frozen
dataclasses (the profile, per-specialty rule parameters, the fee schedule, program facts and
today's date), and one plan comes out. Views, ``manage.py assess`` and the what-if panel all call
:func:`assess`; :func:`plan_to_dict` gives the JSON documented in docs/assess.md and
docs/plan.schema.json. Every statement in the plan carries the ``rule`` that produced it and
its ``source``; docs/rules.md lists them all.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
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
# What a plan of another specialty cites instead of an article about EM or surgery.
SRC_GENERAL = "MatchPlan rule for every specialty (general advice to IMGs; our assumption)"
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


# --- season facts (application platforms, fees, signals, NRMP) ----------------------------------
# Seasons use the platforms' own naming: the "2027 season" is the cycle that opens in June 2026
# and ends with the March 2027 Match (AAMC calls it "ERAS 2027"). A profile applying in
# application_year Y is in season Y + 1.

PLATFORM_ERAS = "ERAS"
PLATFORM_RCAS = "ResidencyCAS"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A citable source: shown to users with its title, publisher, season and link."""

    key: str
    title: str
    publisher: str
    season: str
    url: str = ""
    checked_on: dt.date | None = None
    confirmed: bool = True  # False: a lead we could not confirm from the primary source
    note: str = ""

    def cite(self) -> str:
        text = f"{self.title}, {self.publisher}, {self.season}"
        return text if self.confirmed else f"{text} (not confirmed from the primary source)"


@dataclass(frozen=True, slots=True)
class PlatformFees:
    """One application platform's applicant fees in one season.

    Per specialty: ``base_fee`` covers the first ``base_programs`` programs (0 when there is no
    flat part), then ``mid_fee`` each up to program ``mid_until``, then ``after_fee`` each.
    """

    platform: str
    season: int
    confirmed_season: int  # the season these figures were last confirmed for
    base_fee: int
    base_programs: int
    mid_fee: int
    mid_until: int
    after_fee: int
    transcript_fee: int
    token_fee: int = 0  # ECFMG's ERAS token, for graduates of foreign schools
    transcript_confirmed_season: int | None = None  # None: as confirmed_season
    token_confirmed_season: int | None = None
    release_month_day: tuple[int, int] | None = None  # fixed release to programs (ResidencyCAS)
    source: SourceRef | None = None
    transcript_source: SourceRef | None = None
    token_source: SourceRef | None = None

    def cost(self, programs: int) -> int:
        """Application fees of ``programs`` programs in ONE specialty."""
        if programs <= 0:
            return 0
        mid = max(0, min(programs, self.mid_until) - self.base_programs)
        after = max(0, programs - max(self.mid_until, self.base_programs))
        return self.base_fee + mid * self.mid_fee + after * self.after_fee

    def affordable(self, available: int) -> int:
        """The most programs of one specialty that ``available`` dollars pay for (at most 400)."""
        if available <= 0 or available < self.base_fee:
            return 0
        n, left = self.base_programs, available - self.base_fee
        while n < 400:
            fee = self.mid_fee if n < self.mid_until else self.after_fee
            if fee > left:
                break
            left -= fee
            n += 1
        return n

    def tiers_text(self) -> str:
        parts = []
        if self.base_programs:
            parts.append(f"${self.base_fee} for the first {self.base_programs} programs")
            if self.mid_until > self.base_programs:
                parts.append(f"${self.mid_fee} each for {self.base_programs + 1}-{self.mid_until}")
        else:
            parts.append(f"${self.mid_fee} each for programs 1-{self.mid_until}")
        parts.append(f"${self.after_fee} each from the {_ordinal_num(self.mid_until + 1)}")
        return ", ".join(parts) + " (per specialty)"


@dataclass(frozen=True, slots=True)
class SignalRule:
    """Program signals of one specialty in one season."""

    specialty: str
    season: int
    confirmed_season: int | None  # None: not confirmed for any season
    kinds: tuple[tuple[str, int], ...]  # (label, count), e.g. (("gold", 3), ("silver", 12))
    rule_text: str = ""
    source: SourceRef | None = None

    @property
    def total(self) -> int:
        return sum(n for _, n in self.kinds)


@dataclass(frozen=True, slots=True)
class NrmpFees:
    season: int
    confirmed_season: int
    registration_fee: int
    included_ranks: int
    extra_rank_fee: int
    late_fee: int
    standard_deadline_month_day: tuple[int, int] = (11, 30)
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class SeasonFacts:
    """Everything season-dependent the engine needs (from the season tables, or
    assessments.season_data defaults)."""

    season: int
    platforms: Mapping[str, PlatformFees]
    specialty_platform: Mapping[str, str]  # specialty code -> platform; missing = ERAS
    signals: Mapping[str, SignalRule]
    nrmp: NrmpFees
    sources: Mapping[str, SourceRef] = field(default_factory=dict)


def season_of(application_year: int) -> int:
    """The season (Match year) of applications sent in ``application_year``."""
    return application_year + 1


def season_facts_for(seasons: Mapping[int, SeasonFacts], season: int) -> SeasonFacts:
    """The facts stored for ``season``, else the latest earlier season, else the earliest."""
    if season in seasons:
        return seasons[season]
    earlier = [s for s in seasons if s <= season]
    return seasons[max(earlier) if earlier else min(seasons)]


def platform_for(specialty: str, season: int, seasons: Mapping[int, SeasonFacts]) -> str:
    """Which application platform programs of ``specialty`` use in ``season`` (ERAS unless the
    season data says otherwise). For callers outside the engine too (program catalog)."""
    if not seasons:
        return PLATFORM_ERAS
    facts = season_facts_for(seasons, season)
    return facts.specialty_platform.get(specialty, PLATFORM_ERAS)


def _ordinal_num(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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
    track: str = "categorical"  # categorical | preliminary | advanced | transitional
    accepting_applications: str = "unknown"  # yes | no | unknown, for accepting_season
    accepting_season: int | None = None  # the application year the answer is about
    application_platform: str = "unknown"  # eras | residencycas | other | unknown
    affiliation: str = "unknown"  # none | military | veterans_affairs | other_government
    first_accredited: int | None = None
    total_positions: int | None = None
    do_share: int | None = None
    usmd_share: int | None = None


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
    platform: str = PLATFORM_ERAS


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
    affordable_primary_applications: int  # if the whole budget goes to the primary
    affordable_with_backups: int  # primary applications left after the backups' minimum
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
    # season-data costing (empty for plans computed without season facts)
    platforms: tuple[Mapping[str, Any], ...] = ()
    application_fees_min: int = 0
    application_fees_max: int = 0
    ecfmg_token: int = 0
    nrmp_late_fee: int = 0
    nrmp_extra_ranks: int = 0
    notes: tuple[Reason, ...] = ()


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


@dataclass(slots=True)
class ProgramEntry:
    """One listed program. Not frozen only because a frozen __init__ costs ~1 us more per
    program in the 50,000-program loop; treat it as read-only."""

    facts: ProgramFacts
    fit: str  # likely | target | reach
    points: int  # ranking points (fit, preferences); higher first
    preferred_state: bool
    preferred_type: bool
    reasons: tuple[Reason, ...]
    verify: tuple[Reason, ...]  # unknown or stale facts that gate this applicant
    rank: int = 0  # 1-based position in the list, set once the list is sorted
    confidence: str = "low"  # high | medium | low: how much evidence the fit rests on


@dataclass(frozen=True, slots=True)
class ExcludedProgram:
    id: int
    name: str
    specialty_code: str
    reasons: tuple[Reason, ...]  # rule = the exclusion reason code
    as_of: dt.date | None = None  # when the facts behind the exclusion were last verified
    stale: bool = False  # older than a season (STALE_AFTER_DAYS), or never verified


@dataclass(frozen=True, slots=True)
class Catalog:
    """How much the program catalog of the primary specialty says (shown with the list)."""

    specialty: str
    programs: int
    last_updated: dt.date | None
    no_visa_stated: int  # neither J-1 nor H-1B stated
    no_img_share: int
    with_step2: int  # programs with a stated typical Step 2 CK
    stale: int  # not verified within a season


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
    # JSON-ready sections added with the season data (docs/assess.md)
    season: Mapping[str, Any] | None = None
    signals: tuple[Mapping[str, Any], ...] = ()
    eligibility: Mapping[str, Any] | None = None
    sources: tuple[Mapping[str, Any], ...] = ()
    pgy1: Mapping[str, Any] | None = None
    season_choice: Mapping[str, Any] | None = None
    catalog: Catalog | None = None
    fit_note: Reason | None = None  # what the labels mean for this applicant, when it matters


# --- exam history -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExamHistory:
    step1_failures: int
    step2_failures: int
    step3_failures: int
    step2_passed: bool | None  # None: not taken yet
    step2_standard: int | None  # the standard in force on the Step 2 CK test date

    @property
    def total(self) -> int:
        return self.step1_failures + self.step2_failures + self.step3_failures


def hands_on_months(profile: Profile) -> float:
    """Hands-on US clinical months: ``usce_months`` without its observership share."""
    return max(0.0, profile.usce_months - OBSERVERSHIP_WEIGHT * profile.observership_months)


YOG_GRADES = ((2, "just_past"), (5, "well_past"))  # years past the limit -> grade; more: far_past


def yog_grade(years: int, limit: int) -> str:
    """How far past the common years-since-graduation cutoff: within (not past), just_past (1-2
    years), well_past (3-5), far_past (6 or more)."""
    past = years - limit
    if past <= 0:
        return "within"
    for upto, grade in YOG_GRADES:
        if past <= upto:
            return grade
    return "far_past"


def years_since_graduation(profile: Profile) -> int:
    """Years from graduation to the application season (0 for final-year students), the
    figure programs' YOG limits are compared with."""
    return max(0, profile.application_year - profile.graduation_year)


def _failures(result: str, attempts: int) -> int:
    if result == "pass":
        return attempts - 1
    if result == "fail":
        return attempts
    return 0


def exam_history(profile: Profile) -> ExamHistory:
    """Failed attempts per Step. Step 2 CK pass/fail follows the standard of its test date."""
    s2 = profile.step2ck
    if s2.score is None:
        # attempts counts the coming attempt: the earlier ones were failures.
        step2_failures, passed, standard = s2.attempts - 1, None, None
    else:
        standard = passing_standard(s2.test_date or dt.date.max)
        passed = s2.score >= standard
        step2_failures = s2.attempts - 1 if passed else s2.attempts
    return ExamHistory(
        step1_failures=_failures(profile.step1.result, profile.step1.attempts),
        step2_failures=step2_failures,
        step3_failures=_failures(profile.step3.result, profile.step3.attempts),
        step2_passed=passed,
        step2_standard=standard,
    )


def _score_used(profile: Profile, history: ExamHistory) -> ScoreUsed:
    s2 = profile.step2ck
    if s2.score is not None:
        verdict = "passes" if history.step2_passed else "is under"
        return ScoreUsed(
            value=s2.score,
            kind="actual",
            test_date=s2.test_date,
            passing_standard=history.step2_standard,
            passed=history.step2_passed,
            reason=Reason(
                "step2ck_passing_standard",
                f"Your Step 2 CK score {s2.score} (taken {s2.test_date}) {verdict} the minimum "
                f"passing score of {history.step2_standard} in force on that date.",
                SRC_USMLE,
            ),
        )
    latest = s2.latest_practice
    if latest is not None:
        label = f"{latest.form} " if latest.form else ""
        when = f" of {latest.date.isoformat()}" if latest.date else ""
        return ScoreUsed(
            value=latest.score,
            kind="projected",
            test_date=None,
            passing_standard=None,
            passed=None,
            reason=Reason(
                "step2ck_projected",
                f"Step 2 CK is not taken yet, so the plan is projected from your latest practice "
                f"score: {label}{latest.score}{when}. Treat it as a forecast until the real score "
                "is in.",
                SRC_EM,
            ),
        )
    return ScoreUsed(
        value=None,
        kind="none",
        test_date=None,
        passing_standard=None,
        passed=None,
        reason=Reason(
            "step2ck_no_score",
            "There is no Step 2 CK score and no practice score yet, so the plan cannot be placed "
            "by score. It assumes 'at risk' until you add a practice test result.",
            SRC_ASSUMPTION,
        ),
    )


# --- tiers -----------------------------------------------------------------------------------

_TIER_INDEX = {tier: index for index, tier in enumerate(TIERS)}


def _worse(a: str, b: str) -> str:
    return a if _TIER_INDEX[a] >= _TIER_INDEX[b] else b


def _rules_source(rules: SpecialtyRules) -> str:
    if rules.basis == "article":
        return SRC_EM if rules.code == "EM" else SRC_GS if rules.code == "GS-PRELIM" else SRC_BOTH
    if rules.basis == "derived":
        return f"{rules.stats_source or SRC_NRMP}; offsets: {SRC_ASSUMPTION}"
    return SRC_ASSUMPTION


def bands_for(rules: SpecialtyRules, visa: str) -> dict[str, int]:
    """Effective lower bounds (strong, viable, risk) after the H-1B raise."""
    shift = rules.h1b_band_shift if visa == "h1b" else 0
    return {
        "strong": rules.strong_min + shift,
        "viable": rules.viable_min + shift,
        "risk": rules.risk_min + shift,
    }


def band_of(score: int, bands: Mapping[str, int]) -> str:
    if score >= bands["strong"]:
        return "strong"
    if score >= bands["viable"]:
        return "viable"
    if score >= bands["risk"]:
        return "risk"
    return "high_risk"


def tier_for(
    rules: SpecialtyRules, profile: Profile, score: ScoreUsed, history: ExamHistory
) -> tuple[str, tuple[TierStep, ...], dict[str, int]]:
    """The tier for one specialty and every step that set or moved it."""
    bands = bands_for(rules, profile.visa)
    steps: list[TierStep] = []
    code = rules.code
    if profile.visa == "h1b" and rules.h1b_band_shift:
        steps.append(
            TierStep(
                "h1b_raises_bar",
                "raise_bar",
                "",
                f"You need an H-1B: fewer programs sponsor it and those that do tend to expect "
                f"stronger scores, so every {code} band is raised by {rules.h1b_band_shift} "
                f"points (strong from {bands['strong']}, viable from {bands['viable']}, at risk "
                f"from {bands['risk']}).",
                f"{SRC_EM} (visa status amplifies the score); size of the raise: {SRC_ASSUMPTION}",
            )
        )
    if score.value is None:
        tier = "risk"
        steps.append(
            TierStep("no_score_assumed_risk", "band", tier, score.reason.text, SRC_ASSUMPTION)
        )
    else:
        tier = band_of(score.value, bands)
        word = "projected score" if score.kind == "projected" else "Step 2 CK"
        if tier == "high_risk":
            where = f"under {bands['risk']}"
        elif tier == "strong":
            where = f"{bands['strong']} or more"
        else:
            upper = bands["strong"] if tier == "viable" else bands["viable"]
            where = f"{bands[tier]}-{upper - 1}"
        steps.append(
            TierStep(
                "step2ck_band",
                "band",
                tier,
                f"Your {word} {score.value} is in the {code} band for '{TIER_LABELS[tier]}' "
                f"({where}).",
                _rules_source(rules),
            )
        )
    m, u = rules.matched_median, rules.unmatched_median
    if m is not None and u is not None and u >= m:
        steps.append(
            TierStep(
                "score_does_not_separate",
                "note",
                tier,
                f"In {code} the median Step 2 CK of unmatched non-US IMGs ({u}) is at or above "
                f"that of matched ones ({m}): the score alone does not separate who matches, so "
                "the rest of your profile (US experience, letters, attempts, visa, time since "
                "graduation) weighs more than usual.",
                rules.stats_source or SRC_NRMP,
            )
        )
    if (
        tier == "strong"
        and score.value is not None
        and u is not None
        and score.value < u + NEAR_UNMATCHED_MARGIN
    ):
        tier = "viable"
        steps.append(
            TierStep(
                "near_unmatched_median",
                "cap",
                tier,
                f"Your score is within {NEAR_UNMATCHED_MARGIN} points of the median of unmatched "
                f"applicants ({u}), so it is not called strong: many applicants with this score "
                "did not match.",
                rules.stats_source or SRC_NRMP,
            )
        )
    total = history.total
    if history.step1_failures and history.step2_failures:
        tier = "high_risk"
        steps.append(
            TierStep(
                "step2ck_failure_after_step1_failure",
                "lower",
                tier,
                "A failed Step 2 CK after a failed Step 1 puts the application at high risk: "
                "most programs, surgical ones above all, stop reading at that point.",
                SRC_GS,
            )
        )
    elif total >= MULTIPLE_FAILURES_HIGH_RISK:
        tier = "high_risk"
        steps.append(
            TierStep(
                "multiple_failures",
                "lower",
                tier,
                f"{total} failed exam attempts across the Steps: more than one attempt is high "
                "risk whatever the score.",
                SRC_EM,
            )
        )
    elif total == 1:
        floor = rules.after_failure_min_step2
        if score.value is not None and score.value < floor:
            tier = "high_risk"
            steps.append(
                TierStep(
                    "failure_with_modest_step2",
                    "lower",
                    tier,
                    f"A failed attempt on record with a Step 2 CK under {floor} is high risk: "
                    f"after a failure, programs look for a clearly stronger Step 2 CK ({floor} "
                    "or more).",
                    SRC_BOTH,
                )
            )
        elif _TIER_INDEX[tier] < _TIER_INDEX[STEP1_FAILURE_CAP]:
            tier = STEP1_FAILURE_CAP
            steps.append(
                TierStep(
                    "failure_caps_tier",
                    "cap",
                    tier,
                    "One failed attempt caps the tier at 'viable', even with a strong Step 2 "
                    "CK: a strong position assumes a first-attempt pass.",
                    SRC_EM,
                )
            )
        else:
            steps.append(
                TierStep(
                    "failure_caps_tier",
                    "note",
                    tier,
                    "One failed attempt caps the tier at 'viable'; your tier is already at or "
                    "under that cap.",
                    SRC_EM,
                )
            )
    return tier, tuple(steps), bands


# --- red flags -------------------------------------------------------------------------------


def _date(year: int, month_day: tuple[int, int]) -> dt.date:
    return dt.date(year, *month_day)


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(n, f"#{n}")


def red_flags(
    profile: Profile,
    rules: SpecialtyRules,
    history: ExamHistory,
    score: ScoreUsed,
    bands: Mapping[str, int],
    today: dt.date,
) -> tuple[RedFlag, ...]:
    flags: list[RedFlag] = []
    s1, s2 = profile.step1, profile.step2ck
    if history.step1_failures:
        if s1.result == "fail":
            text = (
                f"Step 1 is not passed yet ({s1.attempts} failed attempt"
                f"{'s' if s1.attempts > 1 else ''}). You cannot be ECFMG certified without it, "
                "and many programs screen on a first-attempt pass."
            )
        else:
            text = (
                f"Step 1 was passed on the {_ordinal(s1.attempts)} attempt. Many programs filter "
                f"on attempts: you need a clearly stronger Step 2 CK ({rules.after_failure_min_step2}"
                " or more) and a short, factual account of what changed."
            )
        flags.append(RedFlag("step1_failure", "high", text, "step1_failure", SRC_BOTH, True))
    if history.step2_failures:
        if s2.score is not None and not history.step2_passed:
            text = (
                f"Your Step 2 CK score {s2.score} is under the passing score of "
                f"{history.step2_standard} in force on {s2.test_date}: it is a failed attempt."
            )
        else:
            text = (
                f"Step 2 CK has {history.step2_failures} failed attempt"
                f"{'s' if history.step2_failures > 1 else ''} on record; programs weigh the first "
                "attempt most."
            )
        if history.step1_failures:
            text += " Following a Step 1 failure, it closes most surgical programs."
        flags.append(RedFlag("step2ck_failure", "high", text, "step2ck_failure", SRC_BOTH, True))
    if history.total >= MULTIPLE_FAILURES_HIGH_RISK:
        flags.append(
            RedFlag(
                "multiple_attempts",
                "high",
                f"{history.total} failed attempts across the Steps. Many programs screen out more "
                "than one attempt automatically.",
                "multiple_failures",
                f"{SRC_EM}; {SRC_GS}",
                True,
            )
        )
    years = years_since_graduation(profile)
    if years > rules.yog_limit_years:
        past = years - rules.yog_limit_years
        grade = yog_grade(years, rules.yog_limit_years)
        advice = {
            "just_past": "recent hands-on clinical work, in the US if possible, softens it.",
            "well_past": "many programs will screen you out; recent hands-on US clinical work "
            "and a list built from programs that state no limit, or a limit you meet, matter "
            "most.",
            "far_past": "most programs that state a limit will not consider you; apply where no "
            "limit is stated or where it is verified with the program, and show clinical work "
            "within the last year.",
        }[grade]
        flags.append(
            RedFlag(
                "yog_old",
                "high" if grade == "far_past" else "medium",
                f"You graduated {years} years before this application season, {past} year"
                f"{'s' if past != 1 else ''} past the common cutoff of about "
                f"{rules.yog_limit_years} years: {advice} Programs that publish a limit are "
                "left out of your list when you exceed it.",
                "yog_limit",
                f"{SRC_GS} (YOG cutoffs); limit and grades: {SRC_ASSUMPTION}",
            )
        )
    if profile.visa == "h1b" and profile.step3.result != "pass":
        flags.append(
            RedFlag(
                "h1b_requires_step3",
                "high",
                "You need an H-1B, and an H-1B petition needs Step 3 passed: without it, a "
                "program cannot file for you in time for a July start.",
                "h1b_step3",
                SRC_VISA,
            )
        )
    late_after = _date(profile.application_year, STEP2CK_LATE_AFTER_MONTH_DAY)
    if s2.score is None and (
        (s2.planned_date is not None and s2.planned_date > late_after)
        or (s2.planned_date is None and today > late_after)
    ):
        when = f"planned for {s2.planned_date}" if s2.planned_date else "not taken and not booked"
        flags.append(
            RedFlag(
                "step2ck_late",
                "high",
                f"Step 2 CK is {when}: the score will miss the first weeks of interview offers "
                f"(aim for the end of July, {late_after:%d %B} at the latest).",
                "step2ck_timing",
                SRC_EM,
            )
        )
    target = bands["viable"]
    latest = s2.latest_practice
    if (
        s2.score is None
        and latest is not None
        and latest.score <= target - PRACTICE_BELOW_TARGET_POINTS
    ):
        flags.append(
            RedFlag(
                "practice_below_target",
                "high",
                f"Your latest practice score {latest.score} is {target - latest.score} points "
                f"under {target}, the score of a viable {rules.code} application. A gap of 15 "
                "points or more is a reason to move the exam date rather than risk a low score.",
                "practice_gap",
                SRC_EM,
            )
        )
    if s2.score is None and latest is None:
        flags.append(
            RedFlag(
                "no_practice_score",
                "medium",
                "No practice score yet: take an NBME self-assessment to see where you stand.",
                "practice_gap",
                SRC_EM,
            )
        )
    if hands_on_months(profile) <= 0:
        flags.append(
            RedFlag(
                "no_usce",
                "high",
                (
                    "No hands-on US clinical experience yet: observerships do not count as "
                    "hands-on care. Programs want to see you work in a US setting, and it is "
                    "where strong US letters come from."
                    if profile.observership_months
                    else "No US clinical experience yet. Programs want to see you work in a US "
                    "setting, and it is where US letters come from."
                ),
                "usce_target",
                SRC_BOTH,
                True,
            )
        )
    if profile.us_letters <= 0:
        flags.append(
            RedFlag(
                "no_us_letters",
                "high",
                "No letters from US physicians yet: most programs expect at least two, from "
                "doctors in the specialty.",
                "letters_target",
                SRC_BOTH,
            )
        )
    if rules.sloes_target and profile.sloes <= 0:
        flags.append(
            RedFlag(
                "no_sloe",
                "high",
                f"No SLOE yet: {rules.name} programs expect {rules.sloes_target} Standardized "
                "Letters of Evaluation from US rotations in the specialty.",
                "sloe_target",
                f"{SRC_EM}; {SRC_CORD}",
            )
        )
    if not profile.ecfmg_certified:
        flags.append(
            RedFlag(
                "ecfmg_pending",
                "medium" if today >= eras_opens(profile.application_year) else "low",
                "Not ECFMG certified yet. Programs want certification, or a clear date for it, "
                "when they rank"
                + (
                    ", and a J-1 cannot be issued without it."
                    if profile.visa in ("j1", "either")
                    else ", and residency cannot start without it."
                ),
                "ecfmg_certification",
                SRC_ECFMG,
            )
        )
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(flags, key=lambda f: order[f.severity]))


# --- calendar --------------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def eras_opens(year: int) -> dt.date:
    """Programs start reading ERAS applications: the fourth Wednesday of September."""
    return _nth_weekday(year, 9, 2, 4)


def match_day(application_year: int) -> dt.date:
    """Match Day: the third Friday of March of the year after the application season."""
    return _nth_weekday(application_year + 1, 3, 4, 3)


def rank_list_deadline(application_year: int) -> dt.date:
    """NRMP rank order list deadline: the Wednesday 16 days before Match Day."""
    return match_day(application_year) - dt.timedelta(days=16)


def _cite(facts: SeasonFacts | None, key: str, fallback: str) -> str:
    if facts is None or key not in facts.sources:
        return fallback
    return facts.sources[key].cite()


def _task(
    code: str,
    title: str,
    due: dt.date,
    done: bool,
    today: dt.date,
    note: str,
    rule: str,
    source: str,
) -> Milestone:
    status = "done" if done else ("overdue" if today > due else "due")
    return Milestone(code, title, due, None, "task", status, note, rule, source)


def _event(
    code: str,
    title: str,
    start: dt.date,
    end: dt.date | None,
    today: dt.date,
    note: str,
    source: str,
) -> Milestone:
    status = "done" if today > (end or start) else "due"
    return Milestone(code, title, start, end, "event", status, note, "calendar", source)


def timeline(
    profile: Profile,
    rules: SpecialtyRules,
    history: ExamHistory,
    today: dt.date,
    facts: SeasonFacts | None = None,
    platforms: Sequence[str] = (PLATFORM_ERAS,),
) -> tuple[Milestone, ...]:
    year = profile.application_year
    s2 = profile.step2ck
    items: list[Milestone] = []
    if history.step2_passed:
        note = f"Done: {s2.score} on {s2.test_date}."
    elif s2.score is not None:
        note = "The last attempt did not pass: plan the retake with care, practice scores first."
    elif s2.planned_date:
        note = f"Planned for {s2.planned_date}."
    else:
        note = "Not booked yet."
    items.append(
        _task(
            "step2ck",
            "Step 2 CK taken, score in hand",
            _date(year, STEP2CK_TARGET_MONTH_DAY),
            bool(history.step2_passed),
            today,
            note,
            "step2ck_timing",
            SRC_EM,
        )
    )
    oet_done = profile.ecfmg_certified or bool(profile.oet_passed)
    pathway_done = profile.ecfmg_certified or profile.pathway == "met"
    src_pathway = _cite(facts, "ecfmg_oet_pathways", SRC_ECFMG)
    items.append(
        _task(
            "oet",
            "OET Medicine passed (for ECFMG certification)",
            dt.date(year, 8, 31),
            oet_done,
            today,
            "Needed with a Pathway for the clinical and communication requirement; take it over "
            "the summer at the latest.",
            "ecfmg_certification",
            src_pathway,
        )
    )
    if profile.pathway == "applied":
        pnote = "Applied: watch for ECFMG's decision and answer any request quickly."
    elif pathway_done:
        pnote = "Done."
    else:
        pnote = (
            "OET Medicine alone is not enough: ECFMG also needs one of its Pathways for the "
            "clinical skills part. Apply as soon as you qualify."
        )
    items.append(
        _task(
            "pathway",
            "ECFMG Pathway application submitted and accepted",
            dt.date(year, 9, 30),
            pathway_done,
            today,
            pnote,
            "ecfmg_pathway",
            src_pathway,
        )
    )
    letters_done = (
        profile.usce_months >= rules.usce_target_months
        and profile.us_letters >= rules.us_letters_target
        and profile.sloes >= rules.sloes_target
    )
    wanted = f"{rules.usce_target_months} months of US clinical experience, {rules.us_letters_target} US letters"
    if rules.sloes_target:
        wanted += f" ({rules.sloes_target} of them SLOEs)"
    items.append(
        _task(
            "rotations_letters",
            "US rotations done and letters uploaded",
            dt.date(year, 9, 15),
            letters_done,
            today,
            f"Aim: {wanted}, before programs start reading.",
            "usce_target",
            SRC_BOTH,
        )
    )
    if PLATFORM_ERAS in platforms:
        opens = eras_opens(year)
        items.append(
            _event(
                "eras_opens",
                "ERAS opens to programs: have your application submitted",
                opens,
                None,
                today,
                "Apply on the first day; early applications are read first.",
                SRC_ERAS_CALENDAR,
            )
        )
    if PLATFORM_RCAS in platforms:
        pf = facts.platforms.get(PLATFORM_RCAS) if facts is not None else None
        md = pf.release_month_day if pf is not None and pf.release_month_day else (10, 1)
        src = pf.source.cite() if pf is not None and pf.source else SRC_ASSUMPTION
        note = (
            "Submit your ResidencyCAS application in September, before this date. Letters and "
            "SLOEs are assigned to each program by hand. The date is the "
            f"{pf.confirmed_season if pf else ''} season's; check this season's calendar."
        )
        items.append(
            _event(
                "residencycas_release",
                "ResidencyCAS releases applications to programs",
                _date(year, md),
                None,
                today,
                note,
                src,
            )
        )
    if facts is not None:
        n = facts.nrmp
        deadline_reg = _date(year, n.standard_deadline_month_day)
        items.append(
            _task(
                "nrmp_registration",
                "Register for the Match (NRMP)",
                deadline_reg,
                False,
                today,
                f"Registration after this standard deadline costs ${n.late_fee} more.",
                "nrmp_fees",
                n.source.cite() if n.source else SRC_FEES,
            )
        )
    items.append(
        _event(
            "interviews",
            "Interview season",
            dt.date(year, 10, 1),
            dt.date(year + 1, 1, 31),
            today,
            "Keep visa and certification papers ready for interviews.",
            SRC_NRMP_CALENDAR,
        )
    )
    deadline = rank_list_deadline(year)
    h1b = profile.visa in ("h1b", "either")
    # For an H-1B, Step 3 can be taken only after certification, and the petition needs Step 3:
    # certification first (by the end of October), Step 3 next, the petition after Match Day.
    cert_due = dt.date(year, 10, 31) if h1b else deadline
    items.append(
        _task(
            "ecfmg_certification",
            "ECFMG certification complete",
            cert_due,
            profile.ecfmg_certified,
            today,
            (
                "Early, because Step 3 (needed for the H-1B) can be taken only after it."
                if h1b
                else "Best by the time programs start reading; programs want it, or a firm date, "
                "before ranking."
            ),
            "ecfmg_certification",
            f"{SRC_ECFMG}; {_cite(facts, 'step3_after_certification', SRC_VISA)}"
            if h1b
            else SRC_ECFMG,
        )
    )
    items.append(
        _task(
            "nrmp_verification",
            "Step 1, Step 2 CK and the Pathway verified to the NRMP",
            deadline,
            profile.ecfmg_certified,
            today,
            "What must be verified by the rank order list deadline; without it you are "
            "withdrawn from the Match (the full certificate is needed before residency starts).",
            "ecfmg_match_deadline",
            f"{_cite(facts, 'ecfmg_eras_match_eligibility', SRC_ECFMG)}; "
            f"{_cite(facts, 'nrmp_applicant_faq', SRC_NRMP_CALENDAR)}",
        )
    )
    if h1b:
        note = (
            "Needed for the H-1B petition before a July start; book it as soon as you are "
            "certified (results take a few weeks)."
            if profile.visa == "h1b"
            else "Optional: it keeps H-1B-only programs open to you. Only after certification."
        )
        step3_due = max(dt.date(year + 1, 1, 31), cert_due + dt.timedelta(days=60))
        items.append(
            _task(
                "step3_h1b",
                "Step 3 passed (for an H-1B), after ECFMG certification",
                step3_due,
                profile.step3.result == "pass",
                today,
                note,
                "h1b_step3",
                f"{SRC_VISA}; {_cite(facts, 'step3_after_certification', SRC_VISA)}",
            )
        )
        items.append(
            _event(
                "h1b_petition",
                "H-1B petition filed by the matched program",
                match_day(year) + dt.timedelta(days=3),
                dt.date(year + 1, 4, 30),
                today,
                "The program files after the Match; it needs your certificate and Step 3 result.",
                SRC_VISA,
            )
        )
    items.append(
        _event(
            "rank_list",
            "Rank order list deadline",
            deadline,
            None,
            today,
            f"Rank at least {rules.recommended_ranks} {rules.code} programs in a row.",
            SRC_NRMP_CALENDAR,
        )
    )
    day = match_day(year)
    items.append(
        _event(
            "soap",
            "SOAP (Match week)",
            day - dt.timedelta(days=4),
            day - dt.timedelta(days=1),
            today,
            "If unmatched, unfilled positions are offered this week.",
            SRC_NRMP_CALENDAR,
        )
    )
    items.append(_event("match_day", "Match Day", day, None, today, "", SRC_NRMP_CALENDAR))
    items.append(
        _event(
            "residency_start",
            "Residency starts",
            dt.date(year + 1, 7, 1),
            None,
            today,
            "Visa, certification and (for an H-1B) Step 3 must all be in place.",
            SRC_NRMP_CALENDAR,
        )
    )
    return tuple(sorted(items, key=lambda m: m.date))


# --- application strategy --------------------------------------------------------------------


def _split(low: int, high: int, share: float) -> tuple[int, int]:
    return round(low * share), round(high * share)


def _mix(rules: SpecialtyRules, tier: str, low: int, high: int) -> tuple[MixItem, ...]:
    items: list[MixItem] = []
    if rules.code == "GS-PRELIM" and GS_CATEGORICAL_SHARE[tier]:
        cat_low, cat_high = _split(low, high, GS_CATEGORICAL_SHARE[tier])
        items.append(
            MixItem(
                "categorical general surgery",
                cat_low,
                cat_high,
                (),
                Reason(
                    "mix_gs_categorical",
                    "With this score a few categorical surgery applications are worth it, if the "
                    "budget allows, beside the prelim positions.",
                    SRC_GS,
                ),
            )
        )
        low, high = low - cat_low, high - cat_high
    acad_low, acad_high = _split(low, high, ACADEMIC_SHARE[tier])
    source = (
        SRC_EM if (rules.code == "EM" and tier == "strong") else f"{SRC_BOTH}; {SRC_ASSUMPTION}"
    )
    items.append(
        MixItem(
            "academic (university-based) programs that take IMGs",
            acad_low,
            acad_high,
            ("university",),
            Reason(
                "mix_academic",
                f"About {round(ACADEMIC_SHARE[tier] * 100)}% academic when {TIER_LABELS[tier]}: "
                "university programs screen harder, so the share shrinks as the tier drops.",
                source,
            ),
        )
    )
    items.append(
        MixItem(
            "community and affiliated programs with many IMGs",
            low - acad_low,
            high - acad_high,
            ("community", "community_university"),
            Reason(
                "mix_community",
                "The rest at community and university-affiliated programs that sponsor your visa "
                "and already train IMGs.",
                SRC_BOTH,
            ),
        )
    )
    return tuple(items)


def specialty_plan(
    profile: Profile,
    rules: SpecialtyRules,
    role: str,
    score: ScoreUsed,
    history: ExamHistory,
    fees: FeeSchedule,
    platform_fees: PlatformFees | None = None,
) -> SpecialtyPlan:
    tier, steps, bands = tier_for(rules, profile, score, history)
    low, high = rules.apps_for(tier)
    cost = platform_fees.cost if platform_fees is not None else fees.eras_cost
    return SpecialtyPlan(
        code=rules.code,
        name=rules.name,
        role=role,
        tier=tier,
        projected=score.kind != "actual",
        bands=bands,
        tier_steps=steps,
        applications_min=low,
        applications_max=high,
        eras_cost_min=cost(low),
        eras_cost_max=cost(high),
        mix=_mix(rules, tier, low, high),
        ranks=rules.recommended_ranks,
        basis=rules.basis,
        source_note=rules.source_note,
        matched_median=rules.matched_median,
        unmatched_median=rules.unmatched_median,
        match_rate_pct=rules.match_rate_pct,
        stats_source=rules.stats_source,
        platform=platform_fees.platform if platform_fees is not None else PLATFORM_ERAS,
    )


FLAG_WORDS = {
    "step1_failure": "a failed Step 1 attempt",
    "step2ck_failure": "a failed Step 2 CK attempt",
    "multiple_attempts": "several failed attempts",
    "no_usce": "no hands-on US clinical experience",
    "no_us_letters": "no US letters",
    "no_sloe": "no SLOE",
    "yog_old": "time since graduation",
    "step2ck_late": "a late Step 2 CK",
    "practice_below_target": "practice scores under the target",
}


def _flag_words(codes: Sequence[str]) -> str:
    words = [FLAG_WORDS.get(c, c.replace("_", " ")) for c in codes]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def partner_tiers(
    profile: Profile,
    primary: SpecialtyPlan,
    rules: SpecialtyRules,
    available: Mapping[str, SpecialtyRules],
    score: ScoreUsed,
    history: ExamHistory,
) -> list[tuple[str, str]]:
    """The candidate partner specialties with the tier the applicant would have in each, best
    tier first (the configured order breaks ties)."""
    out = []
    for position, code in enumerate(rules.dual_partners):
        if code not in available or code == primary.code:
            continue
        tier, _, _ = tier_for(available[code], profile, score, history)
        out.append((position, code, tier))
    out.sort(key=lambda t: (_TIER_INDEX[t[2]], t[0]))
    return [(code, tier) for _, code, tier in out]


def dual_apply(
    profile: Profile,
    primary: SpecialtyPlan,
    rules: SpecialtyRules,
    flags: Sequence[RedFlag],
    available: Mapping[str, SpecialtyRules],
    score: ScoreUsed | None = None,
    history: ExamHistory | None = None,
) -> DualApply:
    major = [f.code for f in flags if f.major]
    uncertain = primary.tier in ("risk", "high_risk")
    evidence = (
        "Applying to fewer specialties is associated with better match odds (BMC Med Educ "
        "2024): a second specialty splits your letters, statement and budget, so it is worth it "
        "only when the first choice is uncertain."
    )
    if not (uncertain or major):
        listed = ", ".join(profile.backup_specialties)
        extra = (
            f" You listed {listed}: its plan is shown, but it is left out of the cost, and the "
            f"money may do more as extra {primary.code} applications."
            if listed
            else ""
        )
        return DualApply(
            False,
            (),
            f"Your {primary.code} profile is {TIER_LABELS[primary.tier]}"
            f"{' (projected)' if primary.projected else ''} with no major red flag, so one "
            f"specialty is the better bet. {evidence}{extra}",
            "single_specialty",
            f"{SRC_BMC}; {SRC_EM}",
        )
    if score is not None and history is not None:
        ranked = partner_tiers(profile, primary, rules, available, score, history)
        # Never advise a backup where the applicant would stand worse than in the primary.
        better = [(c, t) for c, t in ranked if _TIER_INDEX[t] <= _TIER_INDEX[primary.tier]]
        partners = tuple(c for c, _ in better)
        worse = [(c, t) for c, t in ranked if (c, t) not in better]
    else:
        partners = tuple(c for c in rules.dual_partners if c in available and c != primary.code)
        better, worse = [], []
    specialties = profile.backup_specialties or partners[:1]
    why = []
    if uncertain:
        why.append(f"your {primary.code} tier is {TIER_LABELS[primary.tier]}")
    if major:
        why.append("of " + _flag_words(major))
    names = (
        " or ".join(available[c].name if c in available else c for c in partners)
        or "a broader specialty"
    )
    text = f"Apply to a second specialty or track as well, because {' and '.join(why)}. {evidence}"
    if specialties:
        text += f" Suggested: {', '.join(specialties)}"
        if not profile.backup_specialties and len(partners) > 1:
            text += f" (alternatives: {names})"
        text += "."
        if better and not profile.backup_specialties:
            text += (
                " Partners are ranked by the tier you would have in each: "
                + ", ".join(f"{c} {TIER_LABELS[t]}" for c, t in better)
                + "."
            )
    elif worse:
        text = (
            f"A second specialty would usually be worth it, because {' and '.join(why)}, but "
            "none of the usual partner specialties would give you better odds ("
            + ", ".join(f"{c} would be {TIER_LABELS[t]}" for c, t in worse)
            + "), so no backup is added: strengthen the application (Step 2 CK, US experience, "
            "letters) or weigh applying next season."
        )
    if worse and specialties:
        text += (
            " Not suggested, because you would stand worse there than in "
            f"{primary.code}: " + ", ".join(f"{c} ({TIER_LABELS[t]})" for c, t in worse) + "."
        )
    if rules.code in ("GS-PRELIM", "GS"):
        text += (
            " For surgery this is a parallel plan: a preliminary medicine year, a research "
            "year or another specialty, kept ready beside the surgical applications."
        )
    if primary.tier == "high_risk":
        text += f" Also weigh whether {primary.code} should stay the first choice."
    rule = "dual_apply_tier" if uncertain else "dual_apply_red_flag"
    source = f"{SRC_GS if rules.code in ('GS-PRELIM', 'GS') else SRC_EM}; {SRC_BMC}"
    return DualApply(bool(specialties), tuple(specialties), text, rule, source)


def _affordable(fees: FeeSchedule, available: int) -> int:
    if available <= 0:
        return 0
    size, first, after = fees.eras_first_tier_size, fees.eras_fee_first_tier, fees.eras_fee_after
    n1 = size if first <= 0 else min(size, available // first)
    if n1 < size:
        return n1
    rest = available - size * first
    return size + (rest // after if after > 0 else 400)


def _season_word(season: int) -> str:
    return f"{season} season"


def _priced_note(what: str, confirmed: int, applying: int, src: SourceRef | None) -> str:
    cite = f" ({src.cite()})" if src is not None else ""
    if confirmed >= applying:
        return f"{what}: figures of the {_season_word(confirmed)}{cite}."
    return (
        f"{what}: figures of the {_season_word(confirmed)}, the latest we could confirm{cite}; "
        f"you apply in the {_season_word(applying)}: check the current schedule."
    )


def nrmp_late(profile: Profile, facts: SeasonFacts, today: dt.date) -> bool:
    """True when the NRMP standard registration deadline of this season has passed."""
    deadline = _date(profile.application_year, facts.nrmp.standard_deadline_month_day)
    return today > deadline


def applications(
    profile: Profile,
    primary: SpecialtyPlan,
    backups: Sequence[SpecialtyPlan],
    fees: FeeSchedule,
    facts: SeasonFacts | None = None,
    today: dt.date | None = None,
) -> tuple[Applications, Ranks]:
    """Applications, ranks and cost. ``backups`` are the specialties that are costed (backups
    the plan calls unnecessary are left out by the caller). With ``facts`` the cost follows each
    specialty's platform, its transcript fee once per platform, the ECFMG token for ERAS, and
    the NRMP fees of the season (late fee when the standard deadline has passed)."""
    plans = (primary, *backups)
    by_specialty = tuple((p.code, p.ranks) for p in plans if p.ranks)
    total_ranks = sum(r for _, r in by_specialty)
    app_min = sum(p.eras_cost_min for p in plans)
    app_max = sum(p.eras_cost_max for p in plans)
    platform_rows: list[dict[str, Any]] = []
    notes: list[Reason] = []
    token = late = extra_ranks = 0
    if facts is None:
        transcript = fees.usmle_transcript_fee
        nrmp = fees.nrmp_cost(total_ranks)
        eras_min, eras_max = app_min, app_max
        fee_season, fee_source = fees.season, fees.source_note or SRC_FEES
        primary_fees: PlatformFees | None = None
    else:
        applying = season_of(profile.application_year)
        used: dict[str, list[SpecialtyPlan]] = {}
        for p in plans:
            used.setdefault(p.platform, []).append(p)
        transcript = 0
        eras_min = eras_max = 0
        for name, members in used.items():
            pf = facts.platforms[name]
            row_min = sum(p.eras_cost_min for p in members)
            row_max = sum(p.eras_cost_max for p in members)
            transcript += pf.transcript_fee
            if name == PLATFORM_ERAS:
                eras_min, eras_max = row_min, row_max
                token = pf.token_fee
            platform_rows.append(
                {
                    "platform": name,
                    "specialties": [p.code for p in members],
                    "application_fees": {"min": row_min, "max": row_max},
                    "transcript_fee": pf.transcript_fee,
                    "token_fee": pf.token_fee if name == PLATFORM_ERAS else 0,
                    "tiers": pf.tiers_text(),
                    "confirmed_season": pf.confirmed_season,
                    "source": pf.source.cite() if pf.source else "",
                    "source_key": pf.source.key if pf.source else "",
                    "source_url": pf.source.url if pf.source else "",
                }
            )
            text = _priced_note(
                f"{name} fees for {', '.join(p.code for p in members)} ({pf.tiers_text()})",
                pf.confirmed_season,
                applying,
                pf.source,
            )
            tseason = pf.transcript_confirmed_season or pf.confirmed_season
            text += " " + _priced_note(
                f"USMLE transcript on {name} (${pf.transcript_fee})",
                tseason,
                applying,
                pf.transcript_source if pf.transcript_source is not pf.source else None,
            )
            notes.append(Reason("platform_fees", text, pf.source.cite() if pf.source else SRC_FEES))
        if len(used) > 1:
            notes.append(
                Reason(
                    "two_platforms",
                    f"Your specialties use {len(used)} application platforms "
                    f"({' and '.join(used)}): each has its own application, its own fees and its "
                    "own USMLE transcript fee, so the transcript is paid once per platform.",
                    "; ".join(
                        facts.platforms[n].source.cite()  # type: ignore[union-attr]
                        for n in used
                        if facts.platforms[n].source is not None
                    ),
                )
            )
        if token:
            tsrc = facts.platforms[PLATFORM_ERAS].token_source
            notes.append(
                Reason(
                    "ecfmg_token",
                    _priced_note(
                        f"ERAS needs a token from ECFMG for graduates of foreign schools "
                        f"(${token})",
                        facts.platforms[PLATFORM_ERAS].token_confirmed_season
                        or facts.platforms[PLATFORM_ERAS].confirmed_season,
                        applying,
                        tsrc,
                    ),
                    tsrc.cite() if tsrc else SRC_FEES,
                )
            )
        if any(p.code.endswith("-PRELIM") for p in plans):
            psrc = facts.sources.get("eras_prelim_fee_tier")
            notes.append(
                Reason(
                    "prelim_fee_tier",
                    "Preliminary and categorical programs are priced as separate specialties "
                    "(the higher estimate): whether ERAS counts them in one fee tier is not "
                    "confirmed.",
                    psrc.cite() if psrc else SRC_ASSUMPTION,
                )
            )
        n = facts.nrmp
        extra_ranks = max(0, total_ranks - n.included_ranks)
        late = n.late_fee if (today is not None and nrmp_late(profile, facts, today)) else 0
        nrmp = n.registration_fee + extra_ranks * n.extra_rank_fee + late
        what = (
            f"NRMP: ${n.registration_fee} registration with {n.included_ranks} ranks, "
            f"${n.extra_rank_fee} per extra rank"
        )
        if extra_ranks:
            what += f" ({extra_ranks} extra for your {total_ranks} ranks)"
        if late:
            what += (
                f", and a ${late} late fee because the standard registration deadline "
                f"({_date(profile.application_year, n.standard_deadline_month_day):%d %B %Y}) "
                "has passed"
            )
        notes.append(
            Reason(
                "nrmp_fees",
                _priced_note(what, n.confirmed_season, applying, n.source),
                n.source.cite() if n.source else SRC_FEES,
            )
        )
        fee_season = min(
            [facts.platforms[name].confirmed_season for name in used] + [n.confirmed_season]
        )
        fee_source = " ".join(r.text for r in notes)
        primary_fees = facts.platforms[primary.platform]
    fixed = transcript + token + nrmp
    cost_min, cost_max = app_min + fixed, app_max + fixed
    budget = None
    if profile.budget_usd is not None:
        b = profile.budget_usd
        primary_nrmp = (
            fees.nrmp_cost(primary.ranks)
            if facts is None
            else facts.nrmp.registration_fee
            + max(0, primary.ranks - facts.nrmp.included_ranks) * facts.nrmp.extra_rank_fee
            + late
        )
        primary_fixed = (
            transcript
            if primary_fees is None
            else primary_fees.transcript_fee + (token if primary.platform == PLATFORM_ERAS else 0)
        )

        def _afford(available: int) -> int:
            if primary_fees is None:
                return _affordable(fees, available)
            return primary_fees.affordable(available)

        affordable = _afford(b - primary_fixed - primary_nrmp)
        with_backups = _afford(b - fixed - sum(p.eras_cost_min for p in backups))
        covers = "max" if b >= cost_max else "min" if b >= cost_min else "below_min"
        if covers == "max":
            text = f"Your budget of ${b:,} covers the whole plan at its upper end (${cost_max:,})."
        elif covers == "min":
            text = (
                f"Your budget of ${b:,} covers the lower end (${cost_min:,}) but not the upper "
                f"end (${cost_max:,})."
            )
        else:
            text = (
                f"Your budget of ${b:,} is ${cost_min - b:,} short of the lower end of the plan "
                f"(${cost_min:,})."
            )
        text += (
            f" After the fixed fees (transcript, NRMP{', ECFMG token' if token else ''}) it pays "
            f"for {affordable} {primary.code} applications"
        )
        if backups:
            text += (
                f", or {with_backups} beside the minimum for {', '.join(p.code for p in backups)}"
            )
        text += "."
        budget = Budget(
            b,
            covers,
            affordable,
            with_backups,
            max(0, cost_min - b),
            Reason(
                "budget_coverage", text, fee_source if facts else (fees.source_note or SRC_FEES)
            ),
        )
    ranks = Ranks(
        recommended_contiguous=primary.ranks,
        by_specialty=by_specialty,
        total=total_ranks,
        reason=Reason(
            "recommended_ranks",
            f"Rank at least {primary.ranks} {primary.code} programs in a row: the more "
            "contiguous ranks, the better the odds, and matched non-US IMGs ranked more programs "
            "than unmatched ones.",
            f"{SRC_NRMP}; {SRC_CORD}" if primary.code == "EM" else f"{SRC_NRMP}; {SRC_ASSUMPTION}",
        ),
    )
    where = (
        "each specialty's application fees on its platform, the USMLE transcript once per "
        "platform, the ECFMG token for ERAS, and NRMP registration"
        if facts is not None
        else "ERAS fees per specialty, the USMLE transcript once and NRMP registration"
    )
    apps = Applications(
        specialty=primary.code,
        min=primary.applications_min,
        max=primary.applications_max,
        cost_min=cost_min,
        cost_max=cost_max,
        total_min=sum(p.applications_min for p in plans),
        total_max=sum(p.applications_max for p in plans),
        eras_min=eras_min,
        eras_max=eras_max,
        transcript=transcript,
        nrmp_min=nrmp,
        nrmp_max=nrmp,
        mix=primary.mix,
        budget=budget,
        fee_season=fee_season,
        fee_source=fee_source,
        reason=Reason(
            "applications_by_tier",
            f"{primary.applications_min}-{primary.applications_max} {primary.code} applications "
            f"for a profile that is {TIER_LABELS[primary.tier]}. The cost counts {where} with "
            f"{total_ranks} ranks.",
            primary.source_note and _rules_source_short(primary),
        ),
        platforms=tuple(platform_rows),
        application_fees_min=app_min,
        application_fees_max=app_max,
        ecfmg_token=token,
        nrmp_late_fee=late,
        nrmp_extra_ranks=extra_ranks,
        notes=tuple(notes),
    )
    return apps, ranks


def _rules_source_short(plan: SpecialtyPlan) -> str:
    if plan.basis == "article":
        return SRC_EM if plan.code == "EM" else SRC_GS
    return SRC_ASSUMPTION


# --- actions ---------------------------------------------------------------------------------


def actions(
    profile: Profile,
    rules: SpecialtyRules,
    primary: SpecialtyPlan,
    history: ExamHistory,
    score: ScoreUsed,
    flags: Sequence[RedFlag],
    dual: DualApply,
    facts: SeasonFacts | None = None,
    costed: Sequence[SpecialtyPlan] = (),
    names: Mapping[str, str] | None = None,
) -> tuple[Action, ...]:
    out: list[Action] = []
    names = names or {}
    plans = tuple(costed) or (primary,)
    if history.step2_passed is False:
        out.append(
            Action(
                "step2ck_retake",
                "high",
                f"Retake Step 2 CK: your latest attempt ({profile.step2ck.score}) is under the "
                f"passing score of {history.step2_standard}. Without a pass there is no ECFMG "
                "certification and no Match; prepare until practice scores are well above it.",
                f"Attempt {profile.step2ck.attempts + 1} of at most 4; report the new result "
                "before the rank order list deadline at the latest, and before programs read "
                "applications if you can.",
                "step2ck_retake",
                f"{SRC_USMLE}; {_cite(facts, 'usmle_attempt_limit', SRC_USMLE_ATTEMPTS)}",
            )
        )
    codes = {f.code for f in flags}
    s2 = profile.step2ck
    bands = primary.bands
    goal = bands["viable"] if (score.value or 0) < bands["viable"] else bands["strong"]
    if history.total:
        goal = max(goal, rules.after_failure_min_step2)
    if s2.score is None:
        latest = s2.latest_practice
        if "practice_below_target" in codes and latest is not None:
            out.append(
                Action(
                    "step2ck_reschedule",
                    "high",
                    "Move the Step 2 CK date until practice scores reach the target; a low first "
                    "score cannot be replaced.",
                    f"{goal - latest.score} points to gain: NBME practice scores of {goal} or "
                    "more, consistently, before test day.",
                    "practice_gap",
                    SRC_EM,
                )
            )
        else:
            gap = (
                f"{goal - latest.score} points above your latest {latest.score}"
                if (latest is not None and latest.score < goal)
                else "keep your practice scores there"
            )
            out.append(
                Action(
                    "step2ck_prepare",
                    "high",
                    f"Prepare Step 2 CK for a score of {goal} or more"
                    f"{' (after a failed attempt, aim well above ' + str(rules.after_failure_min_step2) + ')' if history.total else ''}.",
                    f"Target {goal}: {gap}; two NBME practice tests at or above it before the exam.",
                    "step2ck_target",
                    SRC_BOTH,
                )
            )
        if "step2ck_late" in codes or s2.planned_date is None:
            out.append(
                Action(
                    "step2ck_book",
                    "high",
                    "Book Step 2 CK so the score is out when programs start reading.",
                    f"Test by {_date(profile.application_year, STEP2CK_TARGET_MONTH_DAY):%d %B %Y}"
                    f" (early August at the latest).",
                    "step2ck_timing",
                    SRC_EM,
                )
            )
    if history.total:
        out.append(
            Action(
                "failure_narrative",
                "high",
                "Write a short account of the failed attempt: what happened, what you changed, "
                "and the result that shows it worked. No long excuses.",
                "Three or four sentences in the personal statement, and the same story ready "
                "for interviews.",
                "failure_story",
                SRC_BOTH,
            )
        )
    if profile.visa in ("h1b", "either") and profile.step3.result != "pass":
        out.append(
            Action(
                "step3_for_h1b",
                "high" if profile.visa == "h1b" else "medium",
                "Pass Step 3 before the H-1B petition is due"
                + ("." if profile.visa == "h1b" else ": it keeps H-1B-only programs open."),
                f"Step 3 passed by February {profile.application_year + 1}.",
                "h1b_step3",
                SRC_VISA,
            )
        )
    if dual.recommended:
        out.append(
            Action(
                "dual_apply",
                "high",
                f"Prepare a second application for {', '.join(dual.specialties) or 'a second specialty'}: "
                "its own personal statement and letters from that field.",
                "One tailored personal statement and at least one letter per extra specialty.",
                dual.rule,
                dual.source,
            )
        )
    usce_gap = rules.usce_target_months - profile.usce_months
    if usce_gap > 0:
        in_spec = profile.usce_in_specialty_months
        out.append(
            Action(
                "usce",
                "high" if hands_on_months(profile) <= 0 else "medium",
                f"Get hands-on US clinical experience (externships, sub-internships), in "
                f"{rules.name} where you can.",
                f"{usce_gap:g} more month{'s' if usce_gap != 1 else ''} to reach "
                f"{rules.usce_target_months} (you have {profile.usce_months:g}, {in_spec:g} in "
                f"{rules.code}).",
                "usce_target",
                SRC_BOTH,
            )
        )
    letters_gap = rules.us_letters_target - profile.us_letters
    if letters_gap > 0:
        out.append(
            Action(
                "us_letters",
                "high" if profile.us_letters <= 0 else "medium",
                f"Collect letters from US physicians in {rules.name} who saw your work.",
                f"{letters_gap} more to reach {rules.us_letters_target}.",
                "letters_target",
                SRC_BOTH,
            )
        )
    sloe_gap = rules.sloes_target - profile.sloes
    if sloe_gap > 0:
        out.append(
            Action(
                "sloes",
                "high",
                "Get SLOEs from your US emergency medicine rotations.",
                f"{sloe_gap} more SLOE{'s' if sloe_gap > 1 else ''} to reach {rules.sloes_target}.",
                "sloe_target",
                f"{SRC_EM}; {SRC_CORD}",
            )
        )
    if not profile.ecfmg_certified:
        if profile.oet_passed:
            missing = []
        elif profile.oet_passed is None:
            missing = ["OET Medicine (unless already passed)"]
        else:
            missing = ["OET Medicine"]
        if profile.pathway != "met":
            missing.insert(
                0,
                "an ECFMG Pathway (applied)"
                if profile.pathway == "applied"
                else "an ECFMG Pathway",
            )
        if profile.step1.result != "pass":
            missing.append("Step 1")
        if not history.step2_passed:
            missing.append("Step 2 CK")
        out.append(
            Action(
                "ecfmg",
                "medium",
                "Finish ECFMG certification (Step 1, Step 2 CK, a Pathway plus OET Medicine, and "
                "your degree verified), ideally before programs start reading.",
                "Still missing: "
                + (", ".join(missing) if missing else "the credential checks")
                + ".",
                "ecfmg_certification",
                SRC_ECFMG,
            )
        )
    if "yog_old" in codes:
        out.append(
            Action(
                "recent_clinical_work",
                "medium",
                "Show recent clinical work to answer the question of time since graduation.",
                "Hands-on clinical work within the last 12 months, in the US if possible.",
                "yog_limit",
                SRC_GS,
            )
        )
    scholarly = profile.publications + profile.presentations
    if scholarly == 0 or (primary.tier in ("strong", "viable") and scholarly < 2):
        out.append(
            Action(
                "research",
                "medium" if primary.tier == "strong" else "low",
                f"Add scholarly work in {rules.name}: a case report, a poster, a QI project.",
                f"{max(1, 2 - scholarly)} more item{'s' if 2 - scholarly > 1 else ''} "
                f"(you have {scholarly}).",
                "research",
                SRC_BOTH,
            )
        )
    platforms_used: dict[str, list[str]] = {}
    for p in plans:
        platforms_used.setdefault(p.platform, []).append(p.code)
    year = profile.application_year
    for platform, codes in platforms_used.items():
        listed = ", ".join(codes)
        if platform == PLATFORM_RCAS:
            pf = facts.platforms.get(PLATFORM_RCAS) if facts is not None else None
            md = pf.release_month_day if pf is not None and pf.release_month_day else (10, 1)
            out.append(
                Action(
                    "apply_early",
                    "low",
                    f"Submit your ResidencyCAS application for {listed} in September, before it "
                    "is released to programs, to programs that sponsor your visa and already "
                    "train IMGs. Assign your letters and SLOEs to each program by hand.",
                    f"Application complete before {_date(year, md):%d %B %Y}.",
                    "apply_early",
                    f"{SRC_BOTH}; "
                    f"{_cite(facts, 'liaison_residencycas_quickstart', SRC_ASSUMPTION)}",
                )
            )
        else:
            out.append(
                Action(
                    "apply_early",
                    "low",
                    f"Submit ERAS for {listed} on the day it opens to programs, to programs that "
                    "sponsor your visa and already train IMGs.",
                    f"Application complete by {eras_opens(year):%d %B %Y}.",
                    "apply_early",
                    SRC_BOTH,
                )
            )
    if profile.visa in ("j1", "either"):
        specs = [names.get(p.code, p.code) for p in plans]
        out.append(
            Action(
                "j1_statement_of_need",
                "medium",
                "Ask your home country's Ministry of Health early for the Statement of Need that "
                "ECFMG requires for a J-1: it must name exactly the specialty you will train in"
                + (
                    " (with two specialties, the one you match into: " + " or ".join(specs) + ")."
                    if len(specs) > 1
                    else f" ({specs[0]})."
                ),
                "One letter per specialty you may match into; ECFMG sponsorship also needs your "
                "certificate and a program contract.",
                "j1_statement_of_need",
                _cite(facts, "ecfmg_son", SRC_VISA),
            )
        )
    if profile.visa == "h1b":
        out.append(
            Action(
                "h1b_212e",
                "low",
                "Keep the reason for the H-1B in mind: an ECFMG-sponsored J-1 carries the "
                "two-year home-country requirement (section 212(e)) before most changes of "
                "status; the H-1B avoids it but needs ECFMG certification, then Step 3, before "
                "the petition, and fewer programs offer it.",
                "Certification by the end of October, Step 3 soon after, petition after the Match.",
                "h1b_212e",
                f"{_cite(facts, 'ecfmg_evsp_general', SRC_VISA)}; "
                f"{_cite(facts, 'step3_after_certification', SRC_VISA)}",
            )
        )
    if profile.observership_months and hands_on_months(profile) <= 0:
        out.append(
            Action(
                "observership_not_usce",
                "medium",
                "Your observerships show the US system, but programs count only hands-on work "
                "(externships, sub-internships) as US clinical experience, and observers' "
                "letters weigh less: add a hands-on rotation if you can.",
                f"{profile.observership_months:g} month"
                f"{'s' if profile.observership_months != 1 else ''} of observership; "
                f"{rules.usce_target_months} months hands-on is the target.",
                "observership",
                _cite(facts, "observership_no_patient_care", SRC_ASSUMPTION),
            )
        )
    order = {s: i for i, s in enumerate(IMPACTS)}
    return tuple(sorted(out, key=lambda a: order[a.impact]))


# --- program matching ------------------------------------------------------------------------
# The loop below runs once per program (50,000 in the benchmark). Reasons are shared objects,
# built once per distinct combination of what they say (a key of small numbers), so a plan
# with thousands of programs holds a few dozen distinct reason tuples.

_R_NO_SCORE = Reason(
    "fit_no_score",
    "No Step 2 CK or practice score yet, so every program is a reach for now.",
    SRC_ASSUMPTION,
)
_R_J1 = Reason("visa_sponsored", "Sponsors the J-1 visa.", SRC_PROGRAM)
_R_H1B = Reason("visa_sponsored", "Sponsors the H-1B visa.", SRC_PROGRAM)
_R_EITHER = Reason("visa_sponsored", "Sponsors a J-1 or an H-1B.", SRC_PROGRAM)
_R_STATE = Reason("preference_state", "In one of your preferred states.", "your preferences")
_R_TYPE = Reason("preference_type", "A program type you prefer.", "your preferences")
_V_J1 = Reason("j1", "J-1 sponsorship not stated: verify with the program.", SRC_PROGRAM)
_V_H1B = Reason("h1b", "H-1B sponsorship not stated: verify with the program.", SRC_PROGRAM)
_V_EITHER = Reason("visa", "Visa sponsorship not stated: verify with the program.", SRC_PROGRAM)
_V_VISA_STALE = Reason(
    "visa_stale",
    f"Its visa sponsorship was last verified over a season ago ({STALE_AFTER_DAYS} days): "
    "verify it still holds.",
    SRC_PROGRAM,
)
_V_YOG = Reason(
    "max_yog",
    "Limit on years since graduation not stated, and you are past the common cutoffs: "
    "verify with the program.",
    SRC_PROGRAM,
)
_V_FAIL = Reason(
    "accepts_failures",
    "Unknown whether it considers applicants with a failed attempt: verify with the program.",
    SRC_PROGRAM,
)
_V_USCE = Reason(
    "requires_usce",
    "Unknown whether US clinical experience is required: verify with the program.",
    SRC_PROGRAM,
)
_V_CITIZEN = Reason(
    "military_citizenship",
    "A military program: residents serve as commissioned officers, which needs US "
    "citizenship; verify you qualify.",
    SRC_ASSUMPTION,
)
_EX_VISA = {
    "j1": Reason("visa", "Does not sponsor the J-1 you need.", SRC_PROGRAM),
    "h1b": Reason("visa", "Does not sponsor the H-1B you need.", SRC_PROGRAM),
    "either": Reason("visa", "Sponsors neither a J-1 nor an H-1B.", SRC_PROGRAM),
}
_EX_FAIL = Reason(
    "exam_failures", "Does not consider applicants with a failed exam attempt.", SRC_PROGRAM
)
_EX_USCE = Reason(
    "usce_required", "Requires US clinical experience, and you have none yet.", SRC_PROGRAM
)
_EX_MILITARY = Reason(
    "military",
    "A military program: residents serve as commissioned officers, which needs US "
    "citizenship, and you are not a US citizen.",
    SRC_ASSUMPTION,
)
_EX_NO_POSITIONS = Reason(
    "no_positions", "Offers no first-year position in this listing.", SRC_PROGRAM
)
_CONFIDENCE_TEXT = {
    "high": "How sure: high. The program states the Step 2 CK of the applicants it interviews.",
    "medium": "How sure: medium. No stated Step 2 CK figure; judged from the share of IMG "
    "residents, the program type and size.",
    "low": "How sure: low. No stated Step 2 CK figure and no IMG share; judged from the "
    "program type and your standing only.",
}
_CONFIDENCE_REASONS = {
    level: Reason("fit_confidence", text, SRC_ASSUMPTION)
    for level, text in _CONFIDENCE_TEXT.items()
}
_CONFIDENCE_INDEX = {"high": 0, "medium": 1, "low": 2}
_FLAG_WORDS = {
    "yog_old": "years since graduation",
    "no_usce": "no US clinical experience",
    "no_us_letters": "no US letters",
    "no_sloe": "no SLOE",
}
_TYPE_WORDS = {
    "university": "university-based (screens harder)",
    "community_university": "community, university-affiliated",
    "community": "community-based (screens less)",
    "military": "military",
    "unknown": "type not stated",
}


def img_percentiles(programs: Sequence[ProgramFacts], codes: Iterable[str]) -> dict[str, list[int]]:
    """Per specialty, the sorted IMG shares its programs state (for the percentile rule)."""
    wanted = set(codes)
    shares: dict[str, list[int]] = {code: [] for code in wanted}
    for p in programs:
        if p.specialty_code in wanted and p.img_share is not None:
            shares[p.specialty_code].append(p.img_share)
    for values in shares.values():
        values.sort()
    return shares


def _img_points(share: int, ordered: list[int]) -> tuple[int, float]:
    """Selectivity points of an IMG share, and its percentile among the specialty's."""
    # Mid-rank: programs with the same share count half below, half above, so a catalog where
    # every program has one share puts each in the middle.
    below = bisect.bisect_left(ordered, share)
    same = bisect.bisect_right(ordered, share) - below
    percentile = (below + same / 2) / len(ordered) if ordered else 0.5
    for upper, points in FIT_IMG_PERCENTILE_POINTS:
        if percentile < upper:
            return points, percentile
    return FIT_IMG_PERCENTILE_POINTS[-1][1], percentile


def _screen_points(flags: Sequence[RedFlag]) -> tuple[int, tuple[str, ...]]:
    codes = tuple(f.code for f in flags if f.code in FIT_SCREEN_FLAGS)
    return min(len(codes), FIT_SCREEN_FLAG_MAX), codes


def _fit_of(difficulty: int) -> int:
    return 0 if difficulty <= FIT_LIKELY_MAX else 1 if difficulty <= FIT_TARGET_MAX else 2


def match_programs(
    profile: Profile,
    plans: Sequence[SpecialtyPlan],
    history: ExamHistory,
    score: ScoreUsed,
    programs: Sequence[ProgramFacts],
    today: dt.date,
    name_ranks: Mapping[str, Mapping[int, int]] | None = None,
    *,
    flags: Sequence[RedFlag] = (),
    platforms: Mapping[str, frozenset[str]] | None = None,
) -> tuple[tuple[ProgramEntry, ...], tuple[ExcludedProgram, ...], dict[str, int], int]:
    """List, label and order the programs of the plan's specialties (docs/rules.md,
    "Program fit"). ``flags``: the applicant's red flags (the screened ones lower every fit);
    ``platforms``: per specialty code, the application platforms its plan uses this season
    (``DEFAULT_PLATFORMS`` otherwise)."""
    order = {plan.code: index for index, plan in enumerate(plans)}
    tiers = {plan.code: plan.tier for plan in plans}
    shares_by_code = img_percentiles(programs, order)
    screen, screen_codes = _screen_points(flags)
    platforms = platforms or {}
    uses = {
        code: platforms.get(code) or DEFAULT_PLATFORMS.get(code) or DEFAULT_PLATFORM
        for code in order
    }
    visa = profile.visa
    needs_visa = visa != "none"
    # Military programs need US citizenship: the stated citizenship decides; without it, a
    # visa need says the applicant is not a citizen.
    citizenship = getattr(profile, "citizenship", None)
    not_citizen = citizenship in ("permanent_resident", "other") or (
        citizenship is None and needs_visa
    )
    citizen_unknown = citizenship is None and not needs_visa
    season = profile.application_year
    years = years_since_graduation(profile)
    has_failures = history.total > 0
    value = score.value
    projected = score.kind == "projected"
    word = "projected score" if projected else "Step 2 CK"
    no_usce = profile.usce_months <= 0
    states = frozenset(profile.preferred_states)
    types = frozenset(profile.program_types)
    stale_before = today - dt.timedelta(days=STALE_AFTER_DAYS)
    new_since = season - FIT_NEW_PROGRAM_YEARS
    check_j1 = visa == "j1"
    check_h1b = visa == "h1b"
    check_either = visa == "either"
    sponsored, unknown_visa = (
        (_R_J1, _V_J1)
        if check_j1
        else (_R_H1B, _V_H1B)
        if check_h1b
        else (_R_EITHER, _V_EITHER)
        if check_either
        else (None, None)
    )
    ex_visa = _EX_VISA.get(visa)
    # The applicant needs IMG-friendly programs first: a visa, or a weaker standing.
    img_first = needs_visa or any(plan.tier in ("risk", "high_risk") for plan in plans)
    fit_points = (FIT_RANK_POINTS["likely"], FIT_RANK_POINTS["target"], FIT_RANK_POINTS["reach"])
    flag_words = (
        f" and red flags programs screen on ({', '.join(_FLAG_WORDS[c] for c in screen_codes)}"
        f"{f'; {FIT_SCREEN_FLAG_MAX} counted' if len(screen_codes) > FIT_SCREEN_FLAG_MAX else ''})"
        if screen
        else ""
    )

    fit_cache: dict[tuple[Any, ...], Reason] = {}
    season_reasons: dict[int | None, Reason] = {}
    verify_cache: dict[tuple[Reason, ...], tuple[Reason, ...]] = {}
    verify_bits = (
        (1, unknown_visa),
        (2, _V_VISA_STALE),
        (4, _V_YOG),
        (8, _V_FAIL),
        (16, _V_USCE),
        (32, _V_CITIZEN),
    )
    verify_sets = [
        tuple(r for bit, r in verify_bits if bits & bit)  # type: ignore[misc]
        for bits in range(64)
    ]
    reason_cache: dict[tuple[Any, ...], tuple[Reason, ...]] = {}
    why_cache: dict[tuple[Any, ...], tuple[Reason, ...]] = {}

    def fit_reason(key: tuple[Any, ...]) -> Reason:
        found = fit_cache.get(key)
        if found is not None:
            return found
        kind = key[0]
        if kind == "score":
            _, typical, diff, down = key
            text = f"Your {word} {value} against its typical {typical} ({diff:+d})."
            if down:
                text += f" One step down for{flag_words[4:]}."
            found = Reason("fit_score", text, SRC_PROGRAM)
        else:
            _, code, share, pct, type_, size, new, total, fit = key
            parts = []
            if share is None:
                parts.append("IMG share not stated")
            elif pct >= 0.5:
                parts.append(
                    f"{share}% IMG residents, a higher share than {round(pct * 100)}% of "
                    f"{code} programs"
                )
            else:
                parts.append(
                    f"{share}% IMG residents, a lower share than {round((1 - pct) * 100)}% of "
                    f"{code} programs"
                )
            parts.append(_TYPE_WORDS.get(type_, type_))
            if size == -1:
                parts.append("many first-year places")
            elif size == 1:
                parts.append("few first-year places")
            if new:
                parts.append("accredited in the last few years (new programs take more IMGs)")
            label = FITS[fit]
            found = Reason(
                "fit_evidence",
                f"No stated Step 2 CK figure. {'; '.join(parts)}. With your "
                f"'{TIER_LABELS[tiers[code]]}' standing in {code}{flag_words}: {label} "
                f"(difficulty {total:+d}).",
                SRC_ASSUMPTION,
            )
        fit_cache[key] = found
        return found

    counts = dict.fromkeys(EXCLUSION_REASONS, 0)
    excluded: list[ExcludedProgram] = []
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    considered = 0
    for p in programs:
        code = p.specialty_code
        group = order.get(code)
        if group is None:
            continue
        considered += 1
        j1, h1b = p.j1, p.h1b
        why: list[Any] = []
        if (
            (check_j1 and j1 == "no")
            or (check_h1b and h1b == "no")
            or (check_either and j1 == "no" and h1b == "no")
        ):
            why.append(ex_visa)
        max_yog = p.max_yog
        if max_yog is not None and years > max_yog:
            why.append(("yog", max_yog))
        if has_failures and p.accepts_failures == "no":
            why.append(_EX_FAIL)
        step2_min = p.step2_min
        if step2_min is not None and value is not None and not projected and value < step2_min:
            why.append(("score_below_minimum", step2_min))
        if no_usce and p.requires_usce == "yes":
            why.append(_EX_USCE)
        military = p.program_type == "military" or p.affiliation == "military"
        if military and not_citizen:
            why.append(_EX_MILITARY)
        accepting_season = p.accepting_season
        if p.accepting_applications == "no" and accepting_season in (season, None):
            why.append(("not_accepting", accepting_season))
        platform = p.application_platform
        if platform != "unknown" and platform not in uses[code]:
            why.append(("platform", platform))
        if p.positions == 0:
            why.append(_EX_NO_POSITIONS)
        verified = p.last_verified
        stale = verified is None or verified < stale_before
        if why:
            key = tuple(why)
            reasons = why_cache.get(key)
            if reasons is None:
                reasons = why_cache[key] = tuple(
                    _exclusion_reason(item, years, value, season, uses[code]) for item in why
                )
            for reason in reasons:
                counts[reason.rule] += 1
            excluded.append(ExcludedProgram(p.id, p.name, code, reasons, verified, stale))
            continue

        # --- fit -----------------------------------------------------------------------
        tier = tiers[code]
        typical = p.step2_typical
        share = p.img_share
        if value is None:
            fit = 2
            first = _R_NO_SCORE
            confidence = "low"
            difficulty = 99
        elif typical is not None:
            diff = value - typical
            fit = 0 if diff >= FIT_LIKELY_MARGIN else 1 if diff > -FIT_TARGET_MARGIN else 2
            down = screen >= FIT_SCREEN_FLAG_MAX and fit < 2
            if down:
                fit += 1
            first = fit_reason(("score", typical, diff, down))
            confidence = "high"
            difficulty = -diff
        else:
            points = FIT_TIER_POINTS[tier] + screen
            pct = 0.5
            if share is not None:
                img_points, pct = _img_points(share, shares_by_code[code])
                points += img_points
            type_points = FIT_TYPE_POINTS.get(p.program_type, 0)
            points += type_points
            positions = p.positions
            size = 0
            if positions is not None:
                # Many places make a community program easier to enter; a large academic
                # program is as selective as a small one.
                if positions >= FIT_LARGE_POSITIONS and p.program_type != "university":
                    size = -1
                elif 0 < positions <= FIT_SMALL_POSITIONS:
                    size = 1
            points += size
            new = p.first_accredited is not None and p.first_accredited >= new_since
            if new:
                points -= 1
            fit = _fit_of(points)
            first = fit_reason(
                ("evidence", code, share, round(pct, 2), p.program_type, size, new, points, fit)
            )
            confidence = "medium" if share is not None else "low"
            difficulty = points

        # --- what to verify: only unknowns that gate this applicant -----------------------
        bits = 0  # verify_bits, in the order they are listed
        visa_state = 0  # 2: sponsorship of the needed visa stated, 1: not stated
        if needs_visa:
            if (
                j1 == "yes"
                if check_j1
                else h1b == "yes"
                if check_h1b
                else j1 == "yes" or h1b == "yes"
            ):
                visa_state = 2
                if stale:
                    bits = 2
            else:
                visa_state = 1
                bits = 1
        if max_yog is None and years > YOG_VERIFY_AFTER:
            bits |= 4
        if has_failures and p.accepts_failures == "unknown":
            bits |= 8
        if no_usce and p.requires_usce == "unknown":
            bits |= 16
        if military and citizen_unknown:
            bits |= 32
        verify_tuple = verify_sets[bits]
        if p.accepting_applications == "no":  # about another season than the applicant's
            reason = season_reasons.get(accepting_season)
            if reason is None:
                reason = season_reasons[accepting_season] = Reason(
                    "accepting_applications",
                    f"Was not accepting applications for the {accepting_season} season: "
                    f"verify for {season}.",
                    SRC_PROGRAM,
                )
            verify_key = (*verify_tuple, reason)
            verify_tuple = verify_cache.get(verify_key) or verify_cache.setdefault(
                verify_key, verify_key
            )

        in_state = p.state in states
        in_type = p.program_type in types
        points = fit_points[fit]
        if in_state:
            points += RANK_BONUS_STATE
        if in_type:
            points += RANK_BONUS_TYPE
        third = None
        if projected and step2_min is not None and value < step2_min:  # type: ignore[operator]
            fit = 2
            third = Reason(
                "projected_below_minimum",
                f"Your projected score is under its minimum of {step2_min}: a reach "
                "until your real score reaches it.",
                SRC_PROGRAM,
            )
        rkey = (first, confidence, third, visa_state == 2, in_state, in_type)
        reasons = reason_cache.get(rkey)
        if reasons is None:
            items = [first, _CONFIDENCE_REASONS[confidence]]
            if third is not None:
                items.append(third)
            if visa_state == 2:
                items.append(sponsored)
            if in_state:
                items.append(_R_STATE)
            if in_type:
                items.append(_R_TYPE)
            reasons = reason_cache[rkey] = tuple(items)  # type: ignore[arg-type]
        entry = ProgramEntry(
            p, FITS[fit], points, in_state, in_type, reasons, verify_tuple, 0, confidence
        )
        tiebreak = name_ranks[code][p.id] if name_ranks and code in name_ranks else p.name
        # Within a label: the stated visa first, then the stronger evidence, the easier
        # program, the higher IMG share (when the applicant needs IMG-friendly programs),
        # the preferences; names only break exact ties.
        append(
            (
                group,
                fit,
                -visa_state,
                _CONFIDENCE_INDEX[confidence],
                difficulty,
                -(share or 0) if img_first else 0,
                -points,
                tiebreak,
                p.id,
                entry,
            )
        )
    rows.sort()  # ids are unique: the entries themselves are never compared
    entries = tuple([row[-1] for row in rows])
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank
    return entries, tuple(excluded), counts, considered


def _exclusion_reason(
    item: Any, years: int, value: int | None, season: int, uses: frozenset[str]
) -> Reason:
    if isinstance(item, Reason):
        return item
    kind, detail = item
    if kind == "yog":
        return Reason(
            "yog",
            f"Takes applicants up to {detail} years after graduation; you will be at {years}.",
            SRC_PROGRAM,
        )
    if kind == "score_below_minimum":
        return Reason(
            "score_below_minimum",
            f"Its minimum Step 2 CK is {detail}; yours is {value}.",
            SRC_PROGRAM,
        )
    if kind == "not_accepting":
        which = f"the {detail} season" if detail else "this season"
        return Reason(
            "not_accepting",
            f"Not accepting applications for {which} (your season: {season}).",
            SRC_PROGRAM,
        )
    names = " or ".join(PLATFORM_NAMES.get(u, u) for u in sorted(uses))
    return Reason(
        "platform",
        f"Takes applications through {PLATFORM_NAMES.get(detail, detail)}; your plan for this "
        f"specialty uses {names}.",
        SRC_PROGRAM,
    )


def catalog_coverage(programs: Sequence[ProgramFacts], code: str, today: dt.date) -> Catalog:
    """How much the catalog says about ``code``'s programs."""
    mine = [p for p in programs if p.specialty_code == code]
    dates = [p.last_verified for p in mine if p.last_verified is not None]
    stale_before = today - dt.timedelta(days=STALE_AFTER_DAYS)
    return Catalog(
        specialty=code,
        programs=len(mine),
        last_updated=max(dates) if dates else None,
        no_visa_stated=sum(1 for p in mine if p.j1 == "unknown" and p.h1b == "unknown"),
        no_img_share=sum(1 for p in mine if p.img_share is None),
        with_step2=sum(1 for p in mine if p.step2_typical is not None),
        stale=sum(1 for p in mine if p.last_verified is None or p.last_verified < stale_before),
    )


def catalog_note(catalog: Catalog) -> Reason:
    if not catalog.programs:
        return Reason(
            "catalog_coverage",
            f"The catalog had no {catalog.specialty} programs when this plan was made.",
            SRC_PROGRAM,
        )
    when = f"{catalog.last_updated:%B %Y}" if catalog.last_updated else "never verified"
    return Reason(
        "catalog_coverage",
        f"{catalog.specialty} programs last updated {when}; {catalog.no_visa_stated} of "
        f"{catalog.programs} do not state visa sponsorship, {catalog.no_img_share} do not state "
        f"their IMG share, {catalog.with_step2} state a typical Step 2 CK, and {catalog.stale} "
        "were not verified within a season.",
        SRC_PROGRAM,
    )


def fit_note(
    plan: SpecialtyPlan, entries: Sequence[ProgramEntry], flags: Sequence[RedFlag]
) -> Reason | None:
    """What the labels mean when few programs are realistic for this applicant."""
    mine = [e for e in entries if e.facts.specialty_code == plan.code]
    good = sum(1 for e in mine if e.fit != "reach")
    if good >= FIT_FEW_TARGETS or not mine:
        return None
    _, codes = _screen_points(flags)
    why = f"your '{TIER_LABELS[plan.tier]}' standing"
    if codes:
        why += f" and the red flags programs screen on ({', '.join(_FLAG_WORDS[c] for c in codes)})"
    return Reason(
        "fit_few_targets",
        f"Only {good} of the {len(mine)} {plan.code} programs listed are targets or likely for "
        f"you, because of {why}. A reach here means programs like it rarely interview "
        "applicants with this profile: apply to the IMG-heavy reach programs at the top of the "
        "list first, fix what the red flags and actions above name, and weigh the "
        "dual-application advice before spending on the rest.",
        SRC_ASSUMPTION,
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the program loop (or packing) runs.

    The loop allocates a few objects per program and none of them form reference cycles, yet
    with 50,000 programs the collector would repeatedly walk every live object (a third of
    the run time in the benchmark). Reference counting still frees everything; the collector
    is restored, if it was on, as soon as the block ends (pauses nest: only the outermost
    one restores it).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def name_ranks(programs: Sequence[ProgramFacts]) -> dict[int, int]:
    """Each program's position when ``programs`` (one specialty's) are sorted by name and id:
    :func:`assess`'s ``name_ranks`` for that specialty (callers keep it with the programs)."""
    ordered = sorted(programs, key=lambda p: (p.name, p.id))
    return {p.id: rank for rank, p in enumerate(ordered)}


# --- eligibility, signals, comparison group ----------------------------------------------------

USMLE_MAX_ATTEMPTS = 4  # four unpassed attempts on any Step: ineligible for every Step


def eligibility(
    profile: Profile, history: ExamHistory, facts: SeasonFacts | None
) -> dict[str, Any]:
    """USMLE eligibility: four or more unpassed attempts on any Step end eligibility for every
    Step, and with it ECFMG certification and the Match."""
    blocked = []
    if profile.step1.result == "fail" and profile.step1.attempts >= USMLE_MAX_ATTEMPTS:
        blocked.append("Step 1")
    s2 = profile.step2ck
    if s2.score is not None and not history.step2_passed and s2.attempts >= USMLE_MAX_ATTEMPTS:
        blocked.append("Step 2 CK")
    if profile.step3.result == "fail" and profile.step3.attempts >= USMLE_MAX_ATTEMPTS:
        blocked.append("Step 3")
    source = _cite(facts, "usmle_attempt_limit", SRC_USMLE_ATTEMPTS)
    if not blocked:
        return {"eligible": True, "steps": [], "text": "", "next_steps": [], "source": source}
    steps = " and ".join(blocked)
    return {
        "eligible": False,
        "steps": blocked,
        "text": (
            f"Four attempts on {steps} have not led to a pass. Under the USMLE attempt limit, "
            "that makes you ineligible to apply for any USMLE Step, so ECFMG certification, and "
            "with it a US residency through the Match, is not open to you now. We are sorry: "
            "this is not the plan you hoped for, and it is better to know it before spending "
            "on applications."
        ),
        "next_steps": [
            "Ask USMLE and ECFMG directly whether any exception or review applies to your "
            "record before you plan anything else.",
            "Look at clinical careers that do not need USMLE eligibility: licensure and "
            "training in your home country or another country whose exams you can take.",
            "Consider research, public health or other non-clinical roles in the US, which do "
            "not need a residency.",
        ],
        "source": source,
    }


def _visa_ok(f: ProgramFacts, visa: str) -> bool:
    if visa == "none":
        return True
    if visa == "j1":
        return f.j1 == "yes"
    if visa == "h1b":
        return f.h1b == "yes"
    return f.j1 == "yes" or f.h1b == "yes"


def signal_plans(
    profile: Profile,
    plans: Sequence[SpecialtyPlan],
    entries: Sequence[ProgramEntry],
    facts: SeasonFacts | None,
) -> tuple[dict[str, Any], ...]:
    """Per specialty: its signals (count and kinds) and where to spend them from the plan's own
    program list: target programs that sponsor the applicant's visa and train IMGs (not reach
    programs far above the profile, not likely ones that would answer anyway)."""
    if facts is None:
        return ()
    applying = season_of(profile.application_year)
    out = []
    for plan in plans:
        rule = facts.signals.get(plan.code)
        if rule is None:
            continue
        candidates = [
            e
            for e in entries
            if e.facts.specialty_code == plan.code
            and e.fit == "target"
            and _visa_ok(e.facts, profile.visa)
            and e.facts.img_share is not None
            and e.facts.img_share >= IMG_FEW_SHARE
        ]
        candidates.sort(key=lambda e: e.rank or 0)
        proposed = []
        kinds = list(rule.kinds)
        slots = [label for label, n in kinds for _ in range(n)]
        for e, label in zip(candidates, slots, strict=False):
            f = e.facts
            visa_word = {"none": "", "j1": "sponsors the J-1, ", "h1b": "sponsors the H-1B, "}.get(
                profile.visa, "sponsors a J-1 or an H-1B, "
            )
            proposed.append(
                {
                    "program_id": f.id,
                    "name": f.name,
                    "kind": label,
                    "reason": f"A target for your profile; {visa_word}"
                    f"{f.img_share}% of its residents are IMGs.",
                }
            )
        confirmed = rule.confirmed_season
        if confirmed is None:
            season_text = "The number of signals is not confirmed for any season."
        elif confirmed >= applying:
            season_text = f"Signal numbers of the {confirmed} season."
        else:
            season_text = (
                f"Signal numbers of the {confirmed} season, the latest we could confirm; you "
                f"apply in the {applying} season: check the current numbers."
            )
        if plan.platform == PLATFORM_RCAS:
            season_text += (
                f" {plan.code} now applies through ResidencyCAS; its signal number there is not "
                "confirmed."
            )
        count_text = " and ".join(
            f"{n} {label}" if label != "signal" else f"{n}" for label, n in kinds
        )
        text = (
            f"{plan.name}: {count_text} signal{'s' if rule.total != 1 else ''}. A signal tells a "
            "program you are truly interested; it helps most where your profile is close to "
            "what the program takes. So we propose them for target programs that sponsor your "
            "visa and already train IMGs, not for long shots far above your profile and not for "
            "programs likely to answer you anyway."
        )
        if rule.rule_text:
            text += f" Rule of the specialty: {rule.rule_text}"
        shortfall = ""
        if not proposed:
            shortfall = (
                "No program in your list fits that description yet: spend your signals on the "
                "closest targets you would really join, after checking their visa and IMG facts."
            )
        elif len(proposed) < rule.total:
            shortfall = (
                f"Only {len(proposed)} program{'s' if len(proposed) != 1 else ''} in your list "
                "fit that description; spend the rest on the closest targets you would really "
                "join, after checking their visa and IMG facts."
            )
        out.append(
            {
                "specialty": plan.code,
                "platform": plan.platform,
                "kinds": [{"label": label, "count": n} for label, n in kinds],
                "total": rule.total,
                "rule_text": rule.rule_text,
                "confirmed_season": confirmed,
                "season_note": season_text,
                "text": text,
                "shortfall": shortfall,
                "proposed": proposed,
                "source": rule.source.cite() if rule.source else SRC_ASSUMPTION,
                "source_key": rule.source.key if rule.source else "",
                "source_url": rule.source.url if rule.source else "",
            }
        )
    return tuple(out)


def comparison_group(profile: Profile, facts: SeasonFacts | None) -> Reason:
    """Which applicant group the reference figures describe, said plainly."""
    if profile.citizenship == "us_citizen":
        return Reason(
            "comparison_group",
            "You are a US citizen who studied abroad: the NRMP counts you as a US citizen IMG, a "
            "group that matches more often than non-US IMGs. MatchPlan holds the medians of "
            "non-US IMGs only, so your tiers are compared with that group and are, if anything, "
            "cautious; check NRMP's Charting Outcomes for US citizen IMGs in your specialty.",
            f"{SRC_NRMP}; {_cite(facts, 'nrmp_pr_is_non_us_img', SRC_NRMP)}",
        )
    if profile.citizenship == "permanent_resident":
        return Reason(
            "comparison_group",
            "As a permanent resident you register with the NRMP as a non-US IMG, so the non-US "
            "IMG figures used here are your group; you need no visa.",
            _cite(facts, "nrmp_pr_is_non_us_img", SRC_NRMP),
        )
    return Reason(
        "comparison_group",
        "Your tiers are compared with non-US IMGs (the figures MatchPlan holds).",
        SRC_NRMP,
    )


def program_shortfall(apps: Applications, entries: Sequence[ProgramEntry]) -> Reason | None:
    """When the recommended number of applications exceeds the fitting programs in the list."""
    listed = sum(1 for e in entries if e.facts.specialty_code == apps.specialty)
    if listed >= apps.min:
        return None
    return Reason(
        "program_shortfall",
        f"The plan recommends {apps.min}-{apps.max} {apps.specialty} applications, but only "
        f"{listed} {apps.specialty} program{'s' if listed != 1 else ''} in our list fit your "
        "answers (the programs of your backups are counted apart). Widen "
        "your preferred states or program types, add a backup specialty, or revisit the visa "
        "you need; programs missing from our list can also be added by hand after checking "
        "their visa and IMG facts.",
        SRC_ASSUMPTION,
    )


# Specialties whose programs are mostly advanced (PGY-2 start): a separate PGY-1 year is
# needed. From MatchPlan's domain notes and a medical school's residency manual (secondary);
# our assumption where a specialty also offers categorical positions.
ADVANCED_SPECIALTIES = frozenset({"RAD", "NEURO", "ANES"})
PGY1_TRACKS = ("IM-PRELIM", "TY")


def pgy1_plan(
    profile: Profile,
    primary: SpecialtyPlan,
    rules: Mapping[str, SpecialtyRules],
    score: ScoreUsed,
    history: ExamHistory,
    fees: FeeSchedule,
    platform_fees: PlatformFees | None,
) -> SpecialtyPlan | None:
    """For an advanced specialty, the PGY-1 track to apply for as well (prelim medicine first:
    it takes more IMGs than transitional years), costed like a specialty. Its ranks go on
    supplemental lists, which have their own 20 included ranks, so it adds none here."""
    if primary.code not in ADVANCED_SPECIALTIES:
        return None
    tracks = [c for c in PGY1_TRACKS if c in rules]
    if not tracks:
        return None
    plan = specialty_plan(profile, rules[tracks[0]], "pgy1", score, history, fees, platform_fees)
    return replace(plan, ranks=0)


def pgy1_year(
    primary: SpecialtyPlan,
    plan: SpecialtyPlan | None,
    rules: Mapping[str, SpecialtyRules],
    facts: SeasonFacts | None,
) -> dict[str, Any] | None:
    """The PGY-1 year explained: which tracks, how many applications, the cost (already in the
    plan's totals) and the supplemental rank order list."""
    if plan is None:
        return None
    tracks = [c for c in PGY1_TRACKS if c in rules]
    names = " or ".join(rules[c].name for c in tracks)
    low, high = plan.applications_min, plan.applications_max
    nrmp_src = _cite(facts, "nrmp_match_fees", SRC_NRMP_CALENDAR)
    return {
        "needed": True,
        "tracks": tracks,
        "specialty": plan.code,
        "tier": plan.tier,
        "applications": {"min": low, "max": high},
        "cost_usd": {"min": plan.eras_cost_min, "max": plan.eras_cost_max},
        "text": (
            f"Most {primary.name} positions start in the second year (PGY-2), so you also need "
            f"a first year: apply to {names} programs as well ({low}-{high} {plan.code} "
            f"applications for a profile that is {TIER_LABELS[plan.tier]} there, "
            f"${plan.eras_cost_min:,}-${plan.eras_cost_max:,} on {plan.platform}, included in "
            f"the cost above). Rank them on supplemental rank order lists attached to the "
            f"{primary.code} programs you rank; the NRMP registration includes 20 programs on "
            "all supplemental lists together."
        ),
        "source": f"{SRC_ASSUMPTION}; {nrmp_src}",
    }


def season_choice(
    profile: Profile,
    primary: SpecialtyPlan,
    apps: Applications,
    flags: Sequence[RedFlag],
    today: dt.date,
) -> dict[str, Any] | None:
    """'Apply this season or next?' when the Step 2 CK score cannot be in before programs
    review applications, or the projected score is under what the plan needs."""
    s2 = profile.step2ck
    if s2.score is not None:
        return None
    codes = {f.code for f in flags}
    late = "step2ck_late" in codes
    low = "practice_below_target" in codes or (
        s2.latest_practice is None and today >= dt.date(profile.application_year, 6, 1)
    )
    if not (late or low):
        return None
    year = profile.application_year
    why = []
    if late:
        why.append("your Step 2 CK score will not be in when programs start reading")
    if low:
        why.append(
            "you have no practice score yet, with the exam weeks away"
            if s2.latest_practice is None
            else "your practice scores are well under the score this plan needs"
        )
    return {
        "why": " and ".join(why),
        "options": [
            {
                "key": "now",
                "title": f"Apply this season (Match {year + 1})",
                "cost": {"min": apps.cost_min, "max": apps.cost_max},
                "what": (
                    "Apply with what you have, sending applications as soon as they open and "
                    "the score when it is in. Many programs will not review you without it, and "
                    "a rushed low score stays on your transcript for good."
                ),
                "changes": "An earlier start if it works; a weaker first application if not.",
            },
            {
                "key": "next",
                "title": f"Strengthen and apply next season (Match {year + 2})",
                "cost": {"min": apps.cost_min, "max": apps.cost_max},
                "what": (
                    "Take Step 2 CK when practice scores are at the target, add US clinical "
                    f"experience and letters, and apply in September {year + 1}. The fees are "
                    "paid once, a year later."
                ),
                "changes": (
                    "One more year since graduation; a complete application read from the first "
                    "day."
                ),
            },
        ],
        "rule": "season_choice",
        "source": f"{SRC_EM} (Step 2 CK by June-July; reschedule when practice is 15+ under)",
    }


def _sources(facts: SeasonFacts | None) -> tuple[dict[str, Any], ...]:
    if facts is None:
        return ()
    return tuple(
        {
            "key": r.key,
            "title": r.title,
            "publisher": r.publisher,
            "season": r.season,
            "url": r.url,
            "checked_on": _iso(r.checked_on),
            "confirmed": r.confirmed,
            "note": r.note,
        }
        for r in facts.sources.values()
    )


# --- citations per specialty ------------------------------------------------------------------


def own_source(source: str, code: str) -> str:
    """``source`` as cited in a plan of ``code``: an article about another specialty is never
    cited (EM plans cite the EM article, surgery plans the prelim surgery article, others our
    general rule)."""
    if not source or (SRC_EM not in source and SRC_GS not in source):
        return source
    keep = SRC_EM if code == "EM" else SRC_GS if code in ("GS", "GS-PRELIM") else None
    parts: list[str] = []
    for part in source.split("; "):
        for article in (SRC_EM, SRC_GS):
            if part.startswith(article) and article != keep:
                part = SRC_GENERAL
        if part not in parts:
            parts.append(part)
    return "; ".join(parts)


def _own_reason(r: Reason, code: str) -> Reason:
    src = own_source(r.source, code)
    return r if src == r.source else replace(r, source=src)


def _own_plan(p: SpecialtyPlan) -> SpecialtyPlan:
    return replace(
        p,
        tier_steps=tuple(replace(t, source=own_source(t.source, p.code)) for t in p.tier_steps),
        mix=tuple(replace(m, reason=_own_reason(m.reason, p.code)) for m in p.mix),
    )


def _own_sources(result: PlanResult) -> PlanResult:
    """Every citation of the plan (program reasons excepted: they cite program records) as the
    primary specialty's plan cites it; backups' tier steps as their own specialty's."""
    code = result.specialty
    primary = _own_plan(result.primary)
    apps = result.applications
    budget = apps.budget
    extra: dict[str, Any] = {}
    if result.season_choice is not None:
        extra["season_choice"] = {
            **result.season_choice,
            "source": own_source(result.season_choice["source"], code),
        }
    return replace(
        result,
        primary=primary,
        tier_steps=primary.tier_steps,
        backups=tuple(_own_plan(b) for b in result.backups),
        red_flags=tuple(replace(f, source=own_source(f.source, code)) for f in result.red_flags),
        applications=replace(
            apps,
            reason=_own_reason(apps.reason, code),
            mix=primary.mix,
            budget=None
            if budget is None
            else replace(budget, reason=_own_reason(budget.reason, code)),
        ),
        ranks=replace(result.ranks, reason=_own_reason(result.ranks.reason, code)),
        dual_apply=replace(result.dual_apply, source=own_source(result.dual_apply.source, code)),
        timeline=tuple(replace(m, source=own_source(m.source, code)) for m in result.timeline),
        actions=tuple(replace(a, source=own_source(a.source, code)) for a in result.actions),
        notes=tuple(_own_reason(n, code) for n in result.notes),
        **extra,
    )


# --- entry point -------------------------------------------------------------------------------


def assess(
    profile: Profile,
    *,
    rules: Mapping[str, SpecialtyRules],
    fees: FeeSchedule,
    programs: Sequence[ProgramFacts],
    today: dt.date,
    name_ranks: Mapping[str, Mapping[int, int]] | None = None,
    seasons: Mapping[int, SeasonFacts] | None = None,
) -> PlanResult:
    """Compute the plan. ``rules`` must hold the profile's specialty (KeyError otherwise);
    backups without rules are skipped. Only programs of the primary and backup specialties
    are considered.

    ``seasons`` (season -> facts): application platforms, their fees, signals and NRMP fees;
    without it the built-in defaults of assessments.season_data are used. An empty mapping
    prices everything with ``fees`` on ERAS, as plans were priced before season data existed.

    ``name_ranks`` (optional, only for speed; :func:`name_ranks` gives it): per specialty
    code, each of its programs' position when they are sorted by name and id; it must cover
    every program of the specialties it names. The result is the same with or without it.

    Programs on an application platform other than the one the season data gives a
    specialty are left out (``platform`` exclusion; ``DEFAULT_PLATFORMS`` without season
    data)."""
    if seasons is None:
        from assessments.season_data import DEFAULT_SEASONS  # pure data; avoids an import cycle

        seasons = DEFAULT_SEASONS
    applying = season_of(profile.application_year)
    facts = season_facts_for(seasons, applying) if seasons else None

    def _pf(code: str) -> PlatformFees | None:
        if facts is None:
            return None
        return facts.platforms[platform_for(code, applying, seasons)]

    primary_rules = rules[profile.specialty]
    history = exam_history(profile)
    score = _score_used(profile, history)
    primary = specialty_plan(
        profile, primary_rules, "primary", score, history, fees, _pf(profile.specialty)
    )
    flags = red_flags(profile, primary_rules, history, score, primary.bands, today)
    dual = dual_apply(profile, primary, primary_rules, flags, rules, score, history)
    backup_codes = profile.backup_specialties or (dual.specialties if dual.recommended else ())
    backups = tuple(
        specialty_plan(profile, rules[code], "backup", score, history, fees, _pf(code))
        for code in backup_codes
        if code in rules and code != profile.specialty
    )
    # Backups the plan calls unnecessary are shown but not costed.
    costed = backups if dual.recommended else ()
    first_year = pgy1_plan(profile, primary, rules, score, history, fees, _pf(PGY1_TRACKS[0]))
    if first_year is not None:
        costed = (*costed, first_year)
    apps, ranks = applications(profile, primary, costed, fees, facts, today)
    elig = eligibility(profile, history, facts)
    if elig["eligible"]:
        with gc_paused():
            entries, excluded_programs, counts, considered = match_programs(
                profile,
                (primary, *backups),
                history,
                score,
                programs,
                today,
                name_ranks,
                flags=flags,
                platforms=_matching_platforms((primary, *backups)) if facts is not None else None,
            )
    else:
        # No application plan for a profile that cannot take part in the Match.
        entries, excluded_programs, counts, considered = (
            (),
            (),
            dict.fromkeys(EXCLUSION_REASONS, 0),
            0,
        )
    notes = [
        score.reason,
        Reason("rule_basis", primary_rules.source_note, _rules_source(primary_rules)),
        Reason("fees", apps.fee_source, SRC_FEES),
        comparison_group(profile, facts),
    ]
    catalog = catalog_coverage(programs, primary.code, today)
    notes.append(catalog_note(catalog))
    shortfall = program_shortfall(apps, entries) if elig["eligible"] and programs else None
    if shortfall is not None:
        notes.append(shortfall)
    plans = (primary, *costed)
    signals = signal_plans(profile, plans, entries, facts) if elig["eligible"] else ()
    season_block = None
    if facts is not None:
        season_block = {
            "applying_season": applying,
            "data_season": facts.season,
            "platforms": {p.code: p.platform for p in (primary, *backups)},
            "notes": [_reason(r) for r in apps.notes],
        }
    return _own_sources(
        PlanResult(
            engine_version=ENGINE_VERSION,
            computed_on=today,
            specialty=profile.specialty,
            tier=primary.tier,
            projected=primary.projected,
            score=score,
            tier_steps=primary.tier_steps,
            primary=primary,
            backups=backups,
            red_flags=flags,
            applications=apps,
            ranks=ranks,
            dual_apply=dual,
            timeline=timeline(
                profile,
                primary_rules,
                history,
                today,
                facts,
                tuple(dict.fromkeys(p.platform for p in plans)),
            ),
            actions=actions(
                profile,
                primary_rules,
                primary,
                history,
                score,
                flags,
                dual,
                facts,
                plans,
                {code: r.name for code, r in rules.items()},
            ),
            programs=entries,
            excluded_programs=excluded_programs,
            excluded=counts,
            programs_considered=considered,
            failed_attempts=history.total,
            years_since_graduation=years_since_graduation(profile),
            notes=tuple(notes),
            season=season_block,
            signals=signals,
            eligibility=elig,
            sources=_sources(facts),
            pgy1=pgy1_year(primary, first_year, rules, facts),
            season_choice=season_choice(profile, primary, apps, flags, today),
            catalog=catalog,
            fit_note=fit_note(primary, entries, flags) if elig["eligible"] else None,
        )
    )


@dataclass(frozen=True, slots=True)
class Standing:
    """One specialty as if it were the primary: what :func:`assess` would say of it."""

    plan: SpecialtyPlan
    red_flags: tuple[RedFlag, ...]
    programs: tuple[ProgramEntry, ...]  # listed programs of this specialty, best first
    excluded: int
    considered: int
    score: ScoreUsed
    rules_source: str


def standings(
    profile: Profile,
    *,
    rules: Mapping[str, SpecialtyRules],
    fees: FeeSchedule,
    programs: Sequence[ProgramFacts],
    today: dt.date,
    name_ranks: Mapping[str, Mapping[int, int]] | None = None,
    seasons: Mapping[int, SeasonFacts] | None = None,
) -> tuple[Standing, ...]:
    """Every specialty in ``rules`` with the tier, red flags, costs and program fits that
    :func:`assess` gives it when it is the profile's primary (``profile.specialty`` itself is
    not read), in one pass over ``programs`` (the specialty explorer). ``seasons`` as for
    :func:`assess`."""
    if seasons is None:
        from assessments.season_data import DEFAULT_SEASONS  # pure data; avoids an import cycle

        seasons = DEFAULT_SEASONS
    applying = season_of(profile.application_year)
    facts = season_facts_for(seasons, applying) if seasons else None
    history = exam_history(profile)
    score = _score_used(profile, history)
    # Cited as a plan of each specialty cites (own_source).
    plans = tuple(
        _own_plan(
            specialty_plan(
                profile,
                r,
                "primary",
                score,
                history,
                fees,
                None if facts is None else facts.platforms[platform_for(r.code, applying, seasons)],
            )
        )
        for r in rules.values()
    )
    entries: tuple[ProgramEntry, ...] = ()
    excluded: tuple[ExcludedProgram, ...] = ()
    if eligibility(profile, history, facts)["eligible"]:  # as assess: no list otherwise
        with gc_paused():
            entries, excluded, _counts, _considered = match_programs(
                profile, plans, history, score, programs, today, name_ranks
            )
    listed: dict[str, list[ProgramEntry]] = {plan.code: [] for plan in plans}
    for entry in entries:
        listed[entry.facts.specialty_code].append(entry)
    left_out = dict.fromkeys(listed, 0)
    for program in excluded:
        left_out[program.specialty_code] += 1
    return tuple(
        Standing(
            plan=plan,
            red_flags=tuple(
                replace(f, source=own_source(f.source, plan.code))
                for f in red_flags(profile, rules[plan.code], history, score, plan.bands, today)
            ),
            programs=tuple(listed[plan.code]),
            excluded=left_out[plan.code],
            considered=len(listed[plan.code]) + left_out[plan.code],
            score=score,
            rules_source=own_source(_rules_source(rules[plan.code]), plan.code),
        )
        for plan in plans
    )


# --- JSON ------------------------------------------------------------------------------------


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _reason(r: Reason) -> dict[str, str]:
    return {"rule": r.rule, "text": r.text, "source": r.source}


def _step(s: TierStep) -> dict[str, str]:
    return {"rule": s.rule, "effect": s.effect, "tier": s.tier, "text": s.text, "source": s.source}


def _mix_dict(m: MixItem) -> dict[str, Any]:
    return {
        "label": m.label,
        "min": m.min,
        "max": m.max,
        "program_types": list(m.program_types),
        "reason": _reason(m.reason),
    }


def _specialty_dict(p: SpecialtyPlan) -> dict[str, Any]:
    return {
        "specialty": p.code,
        "name": p.name,
        "role": p.role,
        "tier": p.tier,
        "projected": p.projected,
        "bands": dict(p.bands),
        "tier_reasons": [_step(s) for s in p.tier_steps],
        "applications": {
            "min": p.applications_min,
            "max": p.applications_max,
            "eras_cost_usd": {"min": p.eras_cost_min, "max": p.eras_cost_max},
        },
        "platform": p.platform,
        "mix": [_mix_dict(m) for m in p.mix],
        "ranks": p.ranks,
        "basis": p.basis,
        "source_note": p.source_note,
        "reference": {
            "matched_median": p.matched_median,
            "unmatched_median": p.unmatched_median,
            "match_rate_pct": p.match_rate_pct,
            "source": p.stats_source,
        },
    }


def _program_dict(e: ProgramEntry, reasons: dict[int, dict[str, str]]) -> dict[str, Any]:
    """``reasons`` memoises reason dicts by the Reason object's id for one serialisation:
    the program loop shares a few Reason objects among thousands of entries, so their
    dicts are built once and shared too (the JSON is the same; treat the output as
    read-only)."""
    f = e.facts
    return {
        "id": f.id,
        "acgme_id": f.acgme_id,
        "name": f.name,
        "institution": f.institution,
        "city": f.city,
        "state": f.state,
        "specialty_code": f.specialty_code,
        "program_type": f.program_type,
        "positions": f.positions,
        "j1": f.j1,
        "h1b": f.h1b,
        "img_share": f.img_share,
        "step2_min": f.step2_min,
        "step2_typical": f.step2_typical,
        "max_yog": f.max_yog,
        "accepts_failures": f.accepts_failures,
        "requires_usce": f.requires_usce,
        "last_verified": _iso(f.last_verified),
        "website": f.website,
        "source": f.source,
        "track": f.track,
        "accepting_applications": f.accepting_applications,
        "accepting_season": f.accepting_season,
        "application_platform": f.application_platform,
        "affiliation": f.affiliation,
        "first_accredited": f.first_accredited,
        "total_positions": f.total_positions,
        "do_share": f.do_share,
        "usmd_share": f.usmd_share,
        "fit": e.fit,
        "confidence": e.confidence,
        "rank": e.rank,
        "points": e.points,
        "preferred_state": e.preferred_state,
        "preferred_type": e.preferred_type,
        "verify_with_program": bool(e.verify),
        "reasons": [reasons.get(id(r)) or _shared_reason(r, reasons) for r in e.reasons],
        "verify": [reasons.get(id(r)) or _shared_reason(r, reasons) for r in e.verify],
    }


def _shared_reason(r: Reason, reasons: dict[int, dict[str, str]]) -> dict[str, str]:
    d = reasons[id(r)] = _reason(r)
    return d


def plan_to_dict(result: PlanResult, *, program_lists: bool = True) -> dict[str, Any]:
    """The plan as the JSON documented in docs/assess.md (valid against docs/plan.schema.json).

    With ``program_lists=False`` the per-program lists (``programs``, ``excluded_programs``)
    are left empty while ``program_counts`` and ``excluded`` still count them: a summary (the
    what-if panel) then skips serialising thousands of entries it never shows.
    """
    apps = result.applications
    budget = apps.budget
    score = result.score
    by_fit = dict.fromkeys(FITS, 0)
    # Reason objects (alive for this whole call, so their ids are stable) -> their dicts.
    shared: dict[int, dict[str, str]] = {}
    for entry in result.programs:
        by_fit[entry.fit] += 1
    return {
        "engine_version": result.engine_version,
        "computed_on": result.computed_on.isoformat(),
        "specialty": result.specialty,
        "tier": result.tier,
        "projected": result.projected,
        "score": {
            "value": score.value,
            "kind": score.kind,
            "test_date": _iso(score.test_date),
            "passing_standard": score.passing_standard,
            "passed": score.passed,
            "reason": _reason(score.reason),
        },
        "tier_reasons": [_step(s) for s in result.tier_steps],
        "failed_attempts": result.failed_attempts,
        "years_since_graduation": result.years_since_graduation,
        "primary": _specialty_dict(result.primary),
        "backups": [_specialty_dict(b) for b in result.backups],
        "red_flags": [
            {
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "major": f.major,
                "rule": f.rule,
                "source": f.source,
            }
            for f in result.red_flags
        ],
        "applications": {
            "specialty": apps.specialty,
            "min": apps.min,
            "max": apps.max,
            "estimated_cost_usd": {"min": apps.cost_min, "max": apps.cost_max},
            "total": {"min": apps.total_min, "max": apps.total_max},
            "cost_breakdown": {
                "eras": {"min": apps.eras_min, "max": apps.eras_max},
                "usmle_transcript": apps.transcript,
                "nrmp": {"min": apps.nrmp_min, "max": apps.nrmp_max},
                "application_fees": {
                    "min": apps.application_fees_min,
                    "max": apps.application_fees_max,
                },
                "platforms": [dict(p) for p in apps.platforms],
                "ecfmg_token": apps.ecfmg_token,
                "nrmp_late_fee": apps.nrmp_late_fee,
                "nrmp_extra_ranks": apps.nrmp_extra_ranks,
            },
            "mix": [_mix_dict(m) for m in apps.mix],
            "budget": None
            if budget is None
            else {
                "budget_usd": budget.budget_usd,
                "covers": budget.covers,
                "affordable_primary_applications": budget.affordable_primary_applications,
                "affordable_with_backups": budget.affordable_with_backups,
                "shortfall_for_min_usd": budget.shortfall_for_min_usd,
                "reason": _reason(budget.reason),
            },
            "fee_season": apps.fee_season,
            "fee_source": apps.fee_source,
            "reason": _reason(apps.reason),
            "notes": [_reason(r) for r in apps.notes],
        },
        "ranks": {
            "recommended_contiguous": result.ranks.recommended_contiguous,
            "by_specialty": [
                {"specialty": code, "ranks": n} for code, n in result.ranks.by_specialty
            ],
            "total": result.ranks.total,
            "reason": _reason(result.ranks.reason),
        },
        "dual_apply": {
            "recommended": result.dual_apply.recommended,
            "specialties": list(result.dual_apply.specialties),
            "reason": result.dual_apply.reason,
            "rule": result.dual_apply.rule,
            "source": result.dual_apply.source,
        },
        "timeline": [
            {
                "code": m.code,
                "title": m.title,
                "date": m.date.isoformat(),
                "end_date": _iso(m.end_date),
                "kind": m.kind,
                "status": m.status,
                "note": m.note,
                "rule": m.rule,
                "source": m.source,
            }
            for m in result.timeline
        ],
        "actions": [
            {
                "code": a.code,
                "impact": a.impact,
                "text": a.text,
                "how_much": a.how_much,
                "rule": a.rule,
                "source": a.source,
            }
            for a in result.actions
        ],
        "programs": [_program_dict(e, shared) for e in result.programs] if program_lists else [],
        "excluded": dict(result.excluded),
        "excluded_programs": [
            {
                "id": x.id,
                "name": x.name,
                "specialty_code": x.specialty_code,
                "reasons": [_reason(r) for r in x.reasons],
                "as_of": _iso(x.as_of),
                "stale": x.stale,
            }
            for x in result.excluded_programs
        ]
        if program_lists
        else [],
        "program_counts": {
            "considered": result.programs_considered,
            "listed": len(result.programs),
            "excluded": len(result.excluded_programs),
            "by_fit": by_fit,
        },
        "notes": [_reason(n) for n in result.notes],
        "season": dict(result.season) if result.season is not None else None,
        "signals": [dict(x) for x in result.signals],
        "eligibility": dict(result.eligibility) if result.eligibility is not None else None,
        "sources": [dict(x) for x in result.sources],
        "pgy1": dict(result.pgy1) if result.pgy1 is not None else None,
        "season_choice": dict(result.season_choice) if result.season_choice else None,
        "catalog": None if result.catalog is None else _catalog_dict(result.catalog),
        "fit_note": None if result.fit_note is None else _reason(result.fit_note),
    }


def _catalog_dict(c: Catalog) -> dict[str, Any]:
    return {
        "specialty": c.specialty,
        "programs": c.programs,
        "last_updated": _iso(c.last_updated),
        "no_visa_stated": c.no_visa_stated,
        "no_img_share": c.no_img_share,
        "with_step2": c.with_step2,
        "stale": c.stale,
    }


# --- compact program lists ----------------------------------------------------------------------
# A saved plan stores its program lists apart from the rest of the output, packed (format 2):
#
# - ``blocks``: the facts of the programs, one block per specialty, one list per column (no
#   repeated keys), the repeated strings (institutions, cities, dates, sources, ...) stored once
#   per block in ``values`` and referred to by index. A block depends only on the specialty's
#   programs, not on the profile, so a saved plan embeds the facts of every program of its
#   specialties, serialised and compressed once per catalog version (``selectors``).
# - ``programs`` / ``excluded_programs``: what is the plan's own: the program ``id`` (its facts
#   are in a block), ``fit`` (index into ``fits``), ``points``, the preferences, and ``reasons``
#   and ``verify`` as indexes into ``reason_lists`` (lists of indexes into ``reasons``: each
#   distinct reason object and each distinct list of them is stored once).
#
# ``rank`` (the position) and ``verify_with_program`` (``verify`` is not empty) are derived, not
# stored. Excluded programs name their facts by ``id`` too, or, when no block holds them, carry
# ``name`` and ``specialty_code`` themselves. Format 1 (plans saved before: facts inline, no
# blocks) is still read. See docs/assess.md, "Saved plans".

PACKED_PROGRAMS_FORMAT = 2
PROGRAM_KEYS: tuple[str, ...] = (
    "id",
    "acgme_id",
    "name",
    "institution",
    "city",
    "state",
    "specialty_code",
    "program_type",
    "positions",
    "j1",
    "h1b",
    "img_share",
    "step2_min",
    "step2_typical",
    "max_yog",
    "accepts_failures",
    "requires_usce",
    "last_verified",
    "website",
    "source",
    "track",
    "accepting_applications",
    "accepting_season",
    "application_platform",
    "affiliation",
    "first_accredited",
    "total_positions",
    "do_share",
    "usmd_share",
    "fit",
    "confidence",
    "rank",
    "points",
    "preferred_state",
    "preferred_type",
    "verify_with_program",
    "reasons",
    "verify",
)
FACT_KEYS: tuple[str, ...] = PROGRAM_KEYS[: PROGRAM_KEYS.index("usmd_share") + 1]
EXCLUDED_KEYS: tuple[str, ...] = ("id", "name", "specialty_code", "reasons", "as_of", "stale")
# Columns stored as indexes into a "values" list (strings or null only). Format 1 interned
# "fit" as well; format 2 keeps it in "fits".
_INTERNED = frozenset(
    {
        "institution",
        "city",
        "state",
        "specialty_code",
        "program_type",
        "j1",
        "h1b",
        "accepts_failures",
        "requires_usce",
        "last_verified",
        "website",
        "source",
        "track",
        "accepting_applications",
        "application_platform",
        "affiliation",
    }
)
_INTERNED_SORTED = sorted(_INTERNED)
_FIT_INDEX = {fit: index for index, fit in enumerate(FITS)}
_REASON_COLUMNS = frozenset({"reasons", "verify"})
# Facts added after plans were first saved, with the value older plans read back.
_LATER_FACTS: dict[str, Any] = {
    "track": "categorical",
    "accepting_applications": "unknown",
    "accepting_season": None,
    "application_platform": "unknown",
    "affiliation": "unknown",
    "first_accredited": None,
    "total_positions": None,
    "do_share": None,
    "usmd_share": None,
}


def facts_block(facts: Sequence[ProgramFacts]) -> dict[str, Any]:
    """The facts of ``facts`` as one block of the packed lists (a JSON-safe dict)."""
    values: dict[str | None, int] = {}
    add_value = values.setdefault

    def interned(column: list[str | None]) -> list[int]:
        # len(values) is the next index whenever the value is new.
        return [add_value(value, len(values)) for value in column]

    with gc_paused():  # thousands of small lists, no cycles (see gc_paused)
        columns: dict[str, list[Any]] = {
            "id": [f.id for f in facts],
            "acgme_id": [f.acgme_id for f in facts],
            "name": [f.name for f in facts],
            "institution": interned([f.institution for f in facts]),
            "city": interned([f.city for f in facts]),
            "state": interned([f.state for f in facts]),
            "specialty_code": interned([f.specialty_code for f in facts]),
            "program_type": interned([f.program_type for f in facts]),
            "positions": [f.positions for f in facts],
            "j1": interned([f.j1 for f in facts]),
            "h1b": interned([f.h1b for f in facts]),
            "img_share": [f.img_share for f in facts],
            "step2_min": [f.step2_min for f in facts],
            "step2_typical": [f.step2_typical for f in facts],
            "max_yog": [f.max_yog for f in facts],
            "accepts_failures": interned([f.accepts_failures for f in facts]),
            "requires_usce": interned([f.requires_usce for f in facts]),
            "last_verified": interned([_iso(f.last_verified) for f in facts]),
            "website": interned([f.website for f in facts]),
            "source": interned([f.source for f in facts]),
            "track": interned([f.track for f in facts]),
            "accepting_applications": interned([f.accepting_applications for f in facts]),
            "accepting_season": [f.accepting_season for f in facts],
            "application_platform": interned([f.application_platform for f in facts]),
            "affiliation": interned([f.affiliation for f in facts]),
            "first_accredited": [f.first_accredited for f in facts],
            "total_positions": [f.total_positions for f in facts],
            "do_share": [f.do_share for f in facts],
            "usmd_share": [f.usmd_share for f in facts],
        }
    return {"values": list(values), "interned": _INTERNED_SORTED, "columns": columns}


def program_lists_own(result: PlanResult, *, excluded_facts: bool) -> dict[str, Any]:
    """The plan's own part of the packed lists (everything but ``format`` and ``blocks``).

    ``excluded_facts``: the blocks hold the excluded programs' facts too (they hold every
    program of the plan's specialties), so excluded programs are named by ``id`` only.
    """
    with gc_paused():
        entries = result.programs
        rows = result.excluded_programs
        # The program loop shares one tuple among all the programs with the same reasons:
        # each distinct tuple (by identity: they are alive for this whole call) is looked at
        # once, and so is each distinct Reason.
        reasons = [e.reasons for e in entries]
        verify = [e.verify for e in entries]
        why = [x.reasons for x in rows]
        reasons_ids = list(map(id, reasons))
        verify_ids = list(map(id, verify))
        why_ids = list(map(id, why))
        distinct: dict[int, tuple[Reason, ...]] = dict(zip(reasons_ids, reasons, strict=True))
        distinct.update(zip(verify_ids, verify, strict=True))
        distinct.update(zip(why_ids, why, strict=True))
        reason_objects = {id(r): r for items in distinct.values() for r in items}
        reason_index = {key: index for index, key in enumerate(reason_objects)}
        lists: dict[tuple[int, ...], int] = {}  # equal tuples that are distinct objects: one list
        list_index = {
            key: lists.setdefault(tuple([reason_index[id(r)] for r in items]), len(lists))
            for key, items in distinct.items()
        }.__getitem__
        fit_index = _FIT_INDEX
        programs: dict[str, list[Any]] = {
            "id": [e.facts.id for e in entries],
            "fit": [fit_index[e.fit] for e in entries],
            "confidence": [e.confidence for e in entries],
            "points": [e.points for e in entries],
            "preferred_state": [e.preferred_state for e in entries],
            "preferred_type": [e.preferred_type for e in entries],
            "reasons": list(map(list_index, reasons_ids)),
            "verify": list(map(list_index, verify_ids)),
        }
        excluded: dict[str, list[Any]] = {"id": [x.id for x in rows]}
        if not excluded_facts:
            excluded["name"] = [x.name for x in rows]
            excluded["specialty_code"] = [x.specialty_code for x in rows]
        excluded["reasons"] = list(map(list_index, why_ids))
        excluded["as_of"] = [_iso(x.as_of) for x in rows]
        excluded["stale"] = [x.stale for x in rows]
    return {
        "reasons": [[r.rule, r.text, r.source] for r in reason_objects.values()],
        "reason_lists": [list(items) for items in lists],
        "fits": list(FITS),
        "programs": programs,
        "excluded_programs": excluded,
    }


def program_lists_pack(result: PlanResult) -> dict[str, Any]:
    """The plan's ``programs`` and ``excluded_programs`` in the packed form (a JSON-safe dict),
    with blocks of the listed programs' facts (one per specialty, in list order);
    :func:`program_lists_unpack` gives back exactly what :func:`plan_to_dict` lists. Saved
    plans use blocks of every program of their specialties instead (``selectors``)."""
    by_code: dict[str, list[ProgramFacts]] = {}
    for entry in result.programs:
        by_code.setdefault(entry.facts.specialty_code, []).append(entry.facts)
    return {
        "format": PACKED_PROGRAMS_FORMAT,
        "blocks": [facts_block(facts) for facts in by_code.values()],
        **program_lists_own(result, excluded_facts=False),
    }


def _block_columns(blocks: Any) -> dict[str, list[Any]]:
    """The facts columns of every block, one after the other, interned values resolved."""
    columns: dict[str, list[Any]] = {key: [] for key in FACT_KEYS}
    for block in blocks:
        values = block["values"]
        interned = frozenset(block["interned"])
        count = len(block["columns"]["id"])
        for key in FACT_KEYS:
            column = block["columns"].get(key)
            if column is None and key in _LATER_FACTS:  # saved before the fact existed
                columns[key].extend([_LATER_FACTS[key]] * count)
                continue
            if column is None or len(column) != count:
                raise ValueError(key)
            if key in interned:
                column = [values[i] for i in column]
            columns[key].extend(column)
    return columns


def _unpack_v2(packed: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    facts = _block_columns(packed["blocks"])
    row_of = {pid: row for row, pid in enumerate(facts["id"])}
    reasons = [{"rule": r[0], "text": r[1], "source": r[2]} for r in packed["reasons"]]
    lists = [[reasons[i] for i in items] for items in packed["reason_lists"]]
    fits = list(packed["fits"])

    table = packed["programs"]
    ids = table["id"]
    count = len(ids)
    rows = [row_of[pid] for pid in ids]
    columns: dict[str, list[Any]] = {}
    for key in FACT_KEYS:
        column = facts[key]
        columns[key] = [column[row] for row in rows]
    for key in ("fit", "points", "preferred_state", "preferred_type", "reasons", "verify"):
        if len(table[key]) != count:
            raise ValueError(key)
    columns["fit"] = [fits[i] for i in table["fit"]]
    columns["confidence"] = table.get("confidence") or [None] * count
    columns["rank"] = list(range(1, count + 1))
    columns["points"] = table["points"]
    columns["preferred_state"] = table["preferred_state"]
    columns["preferred_type"] = table["preferred_type"]
    verify = [list(lists[i]) for i in table["verify"]]
    columns["verify_with_program"] = [bool(items) for items in verify]
    columns["reasons"] = [list(lists[i]) for i in table["reasons"]]
    columns["verify"] = verify
    zipped = zip(*(columns[k] for k in PROGRAM_KEYS), strict=True)
    programs = [dict(zip(PROGRAM_KEYS, row, strict=True)) for row in zipped]

    table = packed["excluded_programs"]
    ids = table["id"]
    if "name" in table:
        names, codes = table["name"], table["specialty_code"]
    else:
        rows = [row_of[pid] for pid in ids]
        names = [facts["name"][row] for row in rows]
        codes = [facts["specialty_code"][row] for row in rows]
    why = [list(lists[i]) for i in table["reasons"]]
    as_of = table.get("as_of") or [None] * len(ids)
    stale = table.get("stale") or [None] * len(ids)
    zipped = zip(ids, names, codes, why, as_of, stale, strict=True)
    excluded = [dict(zip(EXCLUDED_KEYS, row, strict=True)) for row in zipped]
    return programs, excluded


def _unpack_table(
    table: Any,
    keys: tuple[str, ...],
    values: list[Any],
    reasons: list[dict[str, str]],
    interned: frozenset[str],
) -> list[dict[str, Any]]:
    if not isinstance(table, dict) or not table:
        return []
    count = len(table.get("id") or ())
    columns: dict[str, list[Any]] = {}
    for key, column in table.items():
        if not isinstance(column, list) or len(column) != count:
            continue
        if key in interned:
            column = [values[i] for i in column]
        elif key in _REASON_COLUMNS:
            column = [[reasons[i] for i in items] for items in column]
        columns[key] = column
    if "rank" in keys and "rank" not in columns:
        columns["rank"] = list(range(1, count + 1))
    if "verify_with_program" in keys and "verify_with_program" not in columns:
        columns["verify_with_program"] = [bool(items) for items in columns.get("verify", ())]
    names = [k for k in keys if k in columns] + [k for k in columns if k not in keys]
    rows = zip(*(columns[k] for k in names), strict=True)  # every column has ``count`` items
    return [dict(zip(names, row, strict=True)) for row in rows]


def _unpack_v1(packed: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    values = list(packed.get("values") or [])
    reasons = [{"rule": r[0], "text": r[1], "source": r[2]} for r in packed.get("reasons") or []]
    interned = frozenset(packed.get("interned") or ())
    programs = _unpack_table(packed.get("programs"), PROGRAM_KEYS, values, reasons, interned)
    excluded = _unpack_table(
        packed.get("excluded_programs"), EXCLUDED_KEYS, values, reasons, interned
    )
    return programs, excluded


def program_lists_unpack(packed: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(programs, excluded_programs)`` from :func:`program_lists_pack`'s dict (or a saved
    plan's, either format), as :func:`plan_to_dict` gives them. Equal reasons are one shared
    dict (treat as read-only). Anything but an intact packed dict gives two empty lists."""
    if not isinstance(packed, dict):
        return [], []
    unpack = {1: _unpack_v1, PACKED_PROGRAMS_FORMAT: _unpack_v2}.get(packed.get("format"))
    if unpack is None:
        return [], []
    try:
        with gc_paused():
            return unpack(packed)
    except (IndexError, KeyError, TypeError, ValueError):  # damaged: shown as no programs
        return [], []
