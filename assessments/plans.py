"""Saved plans: who may open which plan, the page's view of a snapshot, the program table,
the CSV export and the comparison of two plans.

Everything shown about a plan comes from its stored snapshot (``Plan.output``), never from live
program or rule rows, so editing the catalog or the rules later never changes a saved plan.
A plan never changes after it is created, which is also why its parsed view can be cached per
process by token: the plan page then costs a few small queries whatever the plan's length.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from assessments import engine
from assessments.models import Plan, Tier
from assessments.svg import COMPACT, WIDE, ChartRow, tier_chart
from programs.exports import csv_safe

# --- words --------------------------------------------------------------------------------

# The tier names come from the model's choices: one source for every page and export.
TIER_WORDS: dict[str, str] = {str(value): str(label) for value, label in Tier.choices}
TIER_INDEX: dict[str, int] = {tier: i for i, tier in enumerate(engine.TIERS)}  # 0 is best
FIT_WORDS: dict[str, str] = {"likely": "Likely", "target": "Target", "reach": "Reach"}
FIT_INDEX: dict[str, int] = {fit: i for i, fit in enumerate(engine.FITS)}
SEVERITY_INDEX: dict[str, int] = {s: i for i, s in enumerate(engine.SEVERITIES)}
IMPACT_INDEX: dict[str, int] = {s: i for i, s in enumerate(engine.IMPACTS)}
STATUS_WORDS: dict[str, str] = {"done": "Done", "due": "Due", "overdue": "Overdue"}
EXCLUSION_LABELS: dict[str, str] = {
    "visa": "Does not sponsor the visa you need",
    "yog": "Graduated longer ago than the program accepts",
    "exam_failures": "Does not consider failed exam attempts",
    "score_below_minimum": "Step 2 CK under the program's minimum",
    "usce_required": "Requires US clinical experience you do not have yet",
    "military": "Military program (needs US citizenship)",
    "not_accepting": "Not accepting applications in your season",
    "platform": "Takes applications on a platform your plan does not use",
    "no_positions": "Offers no first-year position",
}
EXCLUDED_SHOWN = 50  # programs left out listed by name on the plan page
PROGRAM_TYPE_WORDS: dict[str, str] = {
    "university": "University-based",
    "community_university": "Community, university-affiliated",
    "community": "Community-based",
    "military": "Military",
    "unknown": "Type not stated",
}
YES_NO_WORDS: dict[str, str] = {"yes": "Yes", "no": "No", "unknown": "Unknown"}
BASIS_WORDS: dict[str, str] = {
    "article": "Source article",
    "derived": "Derived from the NRMP matched median",
    "assumption": "Stated assumption",
}

PROGRAMS_PER_PAGE = 50


def tier_word(tier: str | None) -> str:
    return TIER_WORDS.get(tier or "", (tier or "unknown").replace("_", " ").capitalize())


def exclusion_label(code: str) -> str:
    return EXCLUSION_LABELS.get(code, code.replace("_", " ").capitalize())


# --- queries ------------------------------------------------------------------------------

_HEAVY_FIELDS = ("profile", "inputs", "output")
# The plan page reads the small answers (what-if defaults) but never the inputs, and reads the
# output only when its parsed view is not cached yet.
_PAGE_DEFERRED = ("inputs", "output")


def plans_of(user: Any) -> QuerySet[Plan]:
    """The user's plans, newest first, without their JSON columns (history, selects)."""
    return Plan.objects.filter(owner=user).defer(*_HEAVY_FIELDS).order_by("-created_at", "-id")


def plan_for_viewer(
    *, user: Any, session_tokens: Iterable[str], token: uuid.UUID | str, page: bool = False
) -> Plan | None:
    """The plan with ``token`` if this viewer may open it, else None.

    An account opens its own plans; anybody opens the not-yet-claimed plans whose tokens
    their session holds (the plans they generated before signing up). The JSON columns are
    deferred but the answers: the page reads the snapshot through :func:`plan_view`, which
    caches it.

    With ``page``, the same query also answers what the full page would otherwise ask in
    two more: whether the plan has advisor comments (``has_advisor_comments``) and a
    review (``has_advisor_review``), read only if so (most plans have neither).
    """
    tokens = list(session_tokens)
    allowed = Q(owner__isnull=True, token__in=tokens) if tokens else Q(pk__in=[])
    if getattr(user, "is_authenticated", False):
        allowed |= Q(owner=user)
    queryset = Plan.objects.filter(allowed, token=token).defer(*_PAGE_DEFERRED)
    if page:
        queryset = _with_page_extras(queryset)
    return queryset.first()


def _with_page_extras(queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    """Two yes/no answers as correlated sub-selects of the plan query. Written as SQL: built
    with Exists(), the sub-queries cost more to compile than one more query would. Only
    table and column names from the models (quoted by the backend) go into the text."""
    from advising.models import PlanComment, PlanReview

    q = connection.ops.quote_name
    plan = f"{q(Plan._meta.db_table)}.{q('id')}"
    flags = {
        "has_advisor_comments": (
            f"SELECT 1 FROM {q(PlanComment._meta.db_table)} WHERE {q('plan_id')} = {plan}",  # noqa: S608  # nosec B608
            (),
        ),
        "has_advisor_review": (
            f"SELECT 1 FROM {q(PlanReview._meta.db_table)} WHERE {q('plan_id')} = {plan}",  # noqa: S608  # nosec B608
            (),
        ),
    }
    return queryset.annotate(
        **{
            name: RawSQL(f"EXISTS({sql})", params, output_field=BooleanField())  # noqa: S611  # nosec B611
            for name, (sql, params) in flags.items()
        }
    )


def plan_output(plan: Plan) -> dict[str, Any]:
    """The plan's whole stored output, program lists included (docs/plan.schema.json); the
    lists are stored apart, see ``selectors.plan_full_output`` (one query at most)."""
    from assessments import selectors

    return selectors.plan_full_output(plan)


def plan_profile(plan: Plan) -> dict[str, Any]:
    profile = plan.profile
    return profile if isinstance(profile, dict) else {}


# --- reading the snapshot defensively --------------------------------------------------------
# Old plans, plans of older engine versions and test fixtures may lack keys: a missing key
# shows as "not recorded", never as a server error.


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _range(value: Any) -> tuple[int | None, int | None]:
    """``{"min": a, "max": b}`` or a single number, as (min, max)."""
    if isinstance(value, dict):
        return _int(value.get("min")), _int(value.get("max"))
    number = _int(value)
    return number, number


# --- the page's view of a plan -------------------------------------------------------------


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

    @property
    def signal_ids(self) -> dict[int, str]:
        """Proposed signal programs: program id -> kind of signal."""
        out: dict[int, str] = {}
        for block in self.signals:
            for p in _l(block.get("proposed")):
                pid = _int(_d(p).get("program_id"))
                if pid is not None:
                    out[pid] = _text(_d(p).get("kind"), "signal")
        return out

    @property
    def primary(self) -> SpecialtyView | None:
        return self.specialties[0] if self.specialties else None

    @property
    def backups(self) -> tuple[SpecialtyView, ...]:
        return self.specialties[1:]

    @property
    def program_total(self) -> int:
        return len(self.entries)

    @property
    def fit_counts(self) -> list[tuple[str, str, int]]:
        by_fit = _d(self.program_counts.get("by_fit"))
        if not by_fit:
            counted: dict[str, int] = dict.fromkeys(engine.FITS, 0)
            for entry in self.entries:
                fit = _text(entry.get("fit"), "reach")
                counted[fit] = counted.get(fit, 0) + 1
            by_fit = counted
        return [(fit, FIT_WORDS.get(fit, fit), _int(by_fit.get(fit)) or 0) for fit in engine.FITS]

    @property
    def multi_specialty(self) -> bool:
        return len(self.specialty_choices) > 1

    @property
    def high_red_flags(self) -> int:
        return sum(1 for f in self.red_flags if f.get("severity") == "high")

    # --- program rows, built when first shown -------------------------------------------
    # A plan lists up to ~11,000 programs and a page shows 50: the table builds the rows of
    # its page only (filtering and sorting read columns computed from the entries); the CSV
    # builds the matching rows, each once per (cached) view.

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
        # Lives as long as the view, hence as long as the entries whose ids it holds.
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
    return value if type(value) is int else _int(value)


def _entry_column(
    entries: Sequence[dict[str, Any]], positions: Sequence[int] | None, key: str
) -> list[Any]:
    """The ``key`` value of each row ``_program_row`` would build from ``entries`` (``name``
    and ``city`` lower-cased)."""
    if key in {"fit", "j1", "h1b"}:
        default = "reach" if key == "fit" else "unknown"
        return [_text(p.get(key), default) for p in entries]
    if key in {"specialty_code", "state"}:
        return [_text(p.get(key)) for p in entries]
    if key == "search_text":
        return [
            f"{_entry_name(p)} {_text(p.get('institution'))} {_text(p.get('city'))}".lower()
            for p in entries
        ]
    if key == "name":
        return [_entry_name(p).lower() for p in entries]
    if key == "city":
        return [_text(p.get("city")).lower() for p in entries]
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
    for item in _l(items):
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
    apps = _d(data.get("applications"))
    eras_min, eras_max = _range(apps.get("eras_cost_usd"))
    bands = {k: v for k, v in _d(data.get("bands")).items() if _int(v) is not None}
    return SpecialtyView(
        code=code,
        name=str(data.get("name") or code),
        role=str(data.get("role") or default_role),
        tier=str(data.get("tier") or ""),
        projected=bool(data.get("projected")),
        reasons=_reasons(data.get("tier_reasons")),
        bands=bands,
        applications_min=_int(apps.get("min")),
        applications_max=_int(apps.get("max")),
        eras_cost_min=eras_min,
        eras_cost_max=eras_max,
        ranks=_int(data.get("ranks")),
        mix=tuple(m for m in _l(data.get("mix")) if isinstance(m, dict)),
    )


_VERIFY_SUFFIX = ": verify with the program."


def _short_verify(text: str) -> str:
    """ "J-1 sponsorship unknown: verify with the program." -> "J-1 sponsorship unknown": the
    column is already headed "Verify"."""
    if text.lower().endswith(_VERIFY_SUFFIX):
        return text[: -len(_VERIFY_SUFFIX)]
    return text.rstrip(".")


def _text(value: Any, default: str = "") -> str:
    """``str(value or default)``, interned: the short values many rows repeat (states, codes,
    cities) are then one object each in a cached view."""
    text = value if type(value) is str and value else str(value or default)
    return sys.intern(text) if type(text) is str else text


def _program_row(
    data: dict[str, Any], position: int, shared: dict[Any, Any] | None = None
) -> ProgramRow:
    """One program entry of the output. ``shared`` holds the values many rows repeat (reason
    tuples, verify texts), so a cached view of a plan with thousands of programs stays small.

    Reason and verify lists are looked up by the identity of their items first: a saved plan's
    entries share their reason dicts (see ``engine.program_lists_unpack``), so most rows cost a
    dictionary lookup there. ``shared`` must live no longer than ``data`` (ids are reused)."""
    shared = {} if shared is None else shared
    get = data.get
    name = get("name")
    name = name if type(name) is str else str(name or "")
    institution = _text(get("institution"))
    city = _text(get("city"))

    items = get("verify")
    key = ("verify-ids", tuple(map(id, items))) if type(items) is list else None
    verify = shared.get(key) if key is not None else None
    if verify is None:
        texts = tuple(
            str(v.get("text")) for v in _l(items) if isinstance(v, dict) and v.get("text")
        )
        verify = shared.get(("verify", texts))
        if verify is None:
            verify = shared.setdefault(
                ("verify", texts), tuple(_text(_short_verify(t)) for t in texts)
            )
        if key is not None:
            shared[key] = verify
    if not verify and get("verify_with_program"):
        verify = _VERIFY_ANY

    items = get("reasons")
    key = ("reasons-ids", tuple(map(id, items))) if type(items) is list else None
    reasons = shared.get(key) if key is not None else None
    if reasons is None:
        reasons = _reasons(items, shared)
        reasons = shared.setdefault(("reasons", reasons), reasons)
        if key is not None:
            shared[key] = reasons

    img_share = get("img_share")
    step2 = get("step2_typical")
    rank = get("rank")
    pid = get("id")
    return ProgramRow(
        id=pid if type(pid) is int else _int(pid),
        name=name,
        institution=institution,
        city=city,
        state=_text(get("state")),
        specialty_code=_text(get("specialty_code")),
        program_type=_text(get("program_type")),
        j1=_text(get("j1"), "unknown"),
        h1b=_text(get("h1b"), "unknown"),
        img_share=img_share if type(img_share) is int else _int(img_share),
        step2_typical=step2 if type(step2) is int else _int(step2),
        fit=_text(get("fit"), "reach"),
        rank=(rank if type(rank) is int else _int(rank)) or position,
        reasons=reasons,
        verify=verify,
        search_text=f"{name} {institution} {city}".lower(),
    )


_VERIFY_ANY = ("Verify the details with the program.",)


def build_plan_view(
    output: Mapping[str, Any], *, token: str = "", plan: Plan | None = None
) -> PlanView:
    """Parse a stored output into the page's view. Pure: reads nothing but ``output``
    (and the plan row's own columns as fallbacks)."""
    out = dict(output) if isinstance(output, Mapping) else {}
    specialties: list[SpecialtyView] = []
    primary = _specialty_view(_d(out.get("primary")), "primary")
    if primary is not None:
        specialties.append(primary)
    for backup in _l(out.get("backups")):
        view = _specialty_view(_d(backup), "backup")
        if view is not None:
            specialties.append(view)

    score = _d(out.get("score"))
    score_value = _int(score.get("value"))
    projected = bool(out.get("projected")) or score.get("kind") == "projected"
    passing = _int(score.get("passing_standard"))
    if passing is None and out.get("computed_on"):
        computed = _date(out.get("computed_on"))
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
        (f for f in _l(out.get("red_flags")) if isinstance(f, dict)),
        key=lambda f: SEVERITY_INDEX.get(str(f.get("severity")), len(SEVERITY_INDEX)),
    )
    actions = sorted(
        (a for a in _l(out.get("actions")) if isinstance(a, dict)),
        key=lambda a: IMPACT_INDEX.get(str(a.get("impact")), len(IMPACT_INDEX)),
    )
    timeline = []
    for item in _l(out.get("timeline")):
        if isinstance(item, dict):
            timeline.append(
                {
                    **item,
                    "date": _date(item.get("date")),
                    "end_date": _date(item.get("end_date")),
                    "status_word": STATUS_WORDS.get(str(item.get("status")), ""),
                }
            )
    apps = _d(out.get("applications"))
    cost_min, cost_max = _range(apps.get("estimated_cost_usd"))
    # The program rows are built when a request shows them (see PlanView.rows): here only
    # what the cached parts and the filter form need, in a few passes over the entries.
    listed = _l(out.get("programs"))
    entries = [p for p in listed if isinstance(p, dict)]
    positions = None
    if len(entries) != len(listed):
        positions = tuple(i for i, p in enumerate(listed, start=1) if isinstance(p, dict))
    excluded_counts = _d(out.get("excluded"))
    order = {code: i for i, code in enumerate(engine.EXCLUSION_REASONS)}
    excluded = tuple(
        ExcludedCount(code=str(code), label=exclusion_label(str(code)), count=_int(n) or 0)
        for code, n in sorted(excluded_counts.items(), key=lambda kv: order.get(kv[0], 99))
    )
    counts = _d(out.get("program_counts"))
    excluded_total = _int(counts.get("excluded"))
    if excluded_total is None:
        excluded_total = len(_l(out.get("excluded_programs"))) or sum(e.count for e in excluded)
    names = {s.code: s.name for s in specialties}
    codes_in_list = sorted(_distinct(entries, "specialty_code"))
    ordered_codes = [s.code for s in specialties if s.code in codes_in_list] + [
        c for c in codes_in_list if c not in names
    ]
    specialty = str(out.get("specialty") or (plan.specialty_code if plan else "") or "")
    return PlanView(
        token=token,
        engine_version=str(out.get("engine_version") or (plan.engine_version if plan else "")),
        computed_on=_date(out.get("computed_on")),
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
        budget=_d(apps.get("budget")) or None,
        ranks=_d(out.get("ranks")),
        dual_apply=_d(out.get("dual_apply")),
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
                name=_text(x.get("name")),
                specialty_code=_text(x.get("specialty_code")),
                reasons=tuple(r.text for r in _reasons(x.get("reasons"))),
                as_of=_date(x.get("as_of")),
                stale=x.get("stale") if isinstance(x.get("stale"), bool) else None,
            )
            for x in _l(out.get("excluded_programs"))[:EXCLUDED_SHOWN]
            if isinstance(x, dict)
        ),
        specialty_choices=tuple((c, names.get(c, c)) for c in ordered_codes),
        state_choices=tuple(sorted(_distinct(entries, "state"))),
        season=_d(out.get("season")),
        signals=tuple(_d(x) for x in _l(out.get("signals")) if isinstance(x, dict)),
        eligibility=_d(out.get("eligibility")),
        sources=tuple(_d(x) for x in _l(out.get("sources")) if isinstance(x, dict)),
        pgy1=_d(out.get("pgy1")),
        season_choice=_d(out.get("season_choice")),
    )


def _distinct(entries: Sequence[dict[str, Any]], key: str) -> set[str]:
    """The distinct non-empty values of ``key``, as the rows would hold them (``_text``)."""
    try:
        raw = {p.get(key) for p in entries}
    except TypeError:  # an unhashable value (a tampered snapshot)
        raw = {str(p.get(key) or "") for p in entries}
    return {text for text in (_text(v) for v in raw) if text}


def _rank_order(entries: Sequence[dict[str, Any]], positions: Sequence[int] | None) -> list[int]:
    """The indexes of ``entries`` in rank order (ties in list order), as the table's default
    order sorts their rows; the saved lists are already in rank order, checked here."""
    ranks = []
    previous = 0
    in_order = True
    for index, p in enumerate(entries):
        rank = p.get("rank")
        if type(rank) is not int or not rank:
            rank = _int(rank) or (positions[index] if positions is not None else index + 1)
        if rank < previous:
            in_order = False
        previous = rank
        ranks.append(rank)
    if in_order:
        return list(range(len(entries)))
    return sorted(range(len(entries)), key=ranks.__getitem__)


# A plan never changes after creation, so its parsed view is cached by token. The bounds keep
# a worker's memory in check (a program row costs well under a kilobyte once its repeated
# values are shared); the cost of a miss is one query and one parse.
_VIEW_CACHE_PLANS = 64
_VIEW_CACHE_ROWS = 100_000
_view_cache: OrderedDict[str, PlanView] = OrderedDict()
_view_lock = threading.Lock()


def plan_view(plan: Plan) -> PlanView:
    """The page's view of ``plan``, parsed once per process."""
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


# The what-if panel compares against the saved plan's tiers, flags and counts only; this
# summary (the output without its program lists, a few kilobytes) is cached like the view so
# that a what-if does not fetch and decode the multi-megabyte output again.
_SUMMARY_CACHE_PLANS = 256
_summary_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
_PROGRAM_LISTS = ("programs", "excluded_programs")


def plan_summary_output(plan: Plan) -> dict[str, Any]:
    """The plan's stored output without its program lists (``program_counts`` stays)."""
    key = str(plan.token)
    with _view_lock:
        cached = _summary_cache.get(key)
        if cached is not None:
            _summary_cache.move_to_end(key)
            return cached
    output = plan.output if isinstance(plan.output, dict) else {}
    # The lists live apart (PlanPrograms) and are not read; old plans hold them inline.
    summary = {k: v for k, v in output.items() if k not in _PROGRAM_LISTS}
    with _view_lock:
        _summary_cache[key] = summary
        while len(_summary_cache) > _SUMMARY_CACHE_PLANS:
            _summary_cache.popitem(last=False)
    return summary


def plan_view_cache_clear() -> None:
    with _view_lock:
        _view_cache.clear()
        _summary_cache.clear()


# --- the program table: filter, sort, paginate ------------------------------------------------

SORTS: dict[str, str] = {
    "rank": "Best match",
    "fit": "Fit",
    "name": "Program name",
    "state": "State",
    "img": "IMG share",
}
VISA_FILTERS: dict[str, str] = {
    "j1": "Sponsors J-1",
    "h1b": "Sponsors H-1B",
    "either": "Sponsors J-1 or H-1B",
    "unknown": "Visa sponsorship unknown",
}


@dataclass(frozen=True, slots=True)
class ProgramQuery:
    fit: str = ""
    specialty: str = ""
    state: str = ""
    visa: str = ""
    q: str = ""
    sort: str = "rank"
    desc: bool = False
    page: int = 1

    def params(self, **changes: Any) -> dict[str, str]:
        """The query parameters of this query with ``changes``, defaults left out."""
        values = {
            "fit": self.fit,
            "specialty": self.specialty,
            "state": self.state,
            "visa": self.visa,
            "q": self.q,
            "sort": self.sort,
            "dir": "desc" if self.desc else "",
            "page": str(self.page) if self.page > 1 else "",
        }
        for key, value in changes.items():
            if key == "desc":
                values["dir"] = "desc" if value else ""
            else:
                values[key] = "" if value is None else str(value)
        if values["sort"] == "rank":
            values["sort"] = ""
        if values["page"] in {"1", "0"}:
            values["page"] = ""
        return {k: v for k, v in values.items() if v}

    @property
    def is_filtered(self) -> bool:
        return bool(self.fit or self.specialty or self.state or self.visa or self.q)


def _filtered_indexes(view: PlanView, query: ProgramQuery) -> list[int]:
    """The indexes of the entries whose rows match ``query``'s filters, in stored order."""
    indexes: list[int] = list(range(view.program_total))
    for key, wanted in (
        ("fit", query.fit),
        ("specialty_code", query.specialty),
        ("state", query.state),
    ):
        if wanted:
            column = view.column(key)
            indexes = [i for i in indexes if column[i] == wanted]
    if query.visa in VISA_FILTERS:
        j1, h1b, visa = view.column("j1"), view.column("h1b"), query.visa
        if visa == "j1":
            indexes = [i for i in indexes if j1[i] == "yes"]
        elif visa == "h1b":
            indexes = [i for i in indexes if h1b[i] == "yes"]
        elif visa == "either":
            indexes = [i for i in indexes if j1[i] == "yes" or h1b[i] == "yes"]
        else:
            indexes = [i for i in indexes if j1[i] == "unknown" and h1b[i] == "unknown"]
    needle = query.q.strip().lower()
    if needle:
        text = view.column("search_text")
        indexes = [i for i in indexes if needle in text[i]]
    return indexes


def _sorted_indexes(view: PlanView, indexes: list[int], query: ProgramQuery) -> list[int]:
    """``indexes`` in ``query``'s order (see SORTS), ties in the recommended order. Unknown IMG
    shares go last in either direction; "img" ascending means the highest share first."""
    rank, desc = view.column("rank"), query.desc
    if query.sort == "fit":
        fit = view.column("fit")
        return sorted(indexes, key=lambda i: (FIT_INDEX.get(fit[i], 9), rank[i]), reverse=desc)
    if query.sort == "name":
        name = view.column("name")
        return sorted(indexes, key=lambda i: (name[i], rank[i]), reverse=desc)
    if query.sort == "state":
        state, city = view.column("state"), view.column("city")
        return sorted(indexes, key=lambda i: (state[i], city[i], rank[i]), reverse=desc)
    if query.sort == "img":
        img = view.column("img_share")
        known = [i for i in indexes if img[i] is not None]
        unknown = [i for i in indexes if img[i] is None]
        known.sort(key=lambda i: (img[i] if desc else -img[i], rank[i]))
        return known + sorted(unknown, key=rank.__getitem__)
    return sorted(indexes, key=rank.__getitem__, reverse=desc)


@dataclass(frozen=True)
class ProgramTable:
    query: ProgramQuery
    page: Page
    total: int  # programs in the plan
    matching: int  # programs matching the filters

    @property
    def rows(self) -> list[ProgramRow]:
        return list(self.page.object_list)


def matching_rows(view: PlanView, query: ProgramQuery) -> RankedRows:
    """The rows matching ``query``'s filters in its order, each built when first read:
    filtered and sorted by the columns the query reads, not by building every row."""
    if not query.is_filtered and query.sort == "rank" and not query.desc:
        return view.programs_by_rank
    return RankedRows(view, _sorted_indexes(view, _filtered_indexes(view, query), query))


def program_table(
    view: PlanView, query: ProgramQuery, *, per_page: int = PROGRAMS_PER_PAGE
) -> ProgramTable:
    rows = matching_rows(view, query)  # builds the rows of the page shown only
    page = Paginator(rows, per_page).get_page(query.page)
    return ProgramTable(query=query, page=page, total=view.program_total, matching=len(rows))


# --- CSV ------------------------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "fit",
    "program",
    "institution",
    "city",
    "state",
    "specialty",
    "J-1",
    "H-1B",
    "IMG share",
    "typical Step 2 CK",
    "verify",
    "reasons",
)


def program_csv_rows(rows: Iterable[ProgramRow]) -> Iterator[list[str]]:
    """The header, then one neutralised row per program."""
    yield list(CSV_COLUMNS)
    for row in rows:
        yield [
            csv_safe(cell)
            for cell in (
                row.fit,
                row.name,
                row.institution,
                row.city,
                row.state,
                row.specialty_code,
                row.j1,
                row.h1b,
                "" if row.img_share is None else f"{row.img_share}%",
                "" if row.step2_typical is None else row.step2_typical,
                "; ".join(row.verify),
                "; ".join(r.text for r in row.reasons),
            )
        ]


# --- comparing two plans ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TierChange:
    code: str
    name: str
    before: str  # "" when the specialty was not in the older plan
    after: str  # "" when it is not in the newer plan
    change: str  # better | worse | same | added | removed

    @property
    def before_word(self) -> str:
        return tier_word(self.before) if self.before else "not in plan"

    @property
    def after_word(self) -> str:
        return tier_word(self.after) if self.after else "not in plan"


@dataclass(frozen=True, slots=True)
class CountChange:
    label: str
    before: tuple[int | None, int | None]
    after: tuple[int | None, int | None]

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def delta(self) -> tuple[int | None, int | None]:
        return (
            _sub(self.after[0], self.before[0]),
            _sub(self.after[1], self.before[1]),
        )


def _sub(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True, slots=True)
class ProgramRef:
    id: int
    name: str
    specialty_code: str
    fit: str
    state: str


@dataclass(frozen=True, slots=True)
class FitChange:
    program: ProgramRef
    before: str
    after: str


@dataclass(frozen=True)
class PlanComparison:
    tiers: tuple[TierChange, ...]
    score_before: dict[str, Any]
    score_after: dict[str, Any]
    applications: tuple[CountChange, ...]
    cost: CountChange
    flags_added: tuple[dict[str, Any], ...]
    flags_removed: tuple[dict[str, Any], ...]
    flags_kept: tuple[dict[str, Any], ...]
    programs_added: tuple[ProgramRef, ...]
    programs_removed: tuple[ProgramRef, ...]
    fit_changes: tuple[FitChange, ...]
    programs_before: int
    programs_after: int
    dual_before: bool
    dual_after: bool
    engine_before: str
    engine_after: str

    @property
    def tier_changed(self) -> bool:
        return any(t.change != "same" for t in self.tiers)


def _specialties_of(output: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in [_d(output.get("primary")), *map(_d, _l(output.get("backups")))]:
        code = item.get("specialty")
        if isinstance(code, str):
            out[code] = item
    if not out and isinstance(output.get("specialty"), str):
        out[output["specialty"]] = {"specialty": output["specialty"], "tier": output.get("tier")}
    return out


def _programs_of(output: Mapping[str, Any]) -> dict[int, ProgramRef]:
    out: dict[int, ProgramRef] = {}
    for p in _l(output.get("programs")):
        if not isinstance(p, dict):
            continue
        pid = _int(p.get("id"))
        if pid is None:
            continue
        out[pid] = ProgramRef(
            id=pid,
            name=str(p.get("name") or f"Program {pid}"),
            specialty_code=str(p.get("specialty_code") or ""),
            fit=str(p.get("fit") or ""),
            state=str(p.get("state") or ""),
        )
    return out


def _flags_of(output: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(f.get("code")): f
        for f in _l(output.get("red_flags"))
        if isinstance(f, dict) and f.get("code")
    }


def plan_compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> PlanComparison:
    """What changed from the ``before`` plan's output to the ``after`` plan's output: tier per
    specialty, application counts, cost, red flags (by code) and programs (by program id)."""
    # A stored output that is no JSON object (tampered, or an old format) compares as empty.
    before, after = _d(before), _d(after)
    sb, sa = _specialties_of(before), _specialties_of(after)
    tiers: list[TierChange] = []
    for code in [*sa, *(c for c in sb if c not in sa)]:
        old, new = sb.get(code), sa.get(code)
        name = str((new or old or {}).get("name") or code)
        old_tier = str(old.get("tier") or "") if old else ""
        new_tier = str(new.get("tier") or "") if new else ""
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        elif TIER_INDEX.get(new_tier, 9) < TIER_INDEX.get(old_tier, 9):
            change = "better"
        elif TIER_INDEX.get(new_tier, 9) > TIER_INDEX.get(old_tier, 9):
            change = "worse"
        else:
            change = "same"
        tiers.append(TierChange(code, name, old_tier, new_tier, change))

    counts: list[CountChange] = []
    for code in [*sa, *(c for c in sb if c not in sa)]:
        old_apps = _d((sb.get(code) or {}).get("applications"))
        new_apps = _d((sa.get(code) or {}).get("applications"))
        counts.append(
            CountChange(
                f"{code} applications",
                (_int(old_apps.get("min")), _int(old_apps.get("max"))),
                (_int(new_apps.get("min")), _int(new_apps.get("max"))),
            )
        )
    apps_b, apps_a = _d(before.get("applications")), _d(after.get("applications"))
    counts.append(
        CountChange("All applications", _range(apps_b.get("total")), _range(apps_a.get("total")))
    )
    cost = CountChange(
        "Estimated cost (USD)",
        _range(apps_b.get("estimated_cost_usd")),
        _range(apps_a.get("estimated_cost_usd")),
    )

    fb, fa = _flags_of(before), _flags_of(after)
    pb, pa = _programs_of(before), _programs_of(after)
    fit_changes = tuple(
        FitChange(pa[pid], pb[pid].fit, pa[pid].fit)
        for pid in pa
        if pid in pb and pb[pid].fit != pa[pid].fit
    )
    return PlanComparison(
        tiers=tuple(tiers),
        score_before=_d(before.get("score")),
        score_after=_d(after.get("score")),
        applications=tuple(counts),
        cost=cost,
        flags_added=tuple(f for code, f in fa.items() if code not in fb),
        flags_removed=tuple(f for code, f in fb.items() if code not in fa),
        flags_kept=tuple(f for code, f in fa.items() if code in fb),
        programs_added=tuple(p for pid, p in pa.items() if pid not in pb),
        programs_removed=tuple(p for pid, p in pb.items() if pid not in pa),
        fit_changes=fit_changes,
        programs_before=len(pb),
        programs_after=len(pa),
        dual_before=bool(_d(before.get("dual_apply")).get("recommended")),
        dual_after=bool(_d(after.get("dual_apply")).get("recommended")),
        engine_before=str(before.get("engine_version") or ""),
        engine_after=str(after.get("engine_version") or ""),
    )


# --- small queries the pages need -------------------------------------------------------------


# Both answers below change only when an admin edits the catalog or the rules, and a stale
# answer is harmless for a few minutes (a link to a just-deleted program, a new specialty
# missing from the what-if choices), so they are cached briefly instead of queried per view.
CATALOG_CHECK_SECONDS = 120
SPECIALTY_CHOICES_SECONDS = 300


def programs_in_catalog(ids: Iterable[int | None]) -> set[int]:
    """Which of these program ids still exist, to link only to live records (one query,
    cached for a short while per set of ids)."""
    from programs.models import Program

    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return set()
    digest = hashlib.sha256(",".join(map(str, wanted)).encode()).hexdigest()[:32]
    key = f"plans:in-catalog:{digest}"
    found = cache.get(key)
    if found is None:
        found = list(Program.objects.filter(pk__in=wanted).order_by().values_list("pk", flat=True))
        cache.set(key, found, CATALOG_CHECK_SECONDS)
    return set(found)


def whatif_specialty_choices() -> list[tuple[str, str]]:
    """Specialties the engine has rules for, for the what-if panel (cached briefly)."""
    from assessments.models import SpecialtyRule

    choices = cache.get("plans:whatif-specialties")
    if choices is None:
        rows = SpecialtyRule.objects.order_by("specialty__code").values_list(
            "specialty__code", "specialty__name"
        )
        choices = [(code, f"{name} ({code})") for code, name in rows]
        cache.set("plans:whatif-specialties", choices, SPECIALTY_CHOICES_SECONDS)
    return choices


def sort_links(query: ProgramQuery) -> dict[str, dict[str, Any]]:
    """For each sortable column: the query string that sorts by it (toggling the direction
    when it is the current sort) and its aria-sort state."""
    from urllib.parse import urlencode

    links: dict[str, dict[str, Any]] = {}
    for key in SORTS:
        active = query.sort == key
        desc = (not query.desc) if active else False
        state = None
        if active:
            ascending_word = "descending" if key == "img" else "ascending"
            descending_word = "ascending" if key == "img" else "descending"
            state = descending_word if query.desc else ascending_word
        links[key] = {
            "url": "?" + urlencode(query.params(sort=key, desc=desc, page=1)),
            "active": active,
            "aria_sort": state,
        }
    return links


# --- the history: what each plan was made from, and what changed since the one before -------

# Answers shown in the history's "what changed" column, by their path in the profile.
_CHANGE_LABELS: dict[str, str] = {
    "specialty": "Specialty",
    "backup_specialties": "Backups",
    "step2ck.score": "Step 2 CK score",
    "step2ck.practice_scores": "Practice scores",
    "step2ck.attempts": "Step 2 CK attempts",
    "step2ck.test_date": "Step 2 CK date",
    "step2ck.planned_date": "Planned Step 2 CK date",
    "step1.result": "Step 1",
    "step1.attempts": "Step 1 attempts",
    "step1.score": "Step 1 score",
    "step3.result": "Step 3",
    "visa": "Visa",
    "graduation_year": "Graduation year",
    "application_year": "Application year",
    "ecfmg_certified": "ECFMG certified",
    "oet_passed": "OET",
    "usce_months": "US clinical months",
    "usce_in_specialty_months": "US months in the specialty",
    "us_letters": "US letters",
    "sloes": "SLOEs",
    "publications": "Publications",
    "presentations": "Presentations",
    "specialty_experience_years": "Years in the specialty",
    "preferred_states": "Preferred states",
    "program_types": "Program types",
    "budget_usd": "Budget",
}


def _flat(profile: Any, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    if not isinstance(profile, dict):
        return flat
    for key, value in profile.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _answer_word(value: Any) -> str:
    if value in (None, "", [], ()):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def profile_changes(before: Any, after: Any) -> list[str]:
    """The answers that differ between two plans' profiles, in words ("Step 2 CK score 240 →
    246"), in the order of ``_CHANGE_LABELS`` (other paths after them)."""
    old, new = _flat(before), _flat(after)
    paths = [p for p in _CHANGE_LABELS if p in old or p in new]
    paths += sorted((set(old) | set(new)) - set(_CHANGE_LABELS))
    changes = []
    for path in paths:
        a, b = old.get(path), new.get(path)
        if _answer_word(a) == _answer_word(b):
            continue
        label = _CHANGE_LABELS.get(path, path.replace(".", " ").replace("_", " ").capitalize())
        changes.append(f"{label} {_answer_word(a)} → {_answer_word(b)}")
    return changes


@dataclass(frozen=True)
class HistoryRow:
    plan: Plan
    step2ck: str  # the score, or the latest practice score marked as such
    changes: list[str]  # empty: the same answers as the plan before
    first: bool  # no older plan to compare with


def _score_word(profile: Any) -> str:
    step2 = profile.get("step2ck") if isinstance(profile, dict) else None
    if not isinstance(step2, dict):
        return "—"
    if step2.get("score"):
        return str(step2["score"])
    practice = step2.get("practice_scores") or []
    return f"{practice[0]} (practice)" if practice else "not taken"


def history_rows(plans_page: Page) -> list[HistoryRow]:
    """The history page's rows: each plan of the page with its Step 2 CK answer and what
    changed since the plan made before it. One query reads the answers of the page's plans
    and of the one plan before the page's last (the list itself leaves the answers out)."""
    page_plans = list(plans_page.object_list)
    if not page_plans:
        return []
    start = plans_page.start_index() - 1
    queryset = plans_page.paginator.object_list
    profiles = list(queryset[start : start + len(page_plans) + 1].values_list("profile", flat=True))
    rows = []
    for index, plan in enumerate(page_plans):
        profile = profiles[index] if index < len(profiles) else {}
        before = profiles[index + 1] if index + 1 < len(profiles) else None
        rows.append(
            HistoryRow(
                plan=plan,
                step2ck=_score_word(profile),
                changes=profile_changes(before, profile) if before is not None else [],
                first=before is None,
            )
        )
    return rows


def plan_with_same_answers(
    *, user: Any, session_tokens: Iterable[str], profile_data: Mapping[str, Any]
) -> Plan | None:
    """The viewer's latest plan made from exactly these answers, if it is among their recent
    ones (then a new plan would repeat it)."""
    wanted = json.loads(json.dumps(profile_data, cls=DjangoJSONEncoder))
    if getattr(user, "is_authenticated", False):
        recent = Plan.objects.filter(owner=user)
    else:
        tokens = list(session_tokens)
        if not tokens:
            return None
        recent = Plan.objects.filter(owner__isnull=True, token__in=tokens)
    for plan in recent.order_by("-created_at", "-id").only("token", "created_at", "profile")[:20]:
        if plan.profile == wanted:
            return plan
    return None
