"""Catalog snapshots no plan uses any more go with expire_anonymous; today's stay."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.expiry import unused_snapshots_delete
from assessments.models import CatalogSnapshot
from assessments.plans.reader import plan_output
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.django_db


def _em_snapshots() -> set[int]:
    return set(CatalogSnapshot.objects.filter(specialty_code="EM").values_list("pk", flat=True))


def test_a_snapshot_of_an_earlier_catalog_goes_once_no_plan_uses_it() -> None:
    owner = UserFactory()
    first = em_programs(2)
    old_plan = make_plan(owner)
    old = _em_snapshots()
    first[0].name = "Renamed Program"
    first[0].save()
    new_plan = make_plan(owner)
    today = _em_snapshots() - old
    assert old and today

    assert unused_snapshots_delete() == 0  # both are used
    old_plan.delete()

    assert unused_snapshots_delete() == len(old)
    assert _em_snapshots() == today
    assert plan_output(new_plan)["programs"]  # the remaining plan still reads its programs


def test_todays_snapshot_stays_even_when_unused() -> None:
    em_programs(2)
    plan = make_plan(UserFactory())
    kept = _em_snapshots()
    plan.delete()

    assert unused_snapshots_delete() == 0
    assert _em_snapshots() == kept


def test_the_command_reports_them() -> None:
    owner = UserFactory()
    programs = em_programs(1)
    make_plan(owner).delete()
    programs[0].name = "Another Name"
    programs[0].save()
    out = io.StringIO()

    call_command("expire_anonymous", "--dry-run", stdout=out)
    assert "1 catalog snapshot(s) no plan uses any more" in out.getvalue()
    call_command("expire_anonymous", stdout=out)

    assert "EM" not in set(CatalogSnapshot.objects.values_list("specialty_code", flat=True))


def test_a_dry_run_counts_the_snapshots_the_expired_plans_leave_unused() -> None:
    import datetime as dt

    from django.utils import timezone

    from assessments.models import Plan

    programs = em_programs(1)
    old = make_plan(None)  # anonymous, to expire
    Plan.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    programs[0].name = "Renamed Since"
    programs[0].save()
    make_plan(UserFactory())  # today's snapshot, kept
    out = io.StringIO()

    call_command("expire_anonymous", "--dry-run", stdout=out)
    assert "1 anonymous plan(s)" in out.getvalue()
    assert "1 catalog snapshot(s) no plan uses any more" in out.getvalue()

    call_command("expire_anonymous", stdout=out)
    assert "1 catalog snapshot(s) no plan uses any more" in out.getvalue().splitlines()[-1]
