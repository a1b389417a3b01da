"""What the engine is given: specialty rules, fees, season facts and program facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from assessments.engine.constants import SRC_NRMP

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
    # Graded years since graduation: 1..just_past years past the limit "just past", up to
    # well_past "well past", more "far past" (SpecialtyRule; assumptions, editable).
    yog_just_past_years: int = 2
    yog_well_past_years: int = 5
    # First year of training: pgy1 (categorical), mixed (categorical and advanced positions) or
    # pgy2 (mostly advanced). With advanced positions the plan adds a PGY-1 year.
    start_level: str = "pgy1"
    start_level_note: str = ""

    @property
    def has_advanced_positions(self) -> bool:
        return self.start_level in ("mixed", "pgy2")

    def apps_for(self, tier: str) -> tuple[int, int]:
        return getattr(self, f"apps_{tier}_min"), getattr(self, f"apps_{tier}_max")


@dataclass(frozen=True, slots=True)
class Fees:
    """ERAS and NRMP fees of one season (the active ``assessments.models.FeeSchedule`` row, or
    ``rules.DEFAULT_FEES``)."""

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
class KeyDate:
    """One key date of one season, as read on its source (the SeasonDate table). Events are
    those of ``calendar.SEASON_EVENTS``."""

    season: int
    event: str
    date: dt.date
    source: SourceRef | None = None
    note: str = ""


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
    # Confirmed key dates of EVERY season (season -> event -> date): a season's dates are
    # exact, so they are looked up by the applicant's own season, never borrowed from another.
    key_dates: Mapping[int, Mapping[str, KeyDate]] = field(default_factory=dict)


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
