"""Plans reference the catalog instead of copying it (docs/assess.md, "Saved plans").

Until now every saved plan carried the facts of the programs it listed: either inline in
``Plan.output`` (the first plans) or packed and compressed in ``PlanPrograms.data`` (format 1:
facts per listed program; format 2: a block with every program of each of its specialties).
This migration stores those facts once per specialty and content (``CatalogSnapshot``, shared
by every plan that saw the same facts) and keeps per plan only its own columns
(``PlanPrograms.entries``).

Each plan is checked as it is moved: its lists rebuilt from the new rows must equal what the
old code read back, or the plan keeps its lists inline in ``Plan.output`` (which is read as it
is, exactly as before). The old formats' decoding is copied here (the codec left the app).

Reversible: going back puts every plan's lists inline into ``Plan.output`` (the form the old
code reads as it is) and empties ``PlanPrograms``; the packed bytes are not re-made.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import Any

from django.db import migrations, models

# --- the old formats, as assessments.engine / assessments.selectors read them ---------------

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
OWN_KEYS: tuple[str, ...] = PROGRAM_KEYS[len(FACT_KEYS) :]
EXCLUDED_KEYS: tuple[str, ...] = ("id", "name", "specialty_code", "reasons", "as_of", "stale")
_REASON_COLUMNS = frozenset({"reasons", "verify"})
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
_DEFLATE_MAGIC = b"MPD\x02"


def old_decode(data: Any) -> Any:
    """``PlanPrograms.data`` -> the packed dict (None when missing or damaged)."""
    if data is None:
        return None
    data = bytes(data)
    try:
        if data.startswith(_DEFLATE_MAGIC):
            return json.loads(zlib.decompress(data[len(_DEFLATE_MAGIC) :], -15))
        return json.loads(zlib.decompress(data))
    except (zlib.error, ValueError):
        return None


def _block_columns(block: dict[str, Any]) -> dict[str, list[Any]]:
    """One format-2 block's facts, interned values resolved, later facts filled in."""
    values = block["values"]
    interned = frozenset(block["interned"])
    count = len(block["columns"]["id"])
    columns: dict[str, list[Any]] = {}
    for key in FACT_KEYS:
        column = block["columns"].get(key)
        if column is None and key in _LATER_FACTS:  # saved before the fact existed
            columns[key] = [_LATER_FACTS[key]] * count
            continue
        if column is None or len(column) != count:
            raise ValueError(key)
        columns[key] = [values[i] for i in column] if key in interned else list(column)
    return columns


def _unpack_v2(packed: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    facts: dict[str, list[Any]] = {key: [] for key in FACT_KEYS}
    for block in packed["blocks"]:
        for key, column in _block_columns(block).items():
            facts[key].extend(column)
    row_of = {pid: row for row, pid in enumerate(facts["id"])}
    reasons = [{"rule": r[0], "text": r[1], "source": r[2]} for r in packed["reasons"]]
    lists = [[reasons[i] for i in items] for items in packed["reason_lists"]]
    fits = list(packed["fits"])

    table = packed["programs"]
    ids = table["id"]
    count = len(ids)
    rows = [row_of[pid] for pid in ids]
    columns: dict[str, list[Any]] = {key: [facts[key][r] for r in rows] for key in FACT_KEYS}
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
    rows = zip(*(columns[k] for k in names), strict=True)
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


def old_unpack(packed: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the old code showed for a packed dict: its two lists (empty when damaged)."""
    if not isinstance(packed, dict):
        return [], []
    unpack = {1: _unpack_v1, 2: _unpack_v2}.get(packed.get("format"))
    if unpack is None:
        return [], []
    try:
        return unpack(packed)
    except (IndexError, KeyError, TypeError, ValueError):
        return [], []


# --- the new form: snapshots and entries (as assessments.plan_store writes and reads them) ----

ENTRIES_FORMAT = 3


def facts_digest(columns: dict[str, list[Any]]) -> str:
    text = json.dumps(columns, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _reason_key(r: Any) -> tuple[Any, ...]:
    if not isinstance(r, dict) or set(r) != {"rule", "text", "source"}:
        raise ValueError("reason")
    return (r["rule"], r["text"], r["source"])


def split_lists(
    programs: list[dict[str, Any]],
    excluded: list[dict[str, Any]],
    blocks: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, dict[str, list[Any]]], dict[str, Any]]:
    """``(snapshot facts per specialty code, entries)`` for a plan's two lists as the old code
    read them. ``blocks`` (format 2): the plan's facts blocks, which become its snapshots (so
    plans made from one catalog version share them); else the listed programs' own facts are
    grouped by specialty. Raises ValueError when the lists have no such form."""
    if any(not isinstance(p, dict) for p in [*programs, *excluded]):
        raise ValueError("entry")
    keys = set(programs[0]) if programs else set()
    if any(set(p) != keys for p in programs) or "id" not in keys and programs:
        raise ValueError("keys")
    fact_keys = [k for k in FACT_KEYS if k in keys]
    if programs and "specialty_code" not in keys:
        raise ValueError("specialty_code")
    snapshots: dict[str, dict[str, list[Any]]] = {}
    if blocks is not None:
        for block in blocks:
            columns = _block_columns(block)
            if not columns["id"]:  # a specialty without programs: nothing to keep
                continue
            codes = set(columns["specialty_code"])
            if len(codes) != 1:
                raise ValueError("block")
            code = codes.pop()
            if code in snapshots:
                raise ValueError("block")
            snapshots[code] = columns
    else:
        by_code: dict[str, dict[int, dict[str, Any]]] = {}
        for p in programs:
            by_code.setdefault(p["specialty_code"], {})[p["id"]] = p
        for code, found in by_code.items():
            rows = [found[pid] for pid in sorted(found)]
            snapshots[code] = {key: [p[key] for p in rows] for key in fact_keys}

    reasons: dict[tuple[Any, ...], int] = {}
    lists: dict[tuple[int, ...], int] = {}

    def index(items: Any) -> int:
        if not isinstance(items, list):
            raise ValueError("reasons")
        numbers = tuple(reasons.setdefault(_reason_key(r), len(reasons)) for r in items)
        return lists.setdefault(numbers, len(lists))

    table: dict[str, list[Any]] = {"id": [p["id"] for p in programs]}
    for key in OWN_KEYS:
        if key in ("rank", "verify_with_program") or key not in keys:
            continue
        if key in _REASON_COLUMNS:
            table[key] = [index(p[key]) for p in programs]
        else:
            table[key] = [p[key] for p in programs]
    known = {pid: (code, columns) for code, columns in snapshots.items() for pid in columns["id"]}
    out: dict[str, list[Any]] = {"id": [x.get("id") for x in excluded]}
    if any(x.get("id") not in known for x in excluded):
        out["name"] = [x.get("name") for x in excluded]
        out["specialty_code"] = [x.get("specialty_code") for x in excluded]
    out["reasons"] = [index(x.get("reasons")) for x in excluded]
    out["as_of"] = [x.get("as_of") for x in excluded]
    out["stale"] = [x.get("stale") for x in excluded]
    entries = {
        "format": ENTRIES_FORMAT,
        "reasons": [list(r) for r in reasons],
        "reason_lists": [list(items) for items in lists],
        "programs": table,
        "excluded_programs": out,
    }
    return snapshots, entries


def join_lists(
    entries: dict[str, Any], snapshots: list[dict[str, list[Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The two lists back from entries and snapshots (as ``plan_store.program_lists_from``)."""
    present = {key for s in snapshots for key in s}
    keys = [k for k in FACT_KEYS if k in present] + sorted(present.difference(FACT_KEYS))
    facts: dict[str, list[Any]] = {key: [] for key in keys}
    for s in snapshots:
        count = len(s["id"])
        for key in keys:
            facts[key].extend(s.get(key) or [None] * count)
    row_of = {pid: row for row, pid in enumerate(facts.get("id", ()))}
    reasons = [{"rule": r[0], "text": r[1], "source": r[2]} for r in entries["reasons"]]
    lists = [[reasons[i] for i in items] for items in entries["reason_lists"]]
    table = entries["programs"]
    count = len(table["id"])
    rows = [row_of[pid] for pid in table["id"]]
    columns = {key: [column[r] for r in rows] for key, column in facts.items()}
    for key in OWN_KEYS:
        if key in table and key not in ("rank", "verify_with_program"):
            columns[key] = table[key]
    if "reasons" in columns:
        columns["reasons"] = [list(lists[i]) for i in columns["reasons"]]
    if "verify" in columns:
        columns["verify"] = [list(lists[i]) for i in columns["verify"]]
        columns["verify_with_program"] = [bool(items) for items in columns["verify"]]
    columns["rank"] = list(range(1, count + 1))
    names = [k for k in PROGRAM_KEYS if k in columns] + [
        k for k in columns if k not in PROGRAM_KEYS
    ]
    programs = [
        dict(zip(names, row, strict=True)) for row in zip(*(columns[k] for k in names), strict=True)
    ]
    table = entries["excluded_programs"]
    ids = table["id"]
    if "name" in table:
        names_, codes = table["name"], table["specialty_code"]
    else:
        names_ = [facts["name"][row_of[pid]] for pid in ids]
        codes = [facts["specialty_code"][row_of[pid]] for pid in ids]
    why = [list(lists[i]) for i in table["reasons"]]
    zipped = zip(ids, names_, codes, why, table["as_of"], table["stale"], strict=True)
    return programs, [dict(zip(EXCLUDED_KEYS, row, strict=True)) for row in zipped]


def with_lists(summary: dict[str, Any], programs: list[Any], excluded: list[Any]) -> dict[str, Any]:
    """The summary with its lists back in their places (as ``plan_store`` returns it)."""
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


def move_plan(
    output: Any, data: Any
) -> tuple[dict[str, dict[str, list[Any]]], dict[str, Any], dict[str, Any]] | None:
    """How one plan is stored from now on: ``(snapshots by code, entries, new output)``, or
    None when it is left as it is (no lists anywhere, or lists that have no exact new form
    and already sit inline). A plan whose packed lists have no exact new form gets them
    inline in its output, with no entries (``entries`` is then ``{}``)."""
    if not isinstance(output, dict):
        return None
    inline = "programs" in output or "excluded_programs" in output
    blocks = None
    if data is not None:
        packed = old_decode(data)
        programs, excluded = old_unpack(packed)
        if isinstance(packed, dict) and packed.get("format") == 2:
            blocks = packed.get("blocks")
        summary = output
        if inline:  # the old code read inline lists first and never looked at the pack
            programs = output.get("programs") or []
            excluded = output.get("excluded_programs") or []
            blocks = None
    elif inline:
        programs = output.get("programs")
        excluded = output.get("excluded_programs")
        if not isinstance(programs, list) or not isinstance(excluded, list):
            return None  # read as they are, as before
        blocks = None
    else:
        return None
    summary = {k: v for k, v in output.items() if k not in ("programs", "excluded_programs")}
    try:
        snapshots, entries = split_lists(programs, excluded, blocks)
        again = join_lists(entries, list(snapshots.values()))
        exact = again == (programs, excluded)
    except (IndexError, KeyError, TypeError, ValueError):
        exact = False
    if not exact:
        if inline and data is None:
            return None
        return {}, {}, with_lists(summary, programs, excluded)
    return snapshots, entries, summary


def _chunks(pks: list[int], size: int = 100) -> Any:
    for start in range(0, len(pks), size):
        yield pks[start : start + size]


def _constraints_now(schema_editor: Any) -> None:
    """Check the deferred foreign keys now: PostgreSQL refuses to alter a table with pending
    trigger events, and the field removal follows in the same transaction."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def forwards(apps: Any, schema_editor: Any) -> None:
    Plan = apps.get_model("assessments", "Plan")
    PlanPrograms = apps.get_model("assessments", "PlanPrograms")
    CatalogSnapshot = apps.get_model("assessments", "CatalogSnapshot")
    known: dict[tuple[str, str], int] = {}
    pks = list(Plan.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(pks):  # a chunk at a time: a packed plan is up to ~0.5 MB
        plans = Plan.objects.filter(pk__in=chunk).only("pk", "output").order_by("pk")
        packed = dict(PlanPrograms.objects.filter(plan_id__in=chunk).values_list("plan", "data"))
        for plan in plans:
            moved = move_plan(plan.output, packed.get(plan.pk))
            if moved is None:
                continue
            snapshots, entries, output = moved
            if output != plan.output:
                plan.output = output
                plan.save(update_fields=["output"])
            if not entries:  # kept inline
                PlanPrograms.objects.filter(plan_id=plan.pk).delete()
                continue
            ids = []
            for code, columns in snapshots.items():
                key = (code, facts_digest(columns))
                if key not in known:
                    snapshot, _ = CatalogSnapshot.objects.get_or_create(
                        specialty_code=code, digest=key[1], defaults={"facts": columns}
                    )
                    known[key] = snapshot.pk
                ids.append(known[key])
            lists, _ = PlanPrograms.objects.update_or_create(
                plan_id=plan.pk, defaults={"entries": entries, "data": b""}
            )
            lists.snapshots.set(ids)
    _constraints_now(schema_editor)


def backwards(apps: Any, schema_editor: Any) -> None:
    Plan = apps.get_model("assessments", "Plan")
    PlanPrograms = apps.get_model("assessments", "PlanPrograms")
    pks = list(PlanPrograms.objects.order_by("plan_id").values_list("plan_id", flat=True))
    for chunk in _chunks(pks):
        rows = PlanPrograms.objects.filter(plan_id__in=chunk).prefetch_related("snapshots")
        plans = Plan.objects.filter(pk__in=chunk).only("pk", "output").in_bulk()
        for lists in rows:
            plan = plans[lists.plan_id]
            snapshots = [s.facts for s in sorted(lists.snapshots.all(), key=lambda s: s.pk)]
            try:
                programs, excluded = join_lists(lists.entries, snapshots)
            except (IndexError, KeyError, TypeError, ValueError):
                programs, excluded = [], []
            if isinstance(plan.output, dict):
                plan.output = with_lists(plan.output, programs, excluded)
                plan.save(update_fields=["output"])
    PlanPrograms.objects.all().delete()
    _constraints_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0013_remove_platform_release_date"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("specialty_code", models.CharField(max_length=20)),
                (
                    "digest",
                    models.CharField(
                        help_text="sha256 of the facts' canonical JSON.", max_length=64
                    ),
                ),
                (
                    "facts",
                    models.JSONField(
                        help_text="Fact name -> one value per program (docs/assess.md)."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("specialty_code", "digest"), name="catalogsnapshot_unique"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="planprograms",
            name="entries",
            field=models.JSONField(
                default=dict, help_text="The plan's own columns (docs/assess.md)."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="planprograms",
            name="snapshots",
            field=models.ManyToManyField(
                related_name="plan_lists", to="assessments.catalogsnapshot"
            ),
        ),
        migrations.AlterField(
            model_name="planprograms",
            name="data",
            field=models.BinaryField(
                default=b"", help_text="zlib-compressed packed JSON (docs/assess.md)."
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.RemoveField(model_name="planprograms", name="data"),
    ]
