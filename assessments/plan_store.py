"""Saved plans' program lists: the catalog's facts once, each plan's own entries apart.

A saved plan must show later what it showed on the day it was made, so the facts of its
programs are kept with it; but the same facts serve thousands of plans. They are stored once
per specialty and content (``CatalogSnapshot``, identified by a digest of the facts) and each
plan keeps only its own columns (``PlanPrograms.entries``: per program its id, fit,
confidence, points, preferences and reasons) with links to the snapshots it used
(docs/assess.md, "Saved plans").

Writing looks the snapshot of a specialty up by catalog version in the shared cache, so the
facts are hashed once per catalog change, not once per plan. Reading takes the snapshots'
facts from the shared cache by snapshot id (a snapshot never changes, so the key never goes
stale) and rebuilds exactly the lists ``plan_json.plan_to_dict`` gave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction

from assessments.engine import PlanResult, ProgramFacts, Reason
from assessments.models import CatalogSnapshot, Plan, PlanPrograms
from assessments.plan_json import EXCLUDED_KEYS, FACT_KEYS, PROGRAM_KEYS

logger = logging.getLogger(__name__)

__all__ = [
    "ENTRIES_FORMAT",
    "facts_columns",
    "facts_digest",
    "plan_entries",
    "plan_full_output",
    "plan_output_with_lists",
    "plan_program_lists",
    "program_lists_from",
    "save_program_lists",
    "snapshot_for",
    "snapshot_ids",
]

# Formats 1 and 2 were the packed, compressed copies (moved by migration 0014).
ENTRIES_FORMAT = 3
# A snapshot never changes: its facts can stay cached as long as the cache keeps them. The
# (catalog version, specialty) -> snapshot id look-up changes with the version in its key.
SNAPSHOT_CACHE_SECONDS = 24 * 3600
OWN_KEYS: tuple[str, ...] = PROGRAM_KEYS[len(FACT_KEYS) :]  # fit ... verify
# Derived from the position and the verify list when not stored.
_DERIVED = frozenset({"rank", "verify_with_program"})


def _json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


# --- snapshots ----------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def facts_columns(facts: Sequence[ProgramFacts]) -> dict[str, list[Any]]:
    """The facts of ``facts`` (one specialty's programs, by id) as a snapshot stores them:
    each fact of the plan JSON (``id`` ... ``usmd_share``) -> one value per program."""
    return {key: [_value(getattr(f, key)) for f in facts] for key in FACT_KEYS}


def facts_digest(columns: Mapping[str, list[Any]]) -> str:
    """sha256 of the canonical JSON of a snapshot's facts (its identity with the specialty)."""
    return hashlib.sha256(_json(columns).encode()).hexdigest()


def _facts_key(snapshot_id: int) -> str:
    return f"plan-store:snapshot-facts:{snapshot_id}"


def snapshot_for(code: str, columns: dict[str, list[Any]]) -> int:
    """The id of the snapshot holding exactly ``columns`` for specialty ``code`` (made if
    new). Safe against a concurrent writer of the same snapshot (unique constraint)."""
    snapshot, _created = CatalogSnapshot.objects.get_or_create(
        specialty_code=code, digest=facts_digest(columns), defaults={"facts": columns}
    )
    # Only once the row is committed: a rolled-back plan must leave no id of a row that never was.
    transaction.on_commit(
        lambda: cache.set(_facts_key(snapshot.pk), columns, SNAPSHOT_CACHE_SECONDS)
    )
    return snapshot.pk


def snapshot_ids(version: str, facts_by_code: Mapping[str, Sequence[ProgramFacts]]) -> list[int]:
    """The snapshot of each specialty's facts, in ``facts_by_code``'s order. ``version`` must
    be the catalog version the facts were read at: it keys the look-up in the shared cache,
    so the facts are serialised and hashed only once per specialty and catalog change."""
    keys = {code: f"plan-store:snapshot-id:{version}:{code}" for code in facts_by_code}
    found = cache.get_many(list(keys.values()))
    ids = []
    for code, facts in facts_by_code.items():
        snapshot_id = found.get(keys[code])
        if snapshot_id is None:
            snapshot_id = snapshot_for(code, facts_columns(facts))
            transaction.on_commit(
                lambda key=keys[code], value=snapshot_id: cache.set(
                    key, value, SNAPSHOT_CACHE_SECONDS
                )
            )
        ids.append(snapshot_id)
    return ids


def _snapshot_facts(ids: Sequence[int]) -> list[dict[str, list[Any]]]:
    """The facts of the snapshots ``ids``, in that order (the shared cache, else one query)."""
    keys = [_facts_key(i) for i in ids]
    found = cache.get_many(keys)
    missing = [i for i, key in zip(ids, keys, strict=True) if key not in found]
    if missing:
        rows = dict(CatalogSnapshot.objects.filter(pk__in=missing).values_list("pk", "facts"))
        cache.set_many({_facts_key(i): rows[i] for i in rows}, SNAPSHOT_CACHE_SECONDS)
        found.update({_facts_key(i): rows[i] for i in rows})
    return [found[key] for key in keys if key in found]


# --- a plan's own entries -----------------------------------------------------------------------


class _Reasons:
    """Each distinct reason and each distinct list of reasons, numbered once."""

    def __init__(self) -> None:
        self.reasons: dict[tuple[str, str, str], int] = {}
        self.lists: dict[tuple[int, ...], int] = {}
        # id of a reasons tuple -> its list index: the engine shares one tuple among the
        # programs that say the same, and identity is the cheap look-up (by value, hashing
        # the Reasons in Python took twice the time: plan_json._shared_reason's figure).
        self._by_tuple: dict[int, int] = {}
        self._keep: list[Any] = []  # keeps those tuples alive, so their ids stay theirs

    def index(self, items: Sequence[Reason]) -> int:
        hit = self._by_tuple.get(id(items))
        if hit is not None:
            return hit
        numbers = tuple(
            self.reasons.setdefault((r.rule, r.text, r.source), len(self.reasons)) for r in items
        )
        index = self.lists.setdefault(numbers, len(self.lists))
        self._by_tuple[id(items)] = index
        self._keep.append(items)
        return index


def plan_entries(result: PlanResult, *, known_ids: Iterable[int] = ()) -> dict[str, Any]:
    """What is the plan's own in its program lists, as ``PlanPrograms.entries`` stores it.

    Per listed program, in list order: ``id``, ``fit``, ``confidence``, ``points``, the two
    preference flags and ``reasons`` / ``verify`` as indexes into ``reason_lists`` (each a
    list of indexes into ``reasons``); per excluded program its ``id``, ``reasons``, ``as_of``
    and ``stale``, and its ``name`` and ``specialty_code`` too when any is not in
    ``known_ids`` (the ids of the snapshots' programs). ``rank`` (the position) and ``verify_with_program`` are derived. The engine
    shares one reasons tuple among all the programs it fits alike, so each is numbered once.
    """
    numbered = _Reasons()
    index = numbered.index
    entries = result.programs
    rows = result.excluded_programs
    programs = {
        "id": [e.facts.id for e in entries],
        "fit": [e.fit for e in entries],
        "confidence": [e.confidence for e in entries],
        "points": [e.points for e in entries],
        "preferred_state": [e.preferred_state for e in entries],
        "preferred_type": [e.preferred_type for e in entries],
        "reasons": [index(e.reasons) for e in entries],
        "verify": [index(e.verify) for e in entries],
    }
    excluded: dict[str, list[Any]] = {"id": [x.id for x in rows]}
    known = set(known_ids)
    if any(x.id not in known for x in rows):
        excluded["name"] = [x.name for x in rows]
        excluded["specialty_code"] = [x.specialty_code for x in rows]
    excluded |= {
        "reasons": [index(x.reasons) for x in rows],
        "as_of": [x.as_of.isoformat() if x.as_of else None for x in rows],
        "stale": [x.stale for x in rows],
    }
    return {
        "format": ENTRIES_FORMAT,
        "reasons": [list(r) for r in numbered.reasons],
        "reason_lists": [list(items) for items in numbered.lists],
        "programs": programs,
        "excluded_programs": excluded,
    }


def _plan_facts(
    result: PlanResult, facts_by_code: Mapping[str, Sequence[ProgramFacts]]
) -> dict[str, Sequence[ProgramFacts]]:
    """Every program of each of the plan's specialties (primary, then backups), and of any
    other specialty a listed or excluded program belongs to."""
    codes = [result.primary.code, *(b.code for b in result.backups)]
    codes += [e.facts.specialty_code for e in result.programs]
    codes += [x.specialty_code for x in result.excluded_programs]
    out: dict[str, Sequence[ProgramFacts]] = {}
    for code in dict.fromkeys(codes):
        facts = facts_by_code.get(code)
        if facts is None:  # not read with the catalog (never from plan_create): its listed ones
            facts = sorted(
                {e.facts for e in result.programs if e.facts.specialty_code == code},
                key=lambda f: f.id,
            )
        if facts:  # a specialty without programs needs no snapshot
            out[code] = facts
    return out


def save_program_lists(
    plan: Plan,
    result: PlanResult,
    *,
    version: str,
    facts_by_code: Mapping[str, Sequence[ProgramFacts]],
) -> PlanPrograms:
    """Store ``result``'s program lists for ``plan``: its entries, linked to the snapshots of
    its specialties' facts (``facts_by_code``: the facts the plan was computed from, read at
    catalog ``version``). Call inside the plan's transaction."""
    facts = _plan_facts(result, facts_by_code)
    ids = snapshot_ids(version, facts)
    known = {f.id for items in facts.values() for f in items}
    entries = plan_entries(result, known_ids=known)
    lists = PlanPrograms.objects.create(plan=plan, entries=entries)
    lists.snapshots.set(ids)
    return lists


# --- reading ------------------------------------------------------------------------------------


def _merged_facts(snapshots: Iterable[Mapping[str, list[Any]]]) -> dict[str, list[Any]]:
    """The facts columns of every snapshot one after the other (a fact a snapshot lacks is
    left out when no snapshot has it, else read as None)."""
    snapshots = list(snapshots)
    present = {key for s in snapshots for key in s}
    keys = [k for k in FACT_KEYS if k in present] + sorted(present.difference(FACT_KEYS))
    columns: dict[str, list[Any]] = {key: [] for key in keys}
    for snapshot in snapshots:
        count = len(snapshot["id"])
        for key in keys:
            column = snapshot.get(key)
            if column is None:
                column = [None] * count
            elif len(column) != count:
                raise ValueError(key)
            columns[key].extend(column)
    return columns


def program_lists_from(
    entries: Any, snapshots: Iterable[Mapping[str, list[Any]]], *, plan_id: int | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(programs, excluded_programs)`` from a plan's entries and its snapshots' facts,
    exactly as ``plan_json.plan_to_dict`` listed them (equal reasons are one shared dict: treat
    as read-only). Damaged entries give two empty lists, logged with ``plan_id``: the page
    then tells an unreadable list from an empty one by the plan's stored ``program_counts``."""
    if not isinstance(entries, dict) or entries.get("format") != ENTRIES_FORMAT:
        found = entries.get("format") if isinstance(entries, dict) else type(entries).__name__
        logger.warning("Plan %s: program lists in an unknown format (%s)", plan_id, found)
        return [], []
    try:
        return _unpack(entries, _merged_facts(snapshots))
    except (IndexError, KeyError, TypeError, ValueError):
        logger.exception("Plan %s: damaged program lists", plan_id)
        return [], []


def _unpack(
    entries: dict[str, Any], facts: dict[str, list[Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    row_of = {pid: row for row, pid in enumerate(facts.get("id", ()))}
    reasons = [{"rule": r[0], "text": r[1], "source": r[2]} for r in entries["reasons"]]
    lists = [[reasons[i] for i in items] for items in entries["reason_lists"]]

    table = entries["programs"]
    count = len(table["id"])
    rows = [row_of[pid] for pid in table["id"]]
    columns: dict[str, list[Any]] = {}
    for key, column in facts.items():
        columns[key] = [column[row] for row in rows]
    for key in OWN_KEYS:
        if key in _DERIVED:
            continue
        if key in table:
            if len(table[key]) != count:
                raise ValueError(key)
            columns[key] = table[key]
    if "reasons" in columns:
        columns["reasons"] = [list(lists[i]) for i in columns["reasons"]]
    if "verify" in columns:
        columns["verify"] = [list(lists[i]) for i in columns["verify"]]
        columns["verify_with_program"] = [bool(items) for items in columns["verify"]]
    columns["rank"] = list(range(1, count + 1))
    keys = [k for k in PROGRAM_KEYS if k in columns] + [k for k in columns if k not in PROGRAM_KEYS]
    programs = [
        dict(zip(keys, row, strict=True)) for row in zip(*(columns[k] for k in keys), strict=True)
    ]

    table = entries["excluded_programs"]
    ids = table["id"]
    if "name" in table:  # moved from a plan whose excluded programs named themselves
        names, codes = table["name"], table["specialty_code"]
    else:
        rows = [row_of[pid] for pid in ids]
        names = [facts["name"][row] for row in rows]
        codes = [facts["specialty_code"][row] for row in rows]
    why = [list(lists[i]) for i in table["reasons"]]
    zipped = zip(ids, names, codes, why, table["as_of"], table["stale"], strict=True)
    excluded = [dict(zip(EXCLUDED_KEYS, row, strict=True)) for row in zipped]
    return programs, excluded


def _entries_and_snapshot_ids(plan: Plan) -> tuple[Any, list[int]] | None:
    """The plan's entries (no query when read with ``select_related("program_lists")``) and
    its snapshot ids (one query)."""
    try:
        lists = plan.program_lists
    except PlanPrograms.DoesNotExist:
        return None
    return lists.entries, list(lists.snapshots.order_by("pk").values_list("pk", flat=True))


def plan_program_lists(plan: Plan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(programs, excluded_programs)`` of a plan whose lists are stored apart (two small
    queries at most, and the snapshots' facts from the shared cache); two empty lists when it
    has none."""
    found = _entries_and_snapshot_ids(plan)
    if found is None:
        return [], []
    entries, ids = found
    return program_lists_from(entries, _snapshot_facts(ids), plan_id=plan.pk)


def plan_full_output(plan: Plan) -> dict[str, Any]:
    """The plan's whole output, program lists included, as ``plan_json.plan_to_dict`` gave it.

    The lists are stored apart (``PlanPrograms`` and its snapshots); a plan whose lists could
    not be moved to them exactly keeps them inside ``Plan.output`` and is returned as it is.
    When ``output`` was deferred it is read together with the entries."""
    if "output" in plan.get_deferred_fields():
        row = (
            Plan.objects.filter(pk=plan.pk).values_list("output", "program_lists__entries").first()
        )
        if row is None:
            return {}
        plan.output, entries = row  # as a refresh of the deferred field would have
        if isinstance(plan.output, dict) and _has_inline_lists(plan.output):
            return plan.output
        if entries is None:
            programs, excluded = [], []
        else:
            ids = list(
                CatalogSnapshot.objects.filter(plan_lists=plan.pk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            programs, excluded = program_lists_from(entries, _snapshot_facts(ids), plan_id=plan.pk)
    else:
        if not isinstance(plan.output, dict):
            return {}
        if _has_inline_lists(plan.output):
            return plan.output
        programs, excluded = plan_program_lists(plan)
    if not isinstance(plan.output, dict):
        return {}
    return plan_output_with_lists(plan.output, programs, excluded)


def _has_inline_lists(output: dict[str, Any]) -> bool:
    return "programs" in output or "excluded_programs" in output


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
