"""The migration that moves saved plans to catalog snapshots and entries: plans saved in every
old form (lists inline in the output, packed format 1, packed format 2) display exactly as
before, and going back puts every plan's lists inline, as the old code read them.

The old forms are made here the way the old code stored them (its packing is copied below:
the codec left the app), on the schema of the migration before.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import zlib
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from assessments import selectors
from assessments.models import CatalogSnapshot, Plan, PlanPrograms
from assessments.plan_json import plan_to_dict
from assessments.plans.view import plan_view_cache_clear
from assessments.services import plan_compute
from programs.models import Specialty
from tests.factories import EMProgramFactory, UserFactory, profile_data

MIGRATION = importlib.import_module("assessments.migrations.0014_plans_reference_catalog_snapshots")
BEFORE = ("assessments", "0013_remove_platform_release_date")
AFTER = ("assessments", "0016_plan_specialty_name")  # the latest: the models as they are
FACT_KEYS = MIGRATION.FACT_KEYS
INTERNED = sorted(
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
FITS = ["likely", "target", "reach"]


# --- the old packing (assessments.engine.program_lists_pack / selectors, before the move) ---


def _old_block(facts) -> dict[str, Any]:
    values: dict[Any, int] = {}
    columns = {}
    for key in FACT_KEYS:
        column = [getattr(f, key) for f in facts]
        column = [v.isoformat() if isinstance(v, dt.date) else v for v in column]
        if key in INTERNED:
            column = [values.setdefault(v, len(values)) for v in column]
        columns[key] = column
    return {"values": list(values), "interned": INTERNED, "columns": columns}


class _Numbered:
    def __init__(self) -> None:
        self.reasons: dict[tuple[str, str, str], int] = {}
        self.lists: dict[tuple[int, ...], int] = {}

    def reason(self, r) -> int:
        return self.reasons.setdefault((r["rule"], r["text"], r["source"]), len(self.reasons))

    def list(self, items) -> int:
        return self.lists.setdefault(tuple(self.reason(r) for r in items), len(self.lists))


def old_format_2(programs, excluded, facts_by_code) -> bytes:
    """As ``selectors.plan_program_lists_data`` stored it: a block with every program of each
    specialty, the plan's own columns, one raw deflate stream after a marker."""
    n = _Numbered()
    own = {
        "programs": {
            "id": [p["id"] for p in programs],
            "fit": [FITS.index(p["fit"]) for p in programs],
            "confidence": [p["confidence"] for p in programs],
            "points": [p["points"] for p in programs],
            "preferred_state": [p["preferred_state"] for p in programs],
            "preferred_type": [p["preferred_type"] for p in programs],
            "reasons": [n.list(p["reasons"]) for p in programs],
            "verify": [n.list(p["verify"]) for p in programs],
        },
        "excluded_programs": {
            "id": [x["id"] for x in excluded],
            "reasons": [n.list(x["reasons"]) for x in excluded],
            "as_of": [x["as_of"] for x in excluded],
            "stale": [x["stale"] for x in excluded],
        },
    }
    packed = {
        "format": 2,
        "blocks": [_old_block(facts) for facts in facts_by_code.values()],
        "reasons": [list(r) for r in n.reasons],
        "reason_lists": [list(items) for items in n.lists],
        "fits": FITS,
        **own,
    }
    text = json.dumps(packed, separators=(",", ":"), ensure_ascii=False)
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = deflate.compress(text.encode()) + deflate.flush(zlib.Z_SYNC_FLUSH)
    return b"MPD\x02" + body + b"\x03\x00"


def old_format_1(programs, excluded) -> bytes:
    """Format 1: the listed programs' facts inline, strings interned, one zlib stream."""
    n = _Numbered()
    values: dict[Any, int] = {}
    interned = [*INTERNED, "fit"]
    table: dict[str, list[Any]] = {}
    for key in MIGRATION.PROGRAM_KEYS:
        if key in ("rank", "verify_with_program"):
            continue
        column = [p[key] for p in programs]
        if key in interned:
            column = [values.setdefault(v, len(values)) for v in column]
        elif key in ("reasons", "verify"):
            column = [[n.reason(r) for r in items] for items in column]
        table[key] = column
    out = {
        "id": [x["id"] for x in excluded],
        "name": [x["name"] for x in excluded],
        "specialty_code": [values.setdefault(x["specialty_code"], len(values)) for x in excluded],
        "reasons": [[n.reason(r) for r in x["reasons"]] for x in excluded],
        "as_of": [x["as_of"] for x in excluded],
        "stale": [x["stale"] for x in excluded],
    }
    packed = {
        "format": 1,
        "values": list(values),
        "interned": interned,
        "reasons": [list(r) for r in n.reasons],
        "programs": table,
        "excluded_programs": out,
    }
    return zlib.compress(json.dumps(packed).encode(), 1)


# --- the test ---------------------------------------------------------------------------------


def _page(client, plan: Plan) -> str:
    """The plan page and its CSV, with what differs between two plans of the same output
    (their tokens and what is derived from them, the CSRF token) blanked."""
    plan_view_cache_clear()
    cache.clear()
    html = client.get(reverse("assessments:plan_detail", args=[plan.token])).content.decode()
    response = client.get(reverse("assessments:plan_csv", args=[plan.token]))
    body = b"".join(response.streaming_content).decode()
    text = (html + body).replace(str(plan.token), "TOKEN")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    return re.sub(r"tier-chart-[0-9a-f]+", "tier-chart", text)  # ids from the token


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.fixture(scope="module")
def restored_reference_data(django_db_setup, django_db_blocker):
    """The test changes the schema, so it runs outside a transaction (serialized rollback
    puts the migrated reference rows in place first, should a transactional test before it
    have flushed them); its rows are flushed after it, those reference rows included. Put them
    back for the tests after it (module scope: this runs after that flush)."""
    yield
    with django_db_blocker.unblock():
        _migrate(AFTER)
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(contents)


@pytest.mark.usefixtures("restored_reference_data")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_plans_in_every_old_form_display_exactly_as_before(client):
    owner = UserFactory()
    em, im = Specialty.objects.get(code="EM"), Specialty.objects.get(code="IM")
    EMProgramFactory.create_batch(4, specialty=em, j1="yes", step2_min=214, requires_usce="no")
    EMProgramFactory(specialty=em, name="No J-1", j1="no", h1b="no")
    EMProgramFactory.create_batch(2, specialty=im, j1="yes", requires_usce="no")
    data = profile_data()
    result, inputs = plan_compute(profile_data=data)
    output = json.loads(json.dumps(plan_to_dict(result)))
    programs, excluded = output["programs"], output["excluded_programs"]
    assert programs and excluded
    summary = {k: v for k, v in output.items() if k not in ("programs", "excluded_programs")}
    codes = [result.primary.code, *(b.code for b in result.backups)]
    facts_by_code = {
        code: facts
        for code, facts in selectors.catalog_facts(codes).by_code.items()
        if code in codes
    }
    stored = {
        "inline": (output, None),
        "format 1": (summary, old_format_1(programs, excluded)),
        "format 2": (summary, old_format_2(programs, excluded, facts_by_code)),
        "format 2, again": (summary, old_format_2(programs, excluded, facts_by_code)),
        "damaged": (summary, b"MPD\x02 not deflate"),
    }

    _migrate(BEFORE)
    from django.db.migrations.loader import MigrationLoader

    old_apps = MigrationLoader(connection).project_state(BEFORE).apps
    OldPlan = old_apps.get_model("assessments", "Plan")
    OldPlanPrograms = old_apps.get_model("assessments", "PlanPrograms")
    tokens = {}
    for name, (out, blob) in stored.items():
        plan = OldPlan.objects.create(
            owner_id=owner.pk,
            engine_version=result.engine_version,
            specialty_code=result.specialty,
            tier=result.tier,
            profile=data,
            inputs=inputs,
            output=out,
        )
        if blob is not None:
            OldPlanPrograms.objects.create(plan=plan, data=blob)
        tokens[name] = plan.token
    _migrate(AFTER)

    # A plan saved with its lists inline, as the old code showed every plan (it read the
    # packed forms back to exactly these lists): the reference.
    reference = Plan.objects.create(
        owner=owner,
        engine_version=result.engine_version,
        specialty_code=result.specialty,
        specialty_name=result.primary.name,
        tier=result.tier,
        profile=data,
        inputs=inputs,
        output=output,
    )
    Plan.objects.update(created_at=reference.created_at)
    client.force_login(owner)
    expected = _page(client, reference)
    assert "No J-1" in expected
    for name in ("inline", "format 1", "format 2", "format 2, again"):
        plan = Plan.objects.get(token=tokens[name])
        assert "programs" not in plan.output, name  # moved out of the output
        assert plan.program_lists.entries["format"] == 3, name
        assert _page(client, plan) == expected, name
    damaged = Plan.objects.get(token=tokens["damaged"])  # showed no programs, and still does
    assert _page(client, damaged) != expected
    assert "No J-1" not in _page(client, damaged)

    # Format 2 kept every program of each specialty once, shared by both plans; format 1 and
    # inline plans kept their listed programs' facts (one shared snapshot: the same facts).
    by_plan = {
        name: set(
            Plan.objects.get(token=tokens[name]).program_lists.snapshots.values_list(
                "pk", flat=True
            )
        )
        for name in ("inline", "format 1", "format 2", "format 2, again")
    }
    assert by_plan["format 2"] == by_plan["format 2, again"]
    assert by_plan["inline"] == by_plan["format 1"]
    assert CatalogSnapshot.objects.count() == len(by_plan["format 2"] | by_plan["format 1"])

    # Back: every plan's lists inline in its output, as the old code read them.
    _migrate(BEFORE)
    old_apps = MigrationLoader(connection).project_state(BEFORE).apps
    OldPlan = old_apps.get_model("assessments", "Plan")
    for name in ("inline", "format 1", "format 2"):
        back = OldPlan.objects.get(token=tokens[name]).output
        assert back["programs"] == programs and back["excluded_programs"] == excluded, name
    assert not old_apps.get_model("assessments", "PlanPrograms").objects.exists()
    _migrate(AFTER)  # and forward again: moved as the inline plans were
    plan = Plan.objects.get(token=tokens["format 2"])
    assert PlanPrograms.objects.filter(plan=plan).exists()
    assert _page(client, plan) == expected


@pytest.mark.usefixtures("restored_reference_data")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_saved_plans_get_their_specialty_name_for_the_page_title(client):
    owner = UserFactory()
    before = ("assessments", "0015_assumption_note_wording")
    _migrate(before)
    from django.db.migrations.loader import MigrationLoader

    OldPlan = (
        MigrationLoader(connection).project_state(before).apps.get_model("assessments", "Plan")
    )

    def old_plan(code: str, output: dict[str, Any]):
        return OldPlan.objects.create(
            owner_id=owner.pk,
            engine_version="x",
            specialty_code=code,
            tier="viable",
            profile={},
            inputs={},
            output=output,
        ).token

    named = old_plan("EM", {"primary": {"name": "Emergency Medicine, as it was"}})
    unnamed = old_plan("IM", {"tier": "viable"})  # an output without the primary's name
    unknown = old_plan("ZZ", {})
    _migrate(AFTER)

    names = dict(Plan.objects.values_list("token", "specialty_name"))
    assert names[named] == "Emergency Medicine, as it was"
    assert names[unnamed] == Specialty.objects.get(code="IM").name
    assert names[unknown] == ""
    assert Plan.objects.get(token=unnamed).specialty_label == "Internal Medicine (IM)"
    assert Plan.objects.get(token=unknown).specialty_label == "ZZ"
