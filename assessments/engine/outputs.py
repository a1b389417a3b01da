"""What the engine gives back: the frozen dataclasses of a plan, down to :class:`PlanResult`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessments.engine.inputs import PLATFORM_ERAS, ProgramFacts

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
    estimated: bool = False  # a key date of the season estimated by its usual rule


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


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _reason(r: Reason) -> dict[str, str]:
    return {"rule": r.rule, "text": r.text, "source": r.source}
