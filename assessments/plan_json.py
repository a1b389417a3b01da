"""A plan as JSON, and the compact form of its program lists.

:func:`plan_to_dict` gives the JSON of an :class:`~assessments.engine.PlanResult` documented in
docs/assess.md and docs/plan.schema.json. :func:`program_lists_pack` and
:func:`program_lists_unpack` store a plan's program lists compactly (``PlanPrograms.data``):
each program's facts once per catalog version (:func:`facts_block`), the plan's own part
(:func:`program_lists_own`) beside them. Built on the engine's dataclasses; the engine itself
never imports this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assessments.engine.constants import FITS
from assessments.engine.inputs import ProgramFacts
from assessments.engine.outputs import (
    Catalog,
    MixItem,
    PlanResult,
    ProgramEntry,
    Reason,
    SpecialtyPlan,
    TierStep,
    _iso,
    _reason,
)

# --- JSON ------------------------------------------------------------------------------------


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
                "estimated": m.estimated,
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
        return unpack(packed)
    except (IndexError, KeyError, TypeError, ValueError):  # damaged: shown as no programs
        return [], []
