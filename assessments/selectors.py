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

from assessments import engine, plan_json
from assessments.engine import Fees, ProgramFacts, SpecialtyRules
from assessments.models import (
    DualPartner,
    FeeSchedule,
    NrmpSeason,
    Plan,
    PlanPrograms,
    PlatformFeeSchedule,
    SeasonDate,
    SeasonEvent,
    Source,
    SpecialtyRule,
    SpecialtySeason,
)
from assessments.rules import DEFAULT_FEES
from programs.models import Program
from programs.selectors import catalog_version

_RULE_FIELDS = [
    f.name
    for f in dataclasses.fields(SpecialtyRules)
    if f.name not in {"code", "name", "track", "dual_partners"}
]
_FEE_FIELDS = [f.name for f in dataclasses.fields(Fees)]
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
    "track",
    "accepting_applications",
    "accepting_season",
    "application_platform",
    "affiliation",
    "first_accredited",
    "total_positions",
    "do_share",
    "usmd_share",
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


def _source_ref(row: Source | None) -> engine.SourceRef | None:
    if row is None:
        return None
    return engine.SourceRef(
        row.key,
        row.title,
        row.publisher,
        row.season,
        row.url,
        row.checked_on,
        row.confirmed,
        row.note,
    )


def season_facts() -> dict[int, engine.SeasonFacts]:
    """Every season's facts from the season tables (five small queries), keyed by season.
    A season needs an NRMP row; platforms missing from a season are taken from the latest
    earlier season that has them."""
    sources = {s.id: s for s in Source.objects.all()}
    refs = {sid: _source_ref(s) for sid, s in sources.items()}
    by_key = {s.key: refs[sid] for sid, s in sources.items()}
    platforms: dict[int, dict[str, engine.PlatformFees]] = defaultdict(dict)
    key_dates: dict[int, dict[str, engine.KeyDate]] = defaultdict(dict)
    for season, event, date, source_id, note in SeasonDate.objects.values_list(
        "season", "event", "date", "source_id", "note"
    ):
        key_dates[season][event] = engine.KeyDate(season, event, date, refs.get(source_id), note)
    every_date = {season: dict(events) for season, events in key_dates.items()}
    for row in PlatformFeeSchedule.objects.order_by("season"):
        platforms[row.season][row.platform] = engine.PlatformFees(
            platform=row.platform,
            season=row.season,
            confirmed_season=row.confirmed_season,
            base_fee=row.base_fee,
            base_programs=row.base_programs,
            mid_fee=row.mid_fee,
            mid_until=row.mid_until,
            after_fee=row.after_fee,
            transcript_fee=row.transcript_fee,
            token_fee=row.token_fee,
            transcript_confirmed_season=row.transcript_confirmed_season,
            token_confirmed_season=row.token_confirmed_season,
            source=refs.get(row.source_id),
            transcript_source=refs.get(row.transcript_source_id),
            token_source=refs.get(row.token_source_id),
        )
    specialty_platform: dict[int, dict[str, str]] = defaultdict(dict)
    signals: dict[int, dict[str, engine.SignalRule]] = defaultdict(dict)
    for row in SpecialtySeason.objects.select_related("specialty"):
        code = row.specialty.code
        specialty_platform[row.season][code] = row.platform
        kinds = tuple(
            (label or "signal", n)
            for label, n in (
                (row.signals_first_label, row.signals_first),
                (row.signals_second_label, row.signals_second),
            )
            if n
        )
        if kinds:
            signals[row.season][code] = engine.SignalRule(
                code,
                row.season,
                row.signals_confirmed_season,
                kinds,
                row.signal_rule,
                refs.get(row.source_id),
            )
    out: dict[int, engine.SeasonFacts] = {}
    known: dict[str, engine.PlatformFees] = {}
    for n in NrmpSeason.objects.order_by("season"):
        known.update(platforms.get(n.season, {}))
        if engine.PLATFORM_ERAS not in known:
            continue
        out[n.season] = engine.SeasonFacts(
            season=n.season,
            platforms=dict(known),
            specialty_platform=specialty_platform.get(n.season, {}),
            signals=signals.get(n.season, {}),
            nrmp=engine.NrmpFees(
                season=n.season,
                confirmed_season=n.confirmed_season,
                registration_fee=n.registration_fee,
                included_ranks=n.included_ranks,
                extra_rank_fee=n.extra_rank_fee,
                late_fee=n.late_fee,
                standard_deadline_month_day=(n.standard_deadline.month, n.standard_deadline.day),
                source=refs.get(n.source_id),
            ),
            sources=by_key,
            key_dates=every_date,
        )
    return out


def active_fee_schedule() -> Fees:
    """The active fee schedule; the built-in 2026 defaults if an admin deactivated them all."""
    row = FeeSchedule.objects.filter(active=True).values(*_FEE_FIELDS).first()
    if row is None:
        return DEFAULT_FEES
    return Fees(**row)


# Program facts per specialty code, for one catalog version. Generating a plan reads every
# program of three or four specialties (up to ~11,000 rows at 50,000 programs, ~0.1 s to load);
# the catalog changes only when an admin edits it, and catalog_version() (one small query)
# changes with every save, bulk insert and deletion, so the facts are kept per worker process
# and dropped as soon as the version moves. The bound keeps a worker's memory in check
# (a cached program costs about 0.5 KB); least recently used specialties go first.
# Still per process (not the shared cache) because the PlanPrograms codec below reuses a
# specialty's compressed block by the identity of this cached tuple; it goes with the
# "plans reference the catalog" redesign (issue 10), which removes that codec.
PROGRAM_FACTS_CACHE_PROGRAMS = 60_000
_facts_lock = threading.Lock()
_facts_version: str | None = None
_facts_by_code: dict[str, tuple[ProgramFacts, ...]] = {}


# Derived from a specialty's cached facts, and kept only while that very tuple is cached: its
# name order (engine.name_ranks) and its compressed facts block (program_lists_encode, below).
_ranks_by_code: dict[str, tuple[tuple[ProgramFacts, ...], dict[int, int]]] = {}
_blocks_by_code: dict[str, tuple[tuple[ProgramFacts, ...], bytes]] = {}


def program_facts_cache_clear() -> None:
    global _facts_version
    with _facts_lock:
        _facts_version = None
        _facts_by_code.clear()
        _ranks_by_code.clear()
        _blocks_by_code.clear()


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
            *row[20:],
        )
        found[facts.specialty_code].append(facts)
    return {code: tuple(items) for code, items in found.items()}


def program_facts_by_code(codes: Iterable[str]) -> dict[str, tuple[ProgramFacts, ...]]:
    """Facts of every program of the given specialties, per specialty code, by id.

    One query for the catalog version, and one more for the specialties not cached yet for
    that version. The tuples and facts are shared, immutable objects.
    """
    global _facts_version
    wanted = sorted(set(codes))
    version = catalog_version()
    with _facts_lock:
        if version != _facts_version:
            _facts_by_code.clear()
            _ranks_by_code.clear()
            _blocks_by_code.clear()
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
                code = next(iter(_facts_by_code))
                total -= len(_facts_by_code.pop(code))
                _ranks_by_code.pop(code, None)
                _blocks_by_code.pop(code, None)
    return {code: cached[code] for code in wanted}


def program_name_ranks(
    facts_by_code: dict[str, tuple[ProgramFacts, ...]],
) -> dict[str, dict[int, int]]:
    """``engine.assess``'s ``name_ranks`` for ``program_facts_by_code``'s facts, computed once
    per cached tuple."""
    out = {}
    for code, facts in facts_by_code.items():
        with _facts_lock:
            hit = _ranks_by_code.get(code)
        if hit is not None and hit[0] is facts:
            out[code] = hit[1]
            continue
        out[code] = ranks = engine.name_ranks(facts)
        with _facts_lock:
            if _facts_by_code.get(code) is facts:
                _ranks_by_code[code] = (facts, ranks)
    return out


def program_facts_merged(by_code: dict[str, tuple[ProgramFacts, ...]]) -> list[ProgramFacts]:
    """``program_facts_by_code``'s facts in one list, by id (the list is the caller's own)."""
    if len(by_code) == 1:
        return list(next(iter(by_code.values())))
    # Each specialty's facts are sorted by id, so this sort only merges sorted runs.
    return sorted((f for items in by_code.values() for f in items), key=attrgetter("id"))


def program_facts_for(codes: Iterable[str]) -> list[ProgramFacts]:
    """Facts of every program of the given specialties, as plain dataclasses, by id (see
    ``program_facts_by_code``). The facts are shared, immutable objects; the list is the
    caller's own."""
    return program_facts_merged(program_facts_by_code(codes))


# --- saved program lists --------------------------------------------------------------------
# PlanPrograms.data is the packed JSON (plan_json.program_lists_pack) compressed here rather than
# by PostgreSQL: sending and storing ~1 MB of JSON costs more database time than zlib costs
# the worker, and the value never needs querying in SQL. The text is compressed in pieces as
# raw deflate, each piece ending on a byte boundary (Z_SYNC_FLUSH) and starting with an empty
# window, so the pieces simply concatenate into one valid deflate stream: the facts block of a
# specialty, the same in every plan made from one catalog version, is compressed once and its
# bytes reused (_blocks_by_code), and each plan compresses only its own part (~5 % of the text).
# Plans saved before hold one zlib stream (format 1 inside); both are read.

_DEFLATE_MAGIC = b"MPD\x02"  # never the start of a zlib stream (0x78 ..)
_DEFLATE_END = b"\x03\x00"  # an empty, final, fixed-Huffman block
_OWN_LEVEL = 1  # a plan's own part: compressed on every plan
_BLOCK_LEVEL = 6  # a specialty's facts: compressed once per catalog version


def _deflate(text: str, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _facts_block_bytes(code: str, facts: tuple[ProgramFacts, ...]) -> bytes:
    """A specialty's facts block, compressed; kept while ``facts`` is the cached tuple."""
    with _facts_lock:
        hit = _blocks_by_code.get(code)
    if hit is not None and hit[0] is facts:
        return hit[1]
    data = _deflate(_json(plan_json.facts_block(facts)), _BLOCK_LEVEL)
    with _facts_lock:
        if _facts_by_code.get(code) is facts:
            _blocks_by_code[code] = (facts, data)
    return data


def program_lists_encode(packed: dict[str, Any]) -> bytes:
    """``plan_json.program_lists_pack``'s dict as stored in ``PlanPrograms.data``."""
    return _DEFLATE_MAGIC + _deflate(_json(packed), _OWN_LEVEL) + _DEFLATE_END


def plan_program_lists_data(
    result: engine.PlanResult, facts_by_code: dict[str, tuple[ProgramFacts, ...]]
) -> bytes:
    """The plan's program lists as stored in ``PlanPrograms.data``: a block with the facts of
    every program of each of its specialties (``facts_by_code`` must hold the very tuples the
    plan was computed from, as ``program_facts_by_code`` gave them), and the plan's own part.
    """
    codes = [result.primary.code, *(plan.code for plan in result.backups)]
    if any(code not in facts_by_code for code in codes):
        return program_lists_encode(plan_json.program_lists_pack(result))
    own = _json(plan_json.program_lists_own(result, excluded_facts=True))
    pieces = [
        _DEFLATE_MAGIC,
        _deflate(f'{{"format":{plan_json.PACKED_PROGRAMS_FORMAT},"blocks":[', 1),
    ]
    for index, code in enumerate(codes):
        if index:
            pieces.append(_deflate(",", 1))
        pieces.append(_facts_block_bytes(code, facts_by_code[code]))
    pieces.append(_deflate("]," + own[1:], _OWN_LEVEL))
    pieces.append(_DEFLATE_END)
    return b"".join(pieces)


def program_lists_decode(data: bytes | memoryview | None) -> Any:
    """The packed dict back (None when ``data`` is missing or damaged)."""
    if data is None:
        return None
    data = bytes(data)
    try:
        if data.startswith(_DEFLATE_MAGIC):
            return json.loads(zlib.decompress(data[len(_DEFLATE_MAGIC) :], -15))
        return json.loads(zlib.decompress(data))
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
    return plan_json.program_lists_unpack(program_lists_decode(data))


def plan_full_output(plan: Plan) -> dict[str, Any]:
    """The plan's whole output, program lists included, as ``plan_json.plan_to_dict`` gave it.

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
        programs, excluded = plan_json.program_lists_unpack(program_lists_decode(data))
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


def fees_to_dict(fees: Fees) -> dict[str, Any]:
    return dataclasses.asdict(fees)


def methodology_data() -> dict[str, Any]:
    """Everything the methodology page shows: every rule with its source, the fee schedule,
    the passing standards and the engine's own thresholds."""
    rules = rules_by_code()
    return {
        "engine_version": engine.ENGINE_VERSION,
        "rules": [rules_to_dict(rules[code]) for code in sorted(rules)],
        "fees": fees_to_dict(active_fee_schedule()),
        "seasons": _seasons_for_page(),
        "passing_standards": [
            {"since": since.isoformat(), "score": score, "source": engine.SRC_USMLE}
            for since, score in engine.PASSING_STANDARDS
        ],
        "thresholds": engine.thresholds(),
    }


def _seasons_for_page() -> dict[str, Any]:
    """The season facts with their sources, as plain data (the page's cache key is a digest
    of it, so any admin edit shows at once)."""

    def src(prefix: str) -> list[str]:
        return [f"{prefix}__{name}" for name in ("title", "publisher", "season", "url")] + [
            f"{prefix}__checked_on",
            f"{prefix}__confirmed",
        ]

    return {
        "platform_fees": list(
            PlatformFeeSchedule.objects.order_by("-season", "platform").values(
                "platform",
                "season",
                "confirmed_season",
                "base_fee",
                "base_programs",
                "mid_fee",
                "mid_until",
                "after_fee",
                "transcript_fee",
                "token_fee",
                *src("source"),
            )
        ),
        "specialties": list(
            SpecialtySeason.objects.order_by("-season", "specialty__code").values(
                "specialty__code",
                "specialty__name",
                "season",
                "platform",
                "signals_first",
                "signals_first_label",
                "signals_second",
                "signals_second_label",
                "signal_rule",
                "signals_confirmed_season",
                *src("source"),
            )
        ),
        "key_dates": [
            {**row, "label": SeasonEvent(row["event"]).label}
            for row in SeasonDate.objects.order_by("-season", "date", "event").values(
                "season", "event", "date", "note", *src("source")
            )
        ],
        "nrmp": list(
            NrmpSeason.objects.order_by("-season").values(
                "season",
                "confirmed_season",
                "registration_fee",
                "included_ranks",
                "extra_rank_fee",
                "late_fee",
                "standard_deadline",
                *src("source"),
            )
        ),
        "sources": list(
            Source.objects.order_by("publisher", "title").values(
                "key", "title", "publisher", "season", "url", "checked_on", "confirmed", "note"
            )
        ),
    }
