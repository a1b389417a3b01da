"""The plan page's view of a stored plan (``Plan.output``), parsed once per plan.

Everything shown about a plan comes from its stored snapshot, never from live program or rule
rows, so editing the catalog or the rules later never changes a saved plan."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from assessments import engine
from assessments.models import Plan
from assessments.plans.reader import (
    as_date,
    as_dict,
    as_int,
    as_list,
    as_range,
    as_text,
    plan_output,
)
from assessments.plans.words import (
    EXCLUDED_SHOWN,
    FIT_WORDS,
    IMPACT_INDEX,
    PROGRAM_TYPE_WORDS,
    SEVERITY_INDEX,
    STATUS_WORDS,
    YES_NO_WORDS,
    exclusion_label,
    tier_word,
)
from assessments.svg import COMPACT, WIDE, ChartRow, tier_chart


@dataclass(frozen=True, slots=True)
class ReasonView:
    text: str
    source: str = ""
    rule: str = ""
    effect: str = ""
    tier: str = ""


@dataclass(frozen=True, slots=True)
class ExcludedView:
    name: str
    specialty_code: str
    reasons: tuple[str, ...]
    as_of: dt.date | None
    stale: bool | None


@dataclass(frozen=True, slots=True)
class SpecialtyView:
    code: str
    name: str
    role: str  # primary | backup
    tier: str
    projected: bool
    reasons: tuple[ReasonView, ...]
    bands: dict[str, int]
    applications_min: int | None
    applications_max: int | None
    eras_cost_min: int | None
    eras_cost_max: int | None
    ranks: int | None
    mix: tuple[dict[str, Any], ...]

    @property
    def tier_word(self) -> str:
        return tier_word(self.tier)


@dataclass(frozen=True, slots=True)
class ProgramRow:
    """One program of the saved list, with what filtering and sorting need precomputed."""

    id: int | None
    name: str
    institution: str
    city: str
    state: str
    specialty_code: str
    program_type: str
    j1: str
    h1b: str
    img_share: int | None
    step2_typical: int | None
    fit: str
    rank: int
    reasons: tuple[ReasonView, ...]
    verify: tuple[str, ...]
    search_text: str  # lower-case name, institution and city
    # Where the program's facts come from and when they were last checked, as of the plan.
    source: str = ""
    last_verified: dt.date | None = None

    @property
    def fit_word(self) -> str:
        return FIT_WORDS.get(self.fit, self.fit.capitalize())

    @property
    def program_type_word(self) -> str:
        return PROGRAM_TYPE_WORDS.get(self.program_type, self.program_type.replace("_", " "))

    @property
    def j1_word(self) -> str:
        return YES_NO_WORDS.get(self.j1, self.j1)

    @property
    def h1b_word(self) -> str:
        return YES_NO_WORDS.get(self.h1b, self.h1b)


@dataclass(frozen=True, slots=True)
class ExcludedCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class PlanView:
    """Everything the plan page shows, parsed once from the snapshot."""

    token: str
    engine_version: str
    computed_on: dt.date | None
    specialty: str
    specialty_name: str
    tier: str
    projected: bool
    score: dict[str, Any]
    specialties: tuple[SpecialtyView, ...]
    chart_svg: SafeString
    chart_svg_compact: SafeString
    red_flags: tuple[dict[str, Any], ...]
    applications: dict[str, Any]
    cost_min: int | None
    cost_max: int | None
    budget: dict[str, Any] | None
    ranks: dict[str, Any]
    dual_apply: dict[str, Any]
    timeline: tuple[dict[str, Any], ...]
    actions: tuple[dict[str, Any], ...]
    # The program entries of the output (dicts), and their positions in the stored list when
    # it held anything else (None: entry i is at position i + 1).
    entries: tuple[dict[str, Any], ...]
    positions: tuple[int, ...] | None
    program_counts: dict[str, Any]
    excluded: tuple[ExcludedCount, ...]
    excluded_total: int
    notes: tuple[ReasonView, ...]
    specialty_choices: tuple[tuple[str, str], ...] = field(default=())
    # How much the catalog said when the plan was made, and what the labels mean for this
    # applicant when few programs are realistic (both absent from older plans).
    catalog_note: ReasonView | None = None
    fit_note: ReasonView | None = None
    # The first EXCLUDED_SHOWN programs left out: name, reasons, how old the facts are.
    excluded_programs: tuple[ExcludedView, ...] = field(default=())
    state_choices: tuple[str, ...] = field(default=())
    # Added with the season data; plans saved before have none of these (defaults).
    season: dict[str, Any] = field(default_factory=dict)
    signals: tuple[dict[str, Any], ...] = field(default=())
    eligibility: dict[str, Any] = field(default_factory=dict)
    sources: tuple[dict[str, Any], ...] = field(default=())
    pgy1: dict[str, Any] = field(default_factory=dict)
    season_choice: dict[str, Any] = field(default_factory=dict)

    @property
    def tier_word(self) -> str:
        return tier_word(self.tier)

    @property
    def shortfall(self) -> str:
        """The note saying fewer programs fit than the recommended count, if any."""
        return next((n.text for n in self.notes if n.rule == "program_shortfall"), "")

    @property
    def eligible(self) -> bool:
        return self.eligibility.get("eligible", True) is not False

    @cached_property
    def signal_ids(self) -> dict[int, str]:
        """Proposed signal programs: program id -> kind of signal (built once per view: the
        program table reads it for every row)."""
        out: dict[int, str] = {}
        for block in self.signals:
            for p in as_list(block.get("proposed")):
                pid = as_int(as_dict(p).get("program_id"))
                if pid is not None:
                    out[pid] = as_text(as_dict(p).get("kind"), "signal")
        return out

    @property
    def primary(self) -> SpecialtyView | None:
        return self.specialties[0] if self.specialties else None

    @property
    def backups(self) -> tuple[SpecialtyView, ...]:
        return self.specialties[1:]

    @property
    def backups_costed(self) -> bool:
        """Whether the backups count in the totals: the engine costs them only where it
        recommends applying to a second specialty (``engine.entry``); otherwise their rows are
        shown for reference and the totals are the primary's."""
        return bool(self.dual_apply.get("recommended"))

    @property
    def program_total(self) -> int:
        return len(self.entries)

    @property
    def fit_counts(self) -> list[tuple[str, str, int]]:
        by_fit = as_dict(self.program_counts.get("by_fit"))
        if not by_fit:
            counted: dict[str, int] = dict.fromkeys(engine.FITS, 0)
            for entry in self.entries:
                fit = as_text(entry.get("fit"), "reach")
                counted[fit] = counted.get(fit, 0) + 1
            by_fit = counted
        return [(fit, FIT_WORDS.get(fit, fit), as_int(by_fit.get(fit)) or 0) for fit in engine.FITS]

    @property
    def programs_unreadable(self) -> bool:
        """The plan listed programs (its stored counts say so) but its list could not be read
        back (``plan_store.program_lists_from`` logged why): not the same as none fitting."""
        return not self.entries and (as_int(self.program_counts.get("listed")) or 0) > 0

    @property
    def multi_specialty(self) -> bool:
        return len(self.specialty_choices) > 1

    @property
    def high_red_flags(self) -> int:
        return sum(1 for f in self.red_flags if f.get("severity") == "high")

    # --- program rows, built when first shown -------------------------------------------
    # A plan lists up to ~11,000 programs and a page shows 50: the table builds the rows of
    # its page only (filtering and sorting read columns computed from the entries); the CSV
    # builds the matching rows, each once per view.

    def row(self, index: int) -> ProgramRow:
        """The row of entry ``index``, built once."""
        built = self._built
        found = built[index]
        if found is None:
            position = self.positions[index] if self.positions is not None else index + 1
            found = built[index] = _program_row(self.entries[index], position, self._shared)
        return found

    @cached_property
    def _built(self) -> list[ProgramRow | None]:
        return [None] * len(self.entries)

    @cached_property
    def _shared(self) -> dict[Any, Any]:
        # The values the rows repeat, one object each for the whole view (see _program_row).
        return {}

    @cached_property
    def _rank_order(self) -> list[int]:
        return _rank_order(self.entries, self.positions)

    @cached_property
    def programs_by_rank(self) -> RankedRows:
        """The programs in the recommended order (the table's default order), a sequence
        that builds the rows it is asked for."""
        return RankedRows(self)

    @cached_property
    def _columns(self) -> dict[str, list[Any]]:
        return {}

    def column(self, key: str) -> list[Any]:
        """One value per entry, as its row holds it (``name`` and ``city`` lower-cased), for
        filtering and sorting without building the rows; computed once per key."""
        found = self._columns.get(key)
        if found is None:
            found = self._columns[key] = _entry_column(self.entries, self.positions, key)
        return found

    @property
    def first_programs(self) -> list[ProgramRow]:
        """The first 100 programs in the stored order (the read-only plan body)."""
        return [self.row(i) for i in range(min(100, len(self.entries)))]


class RankedRows(Sequence[ProgramRow]):
    """Some of a plan's program rows in the order of ``indexes`` (default: every program in
    rank order), each built when first read (``Paginator`` asks for its length and one page's
    slice)."""

    def __init__(self, view: PlanView, indexes: Sequence[int] | None = None) -> None:
        self._view = view
        self._indexes = indexes

    @property
    def indexes(self) -> Sequence[int]:
        return self._view._rank_order if self._indexes is None else self._indexes

    def __len__(self) -> int:
        return len(self.indexes)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, slice):
            return [self._view.row(i) for i in self.indexes[item]]
        return self._view.row(self.indexes[item])


def _entry_name(p: dict[str, Any]) -> str:
    name = p.get("name")
    return name if type(name) is str else str(name or "")


def _entry_int(p: dict[str, Any], key: str) -> int | None:
    value = p.get(key)
    return value if type(value) is int else as_int(value)


def _entry_column(
    entries: Sequence[dict[str, Any]], positions: Sequence[int] | None, key: str
) -> list[Any]:
    """The ``key`` value of each row ``_program_row`` would build from ``entries`` (``name``
    and ``city`` lower-cased)."""
    if key in {"fit", "j1", "h1b"}:
        default = "reach" if key == "fit" else "unknown"
        return [as_text(p.get(key), default) for p in entries]
    if key in {"specialty_code", "state"}:
        return [as_text(p.get(key)) for p in entries]
    if key == "search_text":
        return [
            f"{_entry_name(p)} {as_text(p.get('institution'))} {as_text(p.get('city'))}".lower()
            for p in entries
        ]
    if key == "name":
        return [_entry_name(p).lower() for p in entries]
    if key == "city":
        return [as_text(p.get("city")).lower() for p in entries]
    if key == "img_share":
        return [_entry_int(p, "img_share") for p in entries]
    if key == "rank":
        return [
            _entry_int(p, "rank") or (positions[i] if positions is not None else i + 1)
            for i, p in enumerate(entries)
        ]
    raise KeyError(key)


def _reasons(
    items: Any, shared: dict[tuple[str, ...], ReasonView] | None = None
) -> tuple[ReasonView, ...]:
    """Parse reason objects. ``shared`` makes equal reasons one object: the same few texts
    repeat across thousands of program entries, and a cached view should not hold copies."""
    out = []
    for item in as_list(items):
        if isinstance(item, dict) and item.get("text"):
            key = (
                str(item["text"]),
                str(item.get("source") or ""),
                str(item.get("rule") or ""),
                str(item.get("effect") or ""),
                str(item.get("tier") or ""),
            )
            reason = shared.get(key) if shared is not None else None
            if reason is None:
                reason = ReasonView(*key)
                if shared is not None:
                    shared[key] = reason
            out.append(reason)
    return tuple(out)


def _specialty_view(data: dict[str, Any], default_role: str) -> SpecialtyView | None:
    code = data.get("specialty")
    if not isinstance(code, str):
        return None
    apps = as_dict(data.get("applications"))
    eras_min, eras_max = as_range(apps.get("eras_cost_usd"))
    bands = {k: v for k, v in as_dict(data.get("bands")).items() if as_int(v) is not None}
    return SpecialtyView(
        code=code,
        name=str(data.get("name") or code),
        role=str(data.get("role") or default_role),
        tier=str(data.get("tier") or ""),
        projected=bool(data.get("projected")),
        reasons=_reasons(data.get("tier_reasons")),
        bands=bands,
        applications_min=as_int(apps.get("min")),
        applications_max=as_int(apps.get("max")),
        eras_cost_min=eras_min,
        eras_cost_max=eras_max,
        ranks=as_int(data.get("ranks")),
        mix=tuple(m for m in as_list(data.get("mix")) if isinstance(m, dict)),
    )


_VERIFY_SUFFIX = ": verify with the program."


def _short_verify(text: str) -> str:
    """ "J-1 sponsorship unknown: verify with the program." -> "J-1 sponsorship unknown": the
    column is already headed "Verify"."""
    if text.lower().endswith(_VERIFY_SUFFIX):
        return text[: -len(_VERIFY_SUFFIX)]
    return text.rstrip(".")


def _program_row(
    data: dict[str, Any], position: int, shared: dict[Any, Any] | None = None
) -> ProgramRow:
    """One program entry of the output. ``shared`` holds the values many rows repeat (reason
    tuples, verify texts) by value, so a cached view of a plan with thousands of programs keeps
    one object of each."""
    shared = {} if shared is None else shared
    get = data.get
    name = get("name")
    name = name if type(name) is str else str(name or "")
    institution = as_text(get("institution"))
    city = as_text(get("city"))

    texts = tuple(
        str(v.get("text")) for v in as_list(get("verify")) if isinstance(v, dict) and v.get("text")
    )
    verify = shared.get(("verify", texts))
    if verify is None:
        verify = shared[("verify", texts)] = tuple(as_text(_short_verify(t)) for t in texts)
    if not verify and get("verify_with_program"):
        verify = _VERIFY_ANY

    reasons = _reasons(get("reasons"), shared)
    reasons = shared.setdefault(("reasons", reasons), reasons)

    img_share = get("img_share")
    step2 = get("step2_typical")
    rank = get("rank")
    pid = get("id")
    return ProgramRow(
        id=pid if type(pid) is int else as_int(pid),
        name=name,
        institution=institution,
        city=city,
        state=as_text(get("state")),
        specialty_code=as_text(get("specialty_code")),
        program_type=as_text(get("program_type")),
        j1=as_text(get("j1"), "unknown"),
        h1b=as_text(get("h1b"), "unknown"),
        img_share=img_share if type(img_share) is int else as_int(img_share),
        step2_typical=step2 if type(step2) is int else as_int(step2),
        fit=as_text(get("fit"), "reach"),
        rank=(rank if type(rank) is int else as_int(rank)) or position,
        reasons=reasons,
        verify=verify,
        search_text=f"{name} {institution} {city}".lower(),
        source=as_text(get("source")),
        last_verified=as_date(get("last_verified")),
    )


_VERIFY_ANY = ("Verify the details with the program.",)


def build_plan_view(
    output: Mapping[str, Any], *, token: str = "", plan: Plan | None = None
) -> PlanView:
    """Parse a stored output into the page's view. Pure: reads nothing but ``output``
    (and the plan row's own columns as fallbacks)."""
    out = dict(output) if isinstance(output, Mapping) else {}
    specialties: list[SpecialtyView] = []
    primary = _specialty_view(as_dict(out.get("primary")), "primary")
    if primary is not None:
        specialties.append(primary)
    for backup in as_list(out.get("backups")):
        view = _specialty_view(as_dict(backup), "backup")
        if view is not None:
            specialties.append(view)

    score = as_dict(out.get("score"))
    score_value = as_int(score.get("value"))
    projected = bool(out.get("projected")) or score.get("kind") == "projected"
    passing = as_int(score.get("passing_standard"))
    if passing is None and out.get("computed_on"):
        computed = as_date(out.get("computed_on"))
        passing = engine.passing_standard(computed) if computed else None
    chart_rows = [
        ChartRow(code=s.code, name=s.name, bands=s.bands, tier=s.tier, role=s.role)
        for s in specialties
    ]
    prefix = f"tier-chart-{token[:8]}" if token else "tier-chart"
    chart, chart_compact = (
        tier_chart(
            rows=chart_rows,
            score=score_value,
            projected=projected,
            passing=passing,
            id_prefix=f"{prefix}{suffix}",
            layout=layout,
        )
        for layout, suffix in ((WIDE, ""), (COMPACT, "-compact"))
    )

    flags = sorted(
        (f for f in as_list(out.get("red_flags")) if isinstance(f, dict)),
        key=lambda f: SEVERITY_INDEX.get(str(f.get("severity")), len(SEVERITY_INDEX)),
    )
    actions = sorted(
        (a for a in as_list(out.get("actions")) if isinstance(a, dict)),
        key=lambda a: IMPACT_INDEX.get(str(a.get("impact")), len(IMPACT_INDEX)),
    )
    timeline = []
    for item in as_list(out.get("timeline")):
        if isinstance(item, dict):
            timeline.append(
                {
                    **item,
                    "date": as_date(item.get("date")),
                    "end_date": as_date(item.get("end_date")),
                    "status_word": STATUS_WORDS.get(str(item.get("status")), ""),
                }
            )
    apps = as_dict(out.get("applications"))
    cost_min, cost_max = as_range(apps.get("estimated_cost_usd"))
    # The program rows are built when a request shows them (see PlanView.rows): here only
    # what the cached parts and the filter form need, in a few passes over the entries.
    listed = as_list(out.get("programs"))
    entries = [p for p in listed if isinstance(p, dict)]
    positions = None
    if len(entries) != len(listed):
        positions = tuple(i for i, p in enumerate(listed, start=1) if isinstance(p, dict))
    excluded_counts = as_dict(out.get("excluded"))
    order = {code: i for i, code in enumerate(engine.EXCLUSION_REASONS)}
    excluded = tuple(
        ExcludedCount(code=str(code), label=exclusion_label(str(code)), count=as_int(n) or 0)
        for code, n in sorted(excluded_counts.items(), key=lambda kv: order.get(kv[0], 99))
    )
    counts = as_dict(out.get("program_counts"))
    excluded_total = as_int(counts.get("excluded"))
    if excluded_total is None:
        excluded_total = len(as_list(out.get("excluded_programs"))) or sum(
            e.count for e in excluded
        )
    names = {s.code: s.name for s in specialties}
    codes_in_list = sorted(_distinct(entries, "specialty_code"))
    ordered_codes = [s.code for s in specialties if s.code in codes_in_list] + [
        c for c in codes_in_list if c not in names
    ]
    specialty = str(out.get("specialty") or (plan.specialty_code if plan else "") or "")
    return PlanView(
        token=token,
        engine_version=str(out.get("engine_version") or (plan.engine_version if plan else "")),
        computed_on=as_date(out.get("computed_on")),
        specialty=specialty,
        specialty_name=names.get(specialty, specialty),
        tier=str(out.get("tier") or (plan.tier if plan else "")),
        projected=projected,
        score=score,
        specialties=tuple(specialties),
        # Built by svg.tier_chart, which escapes every text it writes.
        chart_svg=mark_safe(chart),  # noqa: S308  # nosec B308 B703
        chart_svg_compact=mark_safe(chart_compact),  # noqa: S308  # nosec B308 B703
        red_flags=tuple(flags),
        applications=apps,
        cost_min=cost_min,
        cost_max=cost_max,
        budget=as_dict(apps.get("budget")) or None,
        ranks=as_dict(out.get("ranks")),
        dual_apply=as_dict(out.get("dual_apply")),
        timeline=tuple(timeline),
        actions=tuple(actions),
        entries=tuple(entries),
        positions=positions,
        program_counts=counts,
        excluded=excluded,
        excluded_total=excluded_total,
        notes=_reasons(out.get("notes")),
        catalog_note=next(
            (n for n in _reasons(out.get("notes")) if n.rule == "catalog_coverage"), None
        ),
        fit_note=next(iter(_reasons([out.get("fit_note")])), None),
        excluded_programs=tuple(
            ExcludedView(
                name=as_text(x.get("name")),
                specialty_code=as_text(x.get("specialty_code")),
                reasons=tuple(r.text for r in _reasons(x.get("reasons"))),
                as_of=as_date(x.get("as_of")),
                stale=x.get("stale") if isinstance(x.get("stale"), bool) else None,
            )
            for x in as_list(out.get("excluded_programs"))[:EXCLUDED_SHOWN]
            if isinstance(x, dict)
        ),
        specialty_choices=tuple((c, names.get(c, c)) for c in ordered_codes),
        state_choices=tuple(sorted(_distinct(entries, "state"))),
        season=as_dict(out.get("season")),
        signals=tuple(as_dict(x) for x in as_list(out.get("signals")) if isinstance(x, dict)),
        eligibility=as_dict(out.get("eligibility")),
        sources=tuple(as_dict(x) for x in as_list(out.get("sources")) if isinstance(x, dict)),
        pgy1=as_dict(out.get("pgy1")),
        season_choice=as_dict(out.get("season_choice")),
    )


def _distinct(entries: Sequence[dict[str, Any]], key: str) -> set[str]:
    """The distinct non-empty values of ``key``, as the rows would hold them (``as_text``)."""
    try:
        raw = {p.get(key) for p in entries}
    except TypeError:  # an unhashable value (a tampered snapshot)
        raw = {str(p.get(key) or "") for p in entries}
    return {text for text in (as_text(v) for v in raw) if text}


def _rank_order(entries: Sequence[dict[str, Any]], positions: Sequence[int] | None) -> list[int]:
    """The indexes of ``entries`` in rank order (ties in list order), as the table's default
    order sorts their rows; the saved lists are already in rank order, checked here."""
    ranks = []
    previous = 0
    in_order = True
    for index, p in enumerate(entries):
        rank = p.get("rank")
        if type(rank) is not int or not rank:
            rank = as_int(rank) or (positions[index] if positions is not None else index + 1)
        if rank < previous:
            in_order = False
        previous = rank
        ranks.append(rank)
    if in_order:
        return list(range(len(entries)))
    return sorted(range(len(entries)), key=ranks.__getitem__)


# The exception to "one cache, the shared one, for HTML fragments" (house style point 11):
# a table fragment that is missing (a new page, filter or order of a plan's programs) needs
# the parsed plan, and reading a stored output back costs most of such a request (about
# 105-150 ms at 5,000 programs, against ~1-9 ms to parse it; measured with a test-client loop
# on SQLite, 7 Dec 2026: a first visit of a table page took 174 ms without this cache and
# 64 ms with it; warm pages, served from fragments, do not read the view at all). So the
# parsed view is kept per process by token, a plan being immutable. The bounds keep a
# worker's memory in check (a program row costs well under a kilobyte once its repeated
# values are shared); the cost of a miss is one query and one parse.
_VIEW_CACHE_PLANS = 64
_VIEW_CACHE_ROWS = 100_000
_view_cache: OrderedDict[str, PlanView] = OrderedDict()
_view_lock = threading.Lock()


def plan_view(plan: Plan) -> PlanView:
    """The page's view of ``plan``, parsed once per process (see above); read only when a
    cached fragment that shows it is missing, or to build the CSV or the printout."""
    key = str(plan.token)
    with _view_lock:
        cached = _view_cache.get(key)
        if cached is not None:
            _view_cache.move_to_end(key)
            return cached
    view = build_plan_view(plan_output(plan), token=key, plan=plan)
    with _view_lock:
        _view_cache[key] = view
        rows = sum(len(v.entries) for v in _view_cache.values())
        while len(_view_cache) > 1 and (
            len(_view_cache) > _VIEW_CACHE_PLANS or rows > _VIEW_CACHE_ROWS
        ):
            _, evicted = _view_cache.popitem(last=False)
            rows -= len(evicted.entries)
    return view


def plan_view_lazy(plan: Plan) -> PlanView:
    """The plan's view, parsed only if read: the plan pages' parts are cached fragments
    (``{% cache %}`` keyed by the plan's token), and a page whose fragments are all in the
    cache never reads the plan's output. Also the template tag ``{% plan_view_for plan as pv %}``."""
    return SimpleLazyObject(lambda: plan_view(plan))  # type: ignore[return-value]


def plan_view_cache_clear() -> None:
    with _view_lock:
        _view_cache.clear()
