"""Reads that build the engine's inputs from the database.

They return the engine's frozen dataclasses, not model instances: ``program_facts_for`` reads
plain tuples with ``values_list`` so 50,000 programs load quickly and the engine stays pure, and
keeps them per worker process for as long as the catalog does not change.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import zlib
from collections import defaultdict
from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from assessments import engine
from assessments.engine import FeeSchedule, ProgramFacts, SpecialtyRules
from assessments.models import DualPartner, Plan, PlanPrograms, SpecialtyRule
from assessments.models import FeeSchedule as FeeScheduleModel
from assessments.rules import DEFAULT_FEES
from programs.models import Program
from programs.selectors import catalog_version

_RULE_FIELDS = [
    f.name
    for f in dataclasses.fields(SpecialtyRules)
    if f.name not in {"code", "name", "track", "dual_partners"}
]
_FEE_FIELDS = [f.name for f in dataclasses.fields(FeeSchedule)]
_PROGRAM_COLUMNS = (
    "id",
    "name",
    "institution",
    "city",
    "state",
    "specialty__code",
    "program_type",
    "j1",
    "h1b",
    "img_share",
    "step2_min",
    "step2_typical",
    "max_yog",
    "accepts_failures",
    "requires_usce",
    "last_verified",
    "acgme_id",
    "positions",
    "website",
    "source",
)


def rules_by_code() -> dict[str, SpecialtyRules]:
    """Every specialty's rule parameters, keyed by specialty code (two queries)."""
    partners: dict[int, list[str]] = defaultdict(list)
    for rule_id, code in DualPartner.objects.order_by("rule_id", "position", "id").values_list(
        "rule_id", "specialty__code"
    ):
        partners[rule_id].append(code)
    out: dict[str, SpecialtyRules] = {}
    rows = SpecialtyRule.objects.values(
        "id", "specialty__code", "specialty__name", "specialty__track", *_RULE_FIELDS
    )
    for row in rows:
        values: dict[str, Any] = {name: row[name] for name in _RULE_FIELDS}
        for key in ("matched_ranks_median", "unmatched_ranks_median"):
            if values[key] is not None:
                values[key] = float(values[key])
        code = row["specialty__code"]
        out[code] = SpecialtyRules(
            code=code,
            name=row["specialty__name"],
            track=row["specialty__track"],
            dual_partners=tuple(partners[row["id"]]),
            **values,
        )
    return out


def active_fee_schedule() -> FeeSchedule:
    """The active fee schedule; the built-in 2026 defaults if an admin deactivated them all."""
    row = FeeScheduleModel.objects.filter(active=True).values(*_FEE_FIELDS).first()
    if row is None:
        return DEFAULT_FEES
    return FeeSchedule(**row)


# Program facts per specialty code, for one catalog version. Generating a plan reads every
# program of three or four specialties (up to ~11,000 rows at 50,000 programs, ~0.1 s to load);
# the catalog changes only when an admin edits it, and catalog_version() (one small query)
# changes with every save, bulk insert and deletion, so the facts are kept per worker process
# and dropped as soon as the version moves. The bound keeps a worker's memory in check
# (a cached program costs about 0.5 KB); least recently used specialties go first.
PROGRAM_FACTS_CACHE_PROGRAMS = 60_000
_facts_lock = threading.Lock()
_facts_version: str | None = None
_facts_by_code: dict[str, tuple[ProgramFacts, ...]] = {}


def program_facts_cache_clear() -> None:
    global _facts_version
    with _facts_lock:
        _facts_version = None
        _facts_by_code.clear()


def _load_program_facts(codes: list[str]) -> dict[str, tuple[ProgramFacts, ...]]:
    rows = (
        Program.objects.filter(specialty__code__in=codes)
        .order_by("id")
        .values_list(*_PROGRAM_COLUMNS)
    )
    # Institutions, cities and sources repeat across thousands of programs: one string each.
    shared: dict[str, str] = {}
    found: dict[str, list[ProgramFacts]] = {code: [] for code in codes}
    for row in rows:
        facts = ProgramFacts(
            row[0],
            row[1],
            shared.setdefault(row[2], row[2]),
            shared.setdefault(row[3], row[3]),
            *row[4:18],
            shared.setdefault(row[18], row[18]),
            shared.setdefault(row[19], row[19]),
        )
        found[facts.specialty_code].append(facts)
    return {code: tuple(items) for code, items in found.items()}


def program_facts_for(codes: Iterable[str]) -> list[ProgramFacts]:
    """Facts of every program of the given specialties, as plain dataclasses, by id.

    One query for the catalog version, and one more for the specialties not cached yet for
    that version. The facts are shared, immutable objects; the list is the caller's own.
    """
    global _facts_version
    wanted = sorted(set(codes))
    version = catalog_version()
    with _facts_lock:
        if version != _facts_version:
            _facts_by_code.clear()
            _facts_version = version
        cached = {code: _facts_by_code[code] for code in wanted if code in _facts_by_code}
    missing = [code for code in wanted if code not in cached]
    if missing:
        cached.update(_load_program_facts(missing))
    with _facts_lock:
        if _facts_version == version:
            for code in wanted:  # (re)inserted last: the most recently used
                _facts_by_code.pop(code, None)
                _facts_by_code[code] = cached[code]
            total = sum(len(items) for items in _facts_by_code.values())
            while total > PROGRAM_FACTS_CACHE_PROGRAMS and len(_facts_by_code) > 1:
                total -= len(_facts_by_code.pop(next(iter(_facts_by_code))))
    if len(wanted) == 1:
        return list(cached[wanted[0]])
    # Each specialty's facts are sorted by id, so this sort only merges sorted runs.
    return sorted((f for code in wanted for f in cached[code]), key=attrgetter("id"))


# --- saved program lists --------------------------------------------------------------------


def program_lists_encode(packed: dict[str, Any]) -> bytes:
    """``engine.program_lists_pack``'s dict as stored in ``PlanPrograms.data``. Compressed
    here rather than by PostgreSQL: sending and storing ~1 MB of JSON costs more database time
    than zlib's fastest level costs the worker, and the value never needs querying in SQL."""
    text = json.dumps(packed, separators=(",", ":"), ensure_ascii=False)
    return zlib.compress(text.encode(), 1)


def program_lists_decode(data: bytes | memoryview | None) -> Any:
    """The packed dict back (None when ``data`` is missing or damaged)."""
    if data is None:
        return None
    try:
        return json.loads(zlib.decompress(bytes(data)))
    except (zlib.error, ValueError):
        return None


def plan_program_lists(plan: Plan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(programs, excluded_programs)`` of a plan whose lists are stored apart (one query,
    none when the plan was read with ``select_related``/``prefetch_related("program_lists")``);
    two empty lists when it has none."""
    try:
        data = plan.program_lists.data
    except PlanPrograms.DoesNotExist:
        return [], []
    return engine.program_lists_unpack(program_lists_decode(data))


def plan_full_output(plan: Plan) -> dict[str, Any]:
    """The plan's whole output, program lists included, as ``engine.plan_to_dict`` gave it.

    Plans store the lists apart (``PlanPrograms``); plans saved before that hold them inside
    ``Plan.output`` and are returned as they are. One query at most: when ``output`` was
    deferred, it is read together with the lists."""
    data: Any = None
    if "output" in plan.get_deferred_fields():
        row = Plan.objects.filter(pk=plan.pk).values_list("output", "program_lists__data").first()
        if row is None:
            return {}
        plan.output, data = row  # as a refresh of the deferred field would have
        fetched = True
    else:
        fetched = False
    output = plan.output
    if not isinstance(output, dict):
        return {}
    if "programs" in output or "excluded_programs" in output:
        return output
    if fetched:
        programs, excluded = engine.program_lists_unpack(program_lists_decode(data))
    else:
        programs, excluded = plan_program_lists(plan)
    return plan_output_with_lists(output, programs, excluded)


def plan_output_with_lists(
    summary: dict[str, Any], programs: list[dict[str, Any]], excluded: list[dict[str, Any]]
) -> dict[str, Any]:
    """The stored summary with its program lists back in their places (docs/assess.md)."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        out[key] = value
        if key == "actions":
            out["programs"] = programs
        elif key == "excluded":
            out["excluded_programs"] = excluded
    out.setdefault("programs", programs)
    out.setdefault("excluded_programs", excluded)
    return out


def rules_to_dict(rules: SpecialtyRules) -> dict[str, Any]:
    data = dataclasses.asdict(rules)
    data["dual_partners"] = list(rules.dual_partners)
    return data


def fees_to_dict(fees: FeeSchedule) -> dict[str, Any]:
    return dataclasses.asdict(fees)


def methodology_data() -> dict[str, Any]:
    """Everything the methodology page shows: every rule with its source, the fee schedule,
    the passing standards and the engine's own thresholds."""
    rules = rules_by_code()
    return {
        "engine_version": engine.ENGINE_VERSION,
        "rules": [rules_to_dict(rules[code]) for code in sorted(rules)],
        "fees": fees_to_dict(active_fee_schedule()),
        "passing_standards": [
            {"since": since.isoformat(), "score": score, "source": engine.SRC_USMLE}
            for since, score in engine.PASSING_STANDARDS
        ],
        "thresholds": engine.thresholds(),
    }
