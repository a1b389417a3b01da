"""Saved program lists: shared catalog snapshots and each plan's own entries (plan_store)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from assessments import plan_store
from assessments.models import CatalogSnapshot, Plan, PlanPrograms
from assessments.plan_json import plan_to_dict
from assessments.plans.reader import plan_output
from assessments.services import plan_create
from programs.models import Program, Specialty
from tests.engine.helpers import EXAMPLE, TODAY, program
from tests.engine.test_properties import VALIDATOR, compute, profiles, program_lists
from tests.factories import EMProgramFactory


def _by_code(programs, codes=()):
    """Every program of each specialty, by id, as ``selectors.catalog_facts`` gives them."""
    out: dict[str, list] = {code: [] for code in codes}
    for facts in sorted(programs, key=lambda f: f.id):
        out.setdefault(facts.specialty_code, []).append(facts)
    return {code: tuple(items) for code, items in out.items()}


def _stored(result, programs):
    """The lists as a saved plan keeps them (through JSON, as the database gives them back)."""
    codes = [result.primary.code, *(b.code for b in result.backups)]
    by_code = _by_code(programs, codes)
    known = {f.id for items in by_code.values() for f in items}
    entries = json.loads(json.dumps(plan_store.plan_entries(result, known_ids=known)))
    snapshots = [json.loads(json.dumps(plan_store.facts_columns(f))) for f in by_code.values()]
    return plan_store.program_lists_from(entries, snapshots)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), program_lists())
def test_entries_and_snapshots_give_back_exactly_the_plan_lists(data, programs):
    result = compute(data, programs)
    output = json.loads(json.dumps(plan_to_dict(result)))
    listed, excluded = _stored(result, programs)
    assert listed == output["programs"]
    assert excluded == output["excluded_programs"]
    assert [list(p) for p in listed] == [list(p) for p in output["programs"]]  # key order too
    VALIDATOR.validate({**output, "programs": listed, "excluded_programs": excluded})


def test_an_entry_holds_the_plans_own_columns_and_no_facts():
    programs = [
        program(name="Listed"),
        program(name="Visa no", j1="no"),
        program(name="Backup", specialty_code="IM"),
    ]
    result = compute(EXAMPLE, programs)
    entries = plan_store.plan_entries(result, known_ids={p.id for p in programs})
    assert set(entries["programs"]) == {
        "id",
        "fit",
        "confidence",
        "points",
        "preferred_state",
        "preferred_type",
        "reasons",
        "verify",
    }
    assert set(entries["excluded_programs"]) == {"id", "reasons", "as_of", "stale"}
    assert "Listed" not in json.dumps(entries)
    # An excluded program no snapshot holds names itself.
    entries = plan_store.plan_entries(result, known_ids=())
    assert entries["excluded_programs"]["name"] == ["Visa no"]


def test_damaged_entries_read_as_no_programs():
    assert plan_store.program_lists_from(None, []) == ([], [])
    assert plan_store.program_lists_from({"format": 2, "blocks": []}, []) == ([], [])
    broken = {
        "format": plan_store.ENTRIES_FORMAT,
        "reasons": [],
        "reason_lists": [],
        "programs": {"id": [99], "fit": ["likely"]},
        "excluded_programs": {"id": [], "reasons": [], "as_of": [], "stale": []},
    }
    assert plan_store.program_lists_from(broken, [{"id": [1], "name": ["A"]}]) == ([], [])


def test_damaged_entries_are_logged_with_the_plan_id(caplog):
    broken = {"format": plan_store.ENTRIES_FORMAT, "programs": {"id": [99]}}
    with caplog.at_level("WARNING", logger="assessments.plan_store"):
        assert plan_store.program_lists_from(broken, [], plan_id=41) == ([], [])
        assert plan_store.program_lists_from({"format": 2}, [], plan_id=42) == ([], [])
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "Plan 41: damaged program lists",
        "Plan 42: program lists in an unknown format (2)",
    ]
    assert caplog.records[0].exc_info is not None  # the traceback says what broke


@pytest.mark.django_db
def test_a_plan_whose_list_cannot_be_read_says_so_not_that_no_program_fit(client, caplog):
    from tests.factories import UserFactory, em_programs, make_plan

    owner = UserFactory()
    em_programs(3, name="Readable Program")
    plan = make_plan(owner)
    assert plan.output["program_counts"]["listed"] == 3
    PlanPrograms.objects.filter(plan=plan).update(
        entries={"format": plan_store.ENTRIES_FORMAT, "programs": {"id": [10**9]}}
    )
    cache.clear()
    client.force_login(owner)
    for name in ("plan_detail", "plan_print"):
        with caplog.at_level("WARNING", logger="assessments.plan_store"):
            html = client.get(reverse(f"assessments:{name}", args=[plan.token])).content.decode()
        assert "program list could not be read back: it listed 3 programs" in html, name
        assert "No program in the catalog fit this plan" not in html, name
        assert "plan-programs" not in html, name  # no table of programs
    assert f"Plan {plan.pk}: damaged program lists" in caplog.text

    # A plan that listed nothing still says so.
    empty = make_plan(owner, visa="h1b")
    assert empty.output["program_counts"]["listed"] == 0
    html = client.get(reverse("assessments:plan_detail", args=[empty.token])).content.decode()
    assert "No program in the catalog fit this plan when it was made." in html
    assert "could not be read" not in html


@pytest.mark.django_db
def test_plans_made_from_one_catalog_share_its_snapshots_and_keep_their_facts():
    EMProgramFactory(name="EM one", city="Boston")
    EMProgramFactory(name="No J-1", j1="no")
    EMProgramFactory(name="IM one", specialty=Specialty.objects.get(code="IM"))
    first = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)
    cache.clear()  # the look-up by catalog version is gone: found again by content
    again = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)
    assert CatalogSnapshot.objects.count() == 2  # EM and IM, once each
    assert set(first.program_lists.snapshots.all()) == set(again.program_lists.snapshots.all())

    edited = Program.objects.get(name="EM one")
    edited.city = "Denver"
    edited.save()
    EMProgramFactory(name="EM two", city="Austin")
    later = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)
    # Only the edited specialty gets a new snapshot.
    assert CatalogSnapshot.objects.count() == 3
    codes = dict(later.program_lists.snapshots.values_list("specialty_code", "pk"))
    assert codes["IM"] in set(first.program_lists.snapshots.values_list("pk", flat=True))

    def shown(plan):
        cache.clear()
        output = plan_output(Plan.objects.get(pk=plan.pk))
        listed = [(p["name"], p["city"]) for p in output["programs"]]
        return listed, [x["name"] for x in output["excluded_programs"]]

    assert shown(first) == shown(again)
    listed, excluded = shown(first)
    assert ("EM one", "Boston") in listed and excluded == ["No J-1"]
    listed, excluded = shown(later)
    assert ("EM one", "Denver") in listed and ("EM two", "Austin") in listed
    assert excluded == ["No J-1"]


@pytest.mark.django_db
def test_reading_a_plan_takes_the_snapshot_facts_from_the_shared_cache():
    EMProgramFactory(name="EM one")
    plan = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)
    cache.clear()
    table = CatalogSnapshot._meta.db_table

    with CaptureQueriesContext(connection) as cold:
        first = plan_output(Plan.objects.defer("output").get(pk=plan.pk))
    with CaptureQueriesContext(connection) as warm:
        second = plan_output(Plan.objects.defer("output").get(pk=plan.pk))

    assert first == second and [p["name"] for p in first["programs"]] == ["EM one"]
    assert any(f'"{table}"."facts"' in q["sql"] for q in cold.captured_queries)
    assert not any(f'"{table}"."facts"' in q["sql"] for q in warm.captured_queries)
    assert len(warm.captured_queries) == 3  # the plan, its output and entries, snapshot ids


@pytest.mark.django_db
def test_a_plan_without_stored_lists_reads_as_empty_lists():
    EMProgramFactory(name="EM one")
    plan = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)
    PlanPrograms.objects.filter(plan=plan).delete()
    output = plan_output(Plan.objects.get(pk=plan.pk))
    assert output["programs"] == [] and output["excluded_programs"] == []


@pytest.mark.django_db
def test_a_rolled_back_plan_leaves_no_snapshot_id_in_the_cache():
    from django.core.cache import cache
    from django.db import transaction

    from assessments.plan_store import snapshot_ids
    from assessments.selectors import catalog_facts

    EMProgramFactory(name="EM one")
    catalog = catalog_facts(["EM"])
    with transaction.atomic():
        made = snapshot_ids("v-rollback", {"EM": catalog.by_code["EM"]})
        transaction.set_rollback(True)
    assert not CatalogSnapshot.objects.filter(pk__in=made).exists()
    assert cache.get("plan-store:snapshot-id:v-rollback:EM") is None
    # the next plan makes the row again instead of pointing at the one rolled back
    again = snapshot_ids("v-rollback", {"EM": catalog.by_code["EM"]})
    assert CatalogSnapshot.objects.filter(pk__in=again).count() == 1


def test_history_shows_the_latest_practice_score():
    from assessments.plans.history import _latest_practice

    assert (
        _latest_practice(
            [{"score": 230, "date": "2026-05-01"}, {"score": 241, "date": "2026-06-01"}]
        )
        == 241
    )
    assert (
        _latest_practice(
            [{"score": 241, "date": "2026-06-01"}, {"score": 230, "date": "2026-05-01"}]
        )
        == 241
    )
    assert _latest_practice([228, 236]) == 236
    assert _latest_practice([]) is None
