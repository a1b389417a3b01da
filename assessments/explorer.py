"""The specialty explorer: the applicant's standing in every specialty of the catalog.

One call of the engine (``engine.standings``) places the profile in every specialty in one
pass over the catalog, with the same rules, fees and program facts as a plan; this module
turns that into one row per specialty (tier and reasons, program counts, applications and
cost, signals, platform, PGY-1 start), filters the counts and sorts the rows. The rows are
computed, never stored: nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from assessments import engine, selectors
from assessments.engine import RedFlag, Standing, TierStep
from assessments.profile import Profile, parse_profile
from assessments.rule_data import rule_data, rule_data_version
from assessments.services import computed_key, gc_paused
from programs.selectors import catalog_state

# --- season facts: platform and program signals ----------------------------------------------
# From the season data (assessments.season_data defaults, or the season tables admins edit):
# the same platform, fees and signals a plan uses for that season. season_facts() is the one
# place the explorer reads them.


@dataclass(frozen=True, slots=True)
class SeasonFacts:
    platform: str  # ERAS | ResidencyCAS
    platform_source: str  # where its fees (the row's cost) come from
    signals: str  # "3 gold + 12 silver", "5", or "" when not confirmed
    signals_total: int | None
    signals_source: str
    fees_season: int | None = None  # the season those fees were last confirmed for
    # How far the signal number holds for the applicant's season, in the plan's words
    # (engine.signal_season_words), and a short form of it for the table cell ("" when the
    # number is confirmed for that season on that platform).
    signals_note: str = ""
    signals_caveat: str = ""


def _seasons(
    seasons: Mapping[int, engine.SeasonFacts] | None,
) -> Mapping[int, engine.SeasonFacts]:
    """``seasons`` as ``engine.assess`` reads them: None is the built-in season data."""
    if seasons is None:
        from assessments.season_data import DEFAULT_SEASONS

        return DEFAULT_SEASONS
    return seasons


def season_facts(
    code: str, application_year: int, seasons: Mapping[int, engine.SeasonFacts] | None = None
) -> SeasonFacts:
    """The application platform and program signals of one specialty for the season of
    ``application_year`` (``seasons`` as for ``engine.assess``; None: the built-in data)."""
    seasons = _seasons(seasons)
    season = engine.season_of(application_year)
    if not seasons:
        return SeasonFacts(engine.PLATFORM_ERAS, engine.SRC_FEES, "", None, "")
    facts = engine.season_facts_for(seasons, season)
    platform = engine.platform_for(code, season, seasons)
    fees = facts.platforms.get(platform)
    platform_source = fees.source.cite() if fees is not None and fees.source else engine.SRC_FEES
    fees_season = fees.confirmed_season if fees is not None else None
    rule = facts.signals.get(code)
    if rule is None or not rule.kinds:  # shown as "not confirmed"
        return SeasonFacts(platform, platform_source, "", None, "", fees_season)
    if len(rule.kinds) == 1:
        text = str(rule.kinds[0][1])
    else:
        text = " + ".join(f"{n} {label}" for label, n in rule.kinds)
    note, caveat = engine.signal_season_words(rule, code, platform, season)
    source = rule.source.cite() if rule.source else ""
    return SeasonFacts(
        platform,
        platform_source,
        text,
        rule.total,
        source,
        fees_season,
        note,
        caveat,
    )


# --- where training starts -----------------------------------------------------------------

SRC_ADVANCED = (
    "NRMP: advanced (PGY-2) positions need a separate PGY-1 year ranked on a supplemental list"
)


@dataclass(frozen=True, slots=True)
class StartFacts:
    code: str  # pgy1 | pgy1_or_advanced | advanced | one_year
    label: str
    text: str
    source: str


def start_facts(start_level: str, track: str) -> StartFacts:
    """Where training starts, from the specialty's ``start_level`` (SpecialtyRule, admin data)
    and its track."""
    if track in ("preliminary", "transitional"):
        return StartFacts(
            "one_year",
            "PGY-1 year",
            "A one-year PGY-1 position: it leads to an advanced position or a new application, "
            "not to board eligibility on its own.",
            SRC_ADVANCED,
        )
    if start_level == "pgy2":
        return StartFacts(
            "advanced",
            "Needs a PGY-1 year",
            "Most positions start at PGY-2: you also need a preliminary or transitional PGY-1 "
            "year, applied to and ranked separately.",
            SRC_ADVANCED,
        )
    if start_level == "mixed":
        return StartFacts(
            "pgy1_or_advanced",
            "PGY-1 (some PGY-2)",
            "Categorical positions start at PGY-1; the advanced (PGY-2) positions also offered "
            "need a separate PGY-1 year.",
            SRC_ADVANCED,
        )
    return StartFacts("pgy1", "Starts at PGY-1", "Categorical positions start at PGY-1.", "")


# --- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    sponsor_only: bool = False  # count only programs that sponsor the applicant's visa
    states: tuple[str, ...] = ()  # count only programs in these states (empty: all)


@dataclass(frozen=True, slots=True)
class Row:
    code: str
    name: str
    track: str
    role: str  # primary | backup | "" (in the applicant's current goals)
    tier: str
    projected: bool
    tier_steps: tuple[TierStep, ...]
    bands: Mapping[str, int]
    flags: tuple[RedFlag, ...]  # the red flags of this specialty not shared by every one
    separates: bool  # no tier step says the score does not separate (engine.tiers)
    matched_median: int | None
    unmatched_median: int | None
    match_rate_pct: int | None
    stats_source: str
    rules_source: str
    source_note: str
    likely: int
    target: int
    reach: int
    sponsoring: int | None  # of the counted programs; None when no visa is needed
    considered: int  # every program of the specialty in the catalog
    excluded: int
    applications_min: int
    applications_max: int
    cost_min: int
    cost_max: int
    season: SeasonFacts
    start: StartFacts

    @property
    def listed(self) -> int:
        return self.likely + self.target + self.reach

    @property
    def tier_label(self) -> str:
        return engine.TIER_LABELS.get(self.tier, self.tier)

    @property
    def tier_rank(self) -> int:
        return engine.TIERS.index(self.tier) if self.tier in engine.TIERS else len(engine.TIERS)


@dataclass(frozen=True, slots=True)
class Exploration:
    profile: Profile
    rows: tuple[Row, ...]  # in catalog order (see sort_rows)
    common_flags: tuple[RedFlag, ...]  # red flags of every specialty, shown once
    score: engine.ScoreUsed | None
    filters: Filters
    key: str = ""  # the standings' cache key: what the rows depend on besides the filters
    # engine.eligibility: when the USMLE attempt limit closes the Match, the page says so
    # instead of a table of empty counts (a plan says the same, and lists no program).
    eligibility: Mapping[str, Any] | None = None

    @property
    def eligible(self) -> bool:
        return self.eligibility is None or bool(self.eligibility["eligible"])

    def row(self, code: str) -> Row | None:
        return next((row for row in self.rows if row.code == code), None)


def _counts(standing: Standing, visa: str, filters: Filters) -> tuple[dict[str, int], int | None]:
    needs_visa = visa != "none"
    states = frozenset(filters.states)
    by_fit = dict.fromkeys(engine.FITS, 0)
    sponsoring = 0
    for fit, sponsored, state, n in standing.tally:
        if states and state not in states:
            continue
        if filters.sponsor_only and needs_visa and not sponsored:
            continue
        by_fit[fit] += n
        sponsoring += n if sponsored else 0
    return by_fit, (sponsoring if needs_visa else None)


def rows_from_standings(
    profile: Profile,
    found: Sequence[Standing],
    *,
    rules: Mapping[str, engine.SpecialtyRules],
    filters: Filters = Filters(),
    goals_known: bool = True,
    key: str = "",
    seasons: Mapping[int, engine.SeasonFacts] | None = None,
) -> Exploration:
    """The explorer's rows from ``engine.standings`` (pure). ``goals_known``: the profile's
    primary and backups are the applicant's own (not filled in by ``explorer_profile``)."""

    # A flag is shown once when it says the same everywhere (some say one specialty's
    # numbers: its YOG limit, its score after a failure); it is cited as most specialties
    # cite it (a few add their own article).
    def said(flag: RedFlag) -> tuple[str, str, str]:
        return flag.code, flag.severity, flag.message

    shared = set.intersection(*({said(f) for f in s.red_flags} for s in found)) if found else set()
    common: tuple[RedFlag, ...] = (
        tuple(
            Counter(f for s in found for f in s.red_flags if said(f) == key).most_common(1)[0][0]
            for key in (said(f) for f in found[0].red_flags)
            if key in shared
        )
        if found
        else ()
    )
    primary = profile.specialty if goals_known else None
    backups = set(profile.backup_specialties) if goals_known else set()
    rows = []
    for standing in found:
        plan = standing.plan
        specialty_rules = rules[plan.code]
        by_fit, sponsoring = _counts(standing, profile.visa, filters)
        matched, unmatched = plan.matched_median, plan.unmatched_median
        rows.append(
            Row(
                code=plan.code,
                name=plan.name,
                track=specialty_rules.track,
                role="primary"
                if plan.code == primary
                else "backup"
                if plan.code in backups
                else "",
                tier=plan.tier,
                projected=plan.projected,
                tier_steps=plan.tier_steps,
                bands=plan.bands,
                flags=tuple(f for f in standing.red_flags if said(f) not in shared),
                separates=not any(
                    step.rule == "score_does_not_separate" for step in plan.tier_steps
                ),
                matched_median=matched,
                unmatched_median=unmatched,
                match_rate_pct=plan.match_rate_pct,
                stats_source=plan.stats_source,
                rules_source=standing.rules_source,
                source_note=plan.source_note,
                likely=by_fit["likely"],
                target=by_fit["target"],
                reach=by_fit["reach"],
                sponsoring=sponsoring,
                considered=standing.considered,
                excluded=standing.excluded,
                applications_min=plan.applications_min,
                applications_max=plan.applications_max,
                cost_min=plan.eras_cost_min,
                cost_max=plan.eras_cost_max,
                season=season_facts(plan.code, profile.application_year, seasons),
                start=start_facts(specialty_rules.start_level, specialty_rules.track),
            )
        )
    seasons = _seasons(seasons)
    facts = (
        engine.season_facts_for(seasons, engine.season_of(profile.application_year))
        if seasons
        else None
    )
    return Exploration(
        profile=profile,
        rows=tuple(rows),
        common_flags=common,
        score=found[0].score if found else None,
        filters=filters,
        key=key,
        eligibility=engine.eligibility(profile, engine.exam_history(profile), facts),
    )


# --- sorting -------------------------------------------------------------------------------

_START_ORDER = {"pgy1": 0, "pgy1_or_advanced": 1, "one_year": 2, "advanced": 3}


def _chances(row: Row) -> tuple[Any, ...]:
    # Best tier first; among equals, more programs where the fit is likely, then target.
    return (row.tier_rank, -row.likely, -(row.likely + row.target), row.name)


# key -> (label, sort key of a row, best first)
SORTS: dict[str, tuple[str, Any]] = {
    "chances": ("Chances", _chances),
    "name": ("Specialty", lambda r: (r.name,)),
    "tier": ("Tier", lambda r: (r.tier_rank, r.name)),
    "likely": ("Likely", lambda r: (-r.likely, r.name)),
    "target": ("Target", lambda r: (-r.target, r.name)),
    "reach": ("Reach", lambda r: (-r.reach, r.name)),
    "sponsoring": ("Sponsor your visa", lambda r: (-(r.sponsoring or 0), r.name)),
    "applications": ("Applications", lambda r: (r.applications_min, r.applications_max, r.name)),
    "cost": ("Cost", lambda r: (r.cost_min, r.cost_max, r.name)),
    "signals": ("Signals", lambda r: (-(r.season.signals_total or 0), r.name)),
    "start": ("Start", lambda r: (_START_ORDER.get(r.start.code, 9), r.name)),
    "match_rate": ("Match rate", lambda r: (-(r.match_rate_pct or 0), r.name)),
}
DEFAULT_SORT = "chances"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """``?sort=`` as (key, descending); unknown values give the default order."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def sort_rows(rows: Iterable[Row], key: str = DEFAULT_SORT, descending: bool = False) -> list[Row]:
    """Rows best first by ``key`` (``descending``: the other way round)."""
    sort_key = SORTS.get(key, SORTS[DEFAULT_SORT])[1]
    return sorted(rows, key=sort_key, reverse=descending)


# --- reads -----------------------------------------------------------------------------------


def explorer_profile(data: Mapping[str, Any], *, codes: Iterable[str], today: dt.date) -> Profile:
    """The profile to explore with: the answers, with the goals a draft may not hold yet
    filled in (no primary: any code, since the explorer reads none; no season: this year's).
    Raises ProfileError when the earlier answers are missing or invalid."""
    codes = list(codes)
    filled = dict(data)
    if filled.get("specialty") not in codes and codes:
        filled["specialty"] = codes[0]
        filled["backup_specialties"] = []
    if not isinstance(filled.get("backup_specialties"), list):
        filled["backup_specialties"] = []
    filled["backup_specialties"] = [c for c in filled["backup_specialties"] if c in codes]
    if not filled.get("application_year"):
        filled["application_year"] = today.year
    return parse_profile(filled, specialty_codes=codes, today=today)


# The standings of one set of answers, kept in the shared cache: computing them is one pass
# over the whole catalog (a request with new answers, table render included, ~23 ms of CPU at
# 5,000 programs, scripts/profile_request.py), while
# sorting, filtering and what-if changes back to earlier values ask for the same standings
# again. Keyed by services.computed_key: nothing needs invalidating.
STANDINGS_CACHE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Question:
    """What an exploration asks, worked out cheaply before any standing is read: the profile
    (so that invalid answers are known at once), the key of its standings and the catalog
    version that key was made with. The rendered table is cached by the same key, so a
    request whose table is in the cache never reads the standings (see explore)."""

    profile_data: Mapping[str, Any]
    profile: Profile
    today: dt.date
    key: str
    catalog: str


def ask(*, profile_data: Mapping[str, Any], today: dt.date) -> Question:
    """The question for these answers with today's rules and catalog. Raises ProfileError.

    Reads the catalog's specialties and version (one query) and the rule data's version (one
    cache read), not the rule data themselves (every rule, fee and season row): a page drawn
    from the cache needs none of them."""
    specialties, catalog = catalog_state()
    codes = [code for code, _name in specialties]
    profile = explorer_profile(profile_data, codes=codes, today=today)
    key = computed_key("explorer-standings", profile_data, today, catalog, rule_data_version())
    return Question(profile_data, profile, today, key, catalog)


def explore(question: Question, filters: Filters = Filters()) -> Exploration:
    """The explorer's rows for ``question`` with today's rules, fees and catalog (reads
    only): the standings from the shared cache, or one pass over the catalog."""
    data = rule_data()
    rules, fees = data.rules, data.fees
    seasons = data.seasons or None  # as plan_compute reads them
    profile = question.profile
    found = cache.get(question.key)
    if found is None:
        catalog = selectors.catalog_facts(rules.keys(), version=question.catalog)
        with gc_paused():  # see services.gc_paused
            found = engine.standings(
                profile,
                rules=rules,
                fees=fees,
                programs=catalog.programs(),
                today=question.today,
                seasons=seasons,
            )
        cache.set(question.key, found, STANDINGS_CACHE_SECONDS)
    return rows_from_standings(
        profile,
        found,
        rules=rules,
        filters=filters,
        goals_known=str(question.profile_data.get("specialty")) in rules,
        key=question.key,
        seasons=seasons,
    )
