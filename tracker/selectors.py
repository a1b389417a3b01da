"""Reads of the application season. Pages read a season's applications in one query (with
their programs and specialties), so no page's query count grows with the applications."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from assessments import engine
from assessments.models import Plan
from assessments.rule_data import rule_data
from programs.models import Program, Specialty
from tracker import rules
from tracker.models import (
    Application,
    Outcome,
    RankListEntry,
    Season,
    SeasonComment,
    SignalAllowance,
    SignalKind,
    Status,
)

# Shared program statistics show a figure only when at least this many contributors stand
# behind it (k-anonymity): a smaller group could point to a person.
SHARED_MIN_CONTRIBUTORS = 5


# --- Signals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalRule:
    """How many signals of each kind a specialty allows in a season; empty `kinds` when no
    figure is known. `match_year` is the season the figures are from (an earlier one when the
    asked season is not confirmed yet, which `note` then says)."""

    kinds: dict[str, int]
    match_year: int | None
    source: str
    note: str = ""

    @property
    def summary(self) -> str:
        """ "5 signals" or "3 gold + 12 silver signals"."""
        parts = [
            str(n) if kind == SignalKind.SIGNAL else f"{n} {kind}" for kind, n in self.kinds.items()
        ]
        return " + ".join(parts) + " signals" if parts else ""


def signals_allowed(specialty: Specialty, match_year: int) -> SignalRule:
    """THE one place the tracker learns signal allowances (signals_allowed_for only batches
    it). It reads the season data of the assessments app (SpecialtySeason: signals per
    specialty and Match year, with their source); for a specialty that has no season row
    up to `match_year` it falls back to the tracker's own SignalAllowance rows (the AAMC ERAS
    2025 figures installed by migration), which can go once the season data covers all."""
    return signals_allowed_for([specialty], match_year)[specialty.pk]


def signals_allowed_for(specialties: list[Specialty], match_year: int) -> dict[int, SignalRule]:
    """signals_allowed for several specialties, by specialty id (two queries at most)."""
    from assessments.models import SpecialtySeason

    ids = [s.pk for s in specialties]
    found: dict[int, SignalRule] = {}
    for row in (
        SpecialtySeason.objects.filter(specialty__in=ids, season__lte=match_year)
        .select_related("source")
        .order_by("-season")
    ):
        if row.specialty_id not in found:
            found[row.specialty_id] = _season_rule(row, match_year)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        rows_by_specialty: dict[int, list[SignalAllowance]] = defaultdict(list)
        for allowance in SignalAllowance.objects.filter(
            specialty__in=missing, match_year__lte=match_year
        ).order_by("-match_year", "kind"):
            rows_by_specialty[allowance.specialty_id].append(allowance)
        for pk in missing:
            found[pk] = _rule(rows_by_specialty[pk], match_year)
    return found


def _season_rule(row: Any, match_year: int) -> SignalRule:
    kinds = {
        (label or "signal"): n
        for label, n in (
            (row.signals_first_label, row.signals_first),
            (row.signals_second_label, row.signals_second),
        )
        if n
    }
    confirmed = row.signals_confirmed_season or row.season
    source = row.source
    text = f"{source.publisher}, {source.title} ({source.season})" if source else ""
    note = ""
    if confirmed != match_year:
        note = (
            f"Figures for the {match_year} season are not confirmed here; these are the last "
            f"confirmed ones, from the {confirmed} season."
        )
    if not kinds:
        note = "This specialty takes no program signals. " + note
    return SignalRule(kinds=kinds, match_year=confirmed, source=text, note=note.strip())


def _rule(rows: list[SignalAllowance], match_year: int) -> SignalRule:
    if not rows:
        return SignalRule(kinds={}, match_year=None, source="", note="No signal figures known.")
    year = rows[0].match_year
    chosen = [r for r in rows if r.match_year == year]
    note = ""
    if year != match_year:
        note = (
            f"Figures for the {match_year} season are not confirmed here; these are the last "
            f"confirmed ones, from the {year} season."
        )
    return SignalRule(
        kinds={r.kind: r.allowed for r in chosen},
        match_year=year,
        source=chosen[0].source,
        note=note,
    )


# --- Seasons -----------------------------------------------------------------------------


def user_seasons(user: Any) -> QuerySet[Season]:
    return Season.objects.filter(owner=user).select_related("plan", "outcome")


def season_for(user: Any, match_year: int | None = None) -> Season | None:
    seasons = user_seasons(user)
    if match_year is not None:
        return seasons.filter(match_year=match_year).first()
    return seasons.first()


def plan_match_year(plan: Plan | None) -> int:
    """The Match year a season for `plan` tracks: the plan's application year's Match, else
    (no plan, or none saved in it) the season under way."""
    year = plan.profile.get("application_year") if plan and isinstance(plan.profile, dict) else None
    return year + 1 if isinstance(year, int) else rules.default_match_year(timezone.localdate())


def adding_season(user: Any, plan: Plan | None = None) -> Season | None:
    """The season services.application_add adds to for `plan` (else the newest plan), if it
    exists yet."""
    return season_for(user, plan_match_year(plan or latest_plan(user)))


def season_summaries(user: Any) -> list[Season]:
    """The user's seasons with what each produced (applications sent, interview offers, the
    outcome), for the plan history: one query."""
    from django.db.models import Count, Q

    return list(
        Season.objects.filter(owner=user)
        .select_related("plan", "outcome__program")
        .annotate(
            sent=Count("applications", filter=Q(applications__applied_on__isnull=False)),
            offers=Count("applications", filter=Q(applications__offered_on__isnull=False)),
        )
        .order_by("-match_year")
    )


def latest_plan(user: Any) -> Plan | None:
    return Plan.objects.filter(owner=user).order_by("-created_at", "-id").first()


def season_applications(season: Season) -> list[Application]:
    return list(
        Application.objects.filter(season=season)
        .select_related("program__specialty", "rank_entry")
        .order_by("program__specialty__name", "program__name", "id")
    )


def application_for(user: Any, pk: int) -> Application | None:
    return (
        Application.objects.filter(pk=pk, season__owner=user)
        .select_related("program__specialty", "season__plan")
        .prefetch_related("changes")
        .first()
    )


@dataclass
class SignalUse:
    specialty: Specialty
    kind: str
    used: int
    allowed: int | None

    @property
    def left(self) -> int | None:
        return None if self.allowed is None else max(0, self.allowed - self.used)


def signal_uses(season: Season, applications: list[Application]) -> list[SignalUse]:
    """Signals used against allowed, per specialty of the season's applications and kind."""
    used: Counter[tuple[int, str]] = Counter(
        (a.program.specialty_id, a.signal_kind) for a in applications if a.signal_kind
    )
    specialties = {a.program.specialty_id: a.program.specialty for a in applications}
    rules_by_id = signals_allowed_for(list(specialties.values()), season.match_year)
    rows: list[SignalUse] = []
    for spec_id, specialty in sorted(specialties.items(), key=lambda kv: kv[1].name):
        rule = rules_by_id[spec_id]
        kinds = list(rule.kinds) or sorted({k for (s, k) in used if s == spec_id})
        for kind in kinds:
            rows.append(SignalUse(specialty, kind, used[(spec_id, kind)], rule.kinds.get(kind)))
    return rows


# --- The plan's figures ------------------------------------------------------------------


@dataclass
class SpecialtyProgress:
    code: str
    name: str
    tier: str
    applications_min: int | None
    applications_max: int | None
    sent: int
    offers: int
    target: rules.InterviewTarget
    ranks: int | None
    # False before the platforms take applications: nothing sent yet is then not "below".
    open: bool = True

    @property
    def sent_state(self) -> str:
        if self.applications_min is None:
            return "unknown"
        if not self.open and self.sent == 0:
            return "not_open"
        if self.sent < self.applications_min:
            return "below"
        if self.applications_max is not None and self.sent > self.applications_max:
            return "above"
        return "within"


@dataclass
class Progress:
    specialties: list[SpecialtyProgress]
    offers: int
    target: rules.InterviewTarget
    checkpoints: list[rules.Checkpoint]
    current: rules.Checkpoint | None
    rank_target: int | None
    has_plan: bool
    # Applications sent in specialties the plan does not name, by specialty name.
    other_sent: dict[str, int] = field(default_factory=dict)
    # When the platforms start taking applications, while that is still to come.
    applications_open: CitedDate | None = None

    @property
    def bases(self) -> list[str]:
        """The distinct bases of the targets shown, the sourced first."""
        targets = [self.target, *(s.target for s in self.specialties)]
        return list(dict.fromkeys(t.basis for t in sorted(targets, key=lambda t: not t.sourced)))


def _plan_specialties(plan: Plan | None) -> list[dict[str, Any]]:
    """[{code, name, tier, min, max, ranks}] of the plan's primary and backup specialties."""
    if plan is None or not isinstance(plan.output, dict):
        return []
    output = plan.output
    ranks = {
        r.get("specialty"): r.get("ranks")
        for r in (output.get("ranks") or {}).get("by_specialty") or []
        if isinstance(r, dict)
    }
    rows = []
    entries = [output.get("primary")] + list(output.get("backups") or [])
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("specialty"):
            continue
        apps = entry.get("applications") or {}
        rows.append(
            {
                "code": entry["specialty"],
                "name": entry.get("name") or entry["specialty"],
                "tier": entry.get("tier") or output.get("tier") or "",
                "min": apps.get("min"),
                "max": apps.get("max"),
                "ranks": entry.get("ranks") or ranks.get(entry["specialty"]),
            }
        )
    if not rows:  # older or minimal plans: the top-level figures only
        apps = output.get("applications") or {}
        rows.append(
            {
                "code": plan.specialty_code,
                "name": plan.specialty_code,
                "tier": plan.tier,
                "min": apps.get("min"),
                "max": apps.get("max"),
                "ranks": (output.get("ranks") or {}).get("recommended_contiguous"),
            }
        )
    return rows


def rank_target(plan: Plan | None) -> int | None:
    if plan is None or not isinstance(plan.output, dict):
        return None
    ranks = plan.output.get("ranks") or {}
    value = ranks.get("total") or ranks.get("recommended_contiguous")
    return value if isinstance(value, int) else None


def season_progress(
    season: Season, applications: list[Application], *, today: dt.date | None = None
) -> Progress:
    today = today or timezone.localdate()
    opens = applications_open(season.match_year)
    not_yet = opens if today < opens.date else None
    sent: Counter[str] = Counter()
    offers: Counter[str] = Counter()
    names: dict[str, str] = {}
    for a in applications:
        code = a.program.specialty.code
        names[code] = a.program.specialty.name
        if a.applied_on is not None:
            sent[code] += 1
        if a.offered_on is not None:
            offers[code] += 1
    rows = []
    for spec in _plan_specialties(season.plan):
        rows.append(
            SpecialtyProgress(
                code=spec["code"],
                name=spec["name"],
                tier=spec["tier"],
                applications_min=spec["min"],
                applications_max=spec["max"],
                sent=sent[spec["code"]],
                offers=offers[spec["code"]],
                target=rules.interview_target(
                    specialty=spec["code"], tier=spec["tier"], ranks=spec["ranks"]
                ),
                ranks=spec["ranks"],
                open=not_yet is None,
            )
        )
    planned = {r.code for r in rows}
    total_offers = sum(offers.values())
    if rows:
        primary = rows[0]
        target = rules.interview_target(
            specialty=primary.code, tier=primary.tier, ranks=primary.ranks
        )
    else:
        target = rules.interview_target(specialty="", tier="", ranks=None)
    marks = rules.checkpoints(
        match_year=season.match_year, offers=total_offers, target=target, today=today
    )
    return Progress(
        specialties=rows,
        offers=total_offers,
        target=target,
        checkpoints=marks,
        current=rules.current_checkpoint(marks),
        rank_target=rank_target(season.plan),
        has_plan=season.plan is not None,
        other_sent={names[c]: n for c, n in sent.items() if c not in planned},
        applications_open=not_yet,
    )


# --- Interviews --------------------------------------------------------------------------


@dataclass
class CalendarRow:
    application: Application
    clash: bool


def interview_calendar(
    applications: list[Application], *, now: dt.datetime | None = None, upcoming: bool = True
) -> list[CalendarRow]:
    """Scheduled interviews in time order (from now on when `upcoming`), with same-day clashes
    (two interviews on one local calendar day) flagged."""
    now = now or timezone.now()
    scheduled = sorted(
        (a for a in applications if a.interview_at is not None and a.status not in rules.FINAL),
        key=lambda a: (a.interview_at, a.pk),
    )
    if upcoming:
        scheduled = [a for a in scheduled if a.interview_at >= now]
    days = Counter(timezone.localdate(a.interview_at) for a in scheduled)
    return [CalendarRow(a, days[timezone.localdate(a.interview_at)] > 1) for a in scheduled]


# --- Rank list ---------------------------------------------------------------------------


def rank_entries(season: Season) -> list[RankListEntry]:
    return list(
        RankListEntry.objects.filter(season=season)
        .select_related("application__program__specialty")
        .order_by("position", "id")
    )


def rankable(applications: list[Application]) -> list[Application]:
    """Interviewed programs not yet on the rank list."""
    return [
        a
        for a in applications
        if (a.interviewed or a.status == Status.INTERVIEWED)
        and a.status not in rules.FINAL
        and not hasattr_rank(a)
    ]


def hasattr_rank(application: Application) -> bool:
    try:
        return application.rank_entry is not None
    except RankListEntry.DoesNotExist:
        return False


# --- Advisors ----------------------------------------------------------------------------


def advisable_seasons(advisor: Any) -> QuerySet[Season]:
    from advising.selectors import advisable_applicants

    return Season.objects.filter(owner__in=advisable_applicants(advisor)).select_related(
        "owner", "plan", "outcome"
    )


def season_comments(season: Season) -> list[SeasonComment]:
    return list(season.comments.select_related("author"))


@dataclass(frozen=True)
class SeasonState:
    """An applicant's newest season, as the advisor dashboard shows it."""

    season_id: int
    match_year: int
    offers: int
    target: rules.InterviewTarget
    behind: bool


def season_states(
    applicant_ids: list[int], *, today: dt.date | None = None
) -> dict[int, SeasonState]:
    """For each applicant with a season, the newest one's offers against its target and whether
    it is behind at the latest checkpoint passed. Two queries whatever the number of applicants
    and applications."""
    today = today or timezone.localdate()
    seasons: dict[int, Season] = {}
    for season in (
        Season.objects.filter(owner_id__in=applicant_ids)
        .select_related("plan")
        .order_by("owner_id", "-match_year")
    ):
        seasons.setdefault(season.owner_id, season)
    offers = Counter(
        Application.objects.filter(
            season__in=list(seasons.values()), offered_on__isnull=False
        ).values_list("season_id", flat=True)
    )
    states = {}
    for owner_id, season in seasons.items():
        specs = _plan_specialties(season.plan)
        first = specs[0] if specs else {"code": "", "tier": "", "ranks": None}
        target = rules.interview_target(
            specialty=first["code"], tier=first["tier"], ranks=first["ranks"]
        )
        count = offers[season.pk]
        states[owner_id] = SeasonState(
            season_id=season.pk,
            match_year=season.match_year,
            offers=count,
            target=target,
            behind=rules.behind_target(
                match_year=season.match_year, offers=count, target=target, today=today
            ),
        )
    return states


def behind_offer_target(applicant_ids: list[int], *, today: dt.date | None = None) -> set[int]:
    """Of these applicants, those whose newest season is behind its interview-offer target."""
    return {
        owner_id
        for owner_id, state in season_states(applicant_ids, today=today).items()
        if state.behind
    }


# --- Shared outcomes ---------------------------------------------------------------------


@dataclass(frozen=True)
class SharedFigure:
    match_year: int
    contributors: int
    applied: int
    offered: int | None
    matched: int | None
    median_step2: int | None


def _step2(plan: Plan | None) -> int | None:
    if plan is None or not isinstance(plan.profile, dict):
        return None
    score = (plan.profile.get("step2ck") or {}).get("score")
    return score if isinstance(score, int) else None


def shared_outcomes(program: Program) -> list[SharedFigure]:
    """Per season, how many contributors applied to the program, were offered an interview
    and matched there, and the median Step 2 CK of those offered. A season is shown only with
    at least SHARED_MIN_CONTRIBUTORS contributors who applied; each further figure only when
    at least that many stand behind it (else None: "fewer than 5")."""
    k = SHARED_MIN_CONTRIBUTORS
    apps = (
        Application.objects.filter(
            program=program, season__share_outcomes=True, applied_on__isnull=False
        )
        .select_related("season__plan", "season__outcome")
        .only(
            "offered_on",
            "program_id",
            "season__match_year",
            "season__plan__profile",
            "season__outcome__result",
            "season__outcome__program_id",
        )
    )
    by_year: dict[int, list[Application]] = defaultdict(list)
    for a in apps:
        by_year[a.season.match_year].append(a)
    figures = []
    for year, rows in sorted(by_year.items(), reverse=True):
        if len(rows) < k:
            continue
        offered = [a for a in rows if a.offered_on is not None]
        matched = [a for a in rows if _matched_here(a)]
        scores = [s for s in (_step2(a.season.plan) for a in offered) if s is not None]
        figures.append(
            SharedFigure(
                match_year=year,
                contributors=len(rows),
                applied=len(rows),
                offered=len(offered) if len(offered) >= k else None,
                matched=len(matched) if len(matched) >= k else None,
                median_step2=round(statistics.median(scores)) if len(scores) >= k else None,
            )
        )
    return figures


def _matched_here(application: Application) -> bool:
    try:
        outcome = application.season.outcome
    except Season.outcome.RelatedObjectDoesNotExist:
        return False
    return outcome.program_id == application.program_id and outcome.result != "not_matched"


# --- Export ------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def season_export(user: Any) -> list[dict[str, Any]]:
    seasons = (
        Season.objects.filter(owner=user)
        .select_related("outcome__program")
        .prefetch_related(
            Prefetch(
                "applications",
                queryset=Application.objects.select_related("program").prefetch_related("changes"),
            ),
            Prefetch(
                "rank_entries",
                queryset=RankListEntry.objects.select_related("application__program"),
            ),
            "comments__author",
        )
    )
    data = []
    for s in seasons:
        outcome = getattr(s, "outcome", None) if hasattr(s, "outcome") else None
        data.append(
            {
                "match_year": s.match_year,
                "plan": str(s.plan.token) if s.plan else None,
                "share_outcomes": s.share_outcomes,
                "reminders": s.reminders,
                "applications": [
                    {
                        "program": a.program.name,
                        "acgme_id": a.program.acgme_id,
                        "plan_label": a.plan_label,
                        "plan_reasons": a.plan_reasons,
                        "status": a.status,
                        "platform": a.platform,
                        "signal_kind": a.signal_kind,
                        "applied_on": _iso(a.applied_on),
                        "offered_on": _iso(a.offered_on),
                        "interview_at": _iso(a.interview_at),
                        "interview_mode": a.interview_mode,
                        "notes": a.notes,
                        "timeline": [
                            {"status": c.status, "at": _iso(c.changed_at), "note": c.note}
                            for c in a.changes.all()
                        ],
                    }
                    for a in s.applications.all()
                ],
                # program_id alone is our database key: the name and ACGME ID say which
                # program it is, as in "applications"
                "rank_list": [
                    {
                        "position": r.position,
                        "program": r.application.program.name,
                        "acgme_id": r.application.program.acgme_id,
                        "program_id": r.application.program_id,
                    }
                    for r in s.rank_entries.all()
                ],
                "outcome": (
                    {
                        "result": outcome.result,
                        "program": outcome.program.name if outcome.program else None,
                        "acgme_id": outcome.program.acgme_id if outcome.program else None,
                        "program_id": outcome.program_id,
                    }
                    if outcome
                    else None
                ),
                "comments": [
                    {
                        "author": c.author.email if c.author else None,
                        "at": _iso(c.created_at),
                        "body": c.body,
                    }
                    for c in s.comments.all()
                ],
            }
        )
    return data


# --- the Match calendar -------------------------------------------------------------------


@dataclass(frozen=True)
class CitedDate:
    """A season date with where it comes from, as every page and email shows it (the include
    tracker/includes/date_source.html, or `citation` in plain text): the source it was read
    from (title, publisher, season, and its page when known), or that it is estimated."""

    date: dt.date
    estimated: bool
    source: str  # the citation; for an estimate, what it was estimated from
    url: str = ""

    @property
    def citation(self) -> str:
        where = f"{self.source} ({self.url})" if self.url else self.source
        if self.estimated:
            return f"Estimated date: {where}. Check the official calendar."
        return f"Source: {where}."


@dataclass(frozen=True)
class RankFees:
    """The NRMP registration's included ranks and the fee per rank beyond them, cited."""

    included: int
    per_rank: int
    source: str
    url: str = ""


@dataclass(frozen=True)
class MatchCalendar:
    """A Match year's NRMP dates and rank fees as a plan uses them: the season's own where the
    season data holds them (admin-editable, with sources), else the usual rule's estimates and
    the active fee schedule (as the engine prices a plan without season data)."""

    registration_deadline: CitedDate  # the standard deadline; a late fee applies after it
    ranking_opens: CitedDate  # rank order list entry opens in the NRMP's R3 system
    rank_list_deadline: CitedDate
    # Monday of Match Week: the NRMP tells applicants whether they matched (SOAP begins).
    match_week: CitedDate
    match_day: CitedDate
    rank_fees: RankFees


def _nrmp_cite(nrmp: engine.NrmpFees) -> tuple[str, str]:
    if nrmp.source is None:
        return "NRMP fees", ""
    return nrmp.source.cite(), nrmp.source.url


def _key_date(facts: engine.SeasonFacts | None, match_year: int, event: str) -> CitedDate:
    day = engine.key_date(facts, match_year - 1, event)
    return CitedDate(day.date, day.estimated, day.source, day.url)


def _registration_deadline(facts: engine.SeasonFacts | None, match_year: int) -> CitedDate:
    if facts is None:
        return CitedDate(
            dt.date(match_year - 1, 11, 30),
            True,
            "the NRMP's usual standard registration deadline, 30 November",
        )
    nrmp = facts.nrmp
    cited, url = _nrmp_cite(nrmp)
    when = dt.date(match_year - 1, *nrmp.standard_deadline_month_day)
    if nrmp.confirmed_season != match_year:
        cited += f", the deadline of the {nrmp.confirmed_season} Match (the latest confirmed)"
        return CitedDate(when, True, cited, url)
    return CitedDate(when, False, cited, url)


def _rank_fees(facts: engine.SeasonFacts | None, match_year: int) -> RankFees:
    if facts is None:
        fees = rule_data().fees
        return RankFees(
            fees.nrmp_included_ranks,
            fees.nrmp_extra_rank_fee,
            f"fee schedule of the {fees.season} season: {fees.source_note.rstrip('.')}",
        )
    nrmp = facts.nrmp
    cited, url = _nrmp_cite(nrmp)
    if nrmp.confirmed_season != match_year:
        cited += f" (fees of the {nrmp.confirmed_season} Match, the latest confirmed)"
    return RankFees(nrmp.included_ranks, nrmp.extra_rank_fee, cited, url)


def _season_facts(match_year: int) -> engine.SeasonFacts | None:
    seasons = rule_data().seasons
    return engine.season_facts_for(seasons, match_year) if seasons else None


def applications_open(match_year: int) -> CitedDate:
    """The first day applicants can send applications to programs in the Match year's season:
    the earlier of ERAS's and ResidencyCAS's dates (each as on record, else estimated)."""
    facts = _season_facts(match_year)
    days = [_key_date(facts, match_year, event) for event in ("eras_submit", "rcas_submit")]
    return min(days, key=lambda day: day.date)


def season_outcome(season: Season) -> Outcome | None:
    try:
        return season.outcome
    except Season.outcome.RelatedObjectDoesNotExist:
        return None


def outcome_recordable(
    season: Season, *, calendar: MatchCalendar | None = None, today: dt.date | None = None
) -> bool:
    """An outcome can be recorded from Monday of Match Week, when the NRMP tells applicants
    whether they matched; one already recorded can always be corrected. ``calendar``: the
    season's, when the caller has it already."""
    if season_outcome(season) is not None:
        return True
    calendar = calendar or match_calendar(season.match_year)
    return (today or timezone.localdate()) >= calendar.match_week.date


def match_calendar(match_year: int) -> MatchCalendar:
    facts = _season_facts(match_year)
    return MatchCalendar(
        registration_deadline=_registration_deadline(facts, match_year),
        ranking_opens=_key_date(facts, match_year, "nrmp_ranking"),
        rank_list_deadline=_key_date(facts, match_year, "nrmp_rank_deadline"),
        match_week=_key_date(facts, match_year, "soap_starts"),
        match_day=_key_date(facts, match_year, "match_day"),
        rank_fees=_rank_fees(facts, match_year),
    )
