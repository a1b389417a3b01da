"""manage.py expire_anonymous: unclaimed anonymous drafts and plans go after 30 days."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from assessments.expiry import anonymous_work_expire
from assessments.models import AssessmentDraft, Plan, PlanPrograms
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.django_db


def _age(obj, days: int) -> None:
    when = timezone.now() - dt.timedelta(days=days)
    model = type(obj)
    field = "updated_at" if model is AssessmentDraft else "created_at"
    model.objects.filter(pk=obj.pk).update(**{field: when})


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("expire_anonymous", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def work():
    em_programs(2)
    owner = UserFactory()
    old_anonymous = make_plan(None)
    new_anonymous = make_plan(None)
    old_owned = make_plan(owner)
    _age(old_anonymous, 31)
    _age(new_anonymous, 29)
    _age(old_owned, 400)
    old_draft = AssessmentDraft.objects.create(answers={"specialty": "EM"})
    new_draft = AssessmentDraft.objects.create(answers={})
    owned_draft = AssessmentDraft.objects.create(owner=owner, answers={})
    _age(old_draft, 31)
    _age(owned_draft, 400)
    return {
        "old_anonymous": old_anonymous,
        "new_anonymous": new_anonymous,
        "old_owned": old_owned,
        "old_draft": old_draft,
        "new_draft": new_draft,
        "owned_draft": owned_draft,
    }


def test_it_deletes_only_unclaimed_work_older_than_30_days(work) -> None:
    output = _run()

    assert "Deleted 1 anonymous draft(s) and 1 anonymous plan(s)" in output
    assert set(Plan.objects.values_list("pk", flat=True)) == {
        work["new_anonymous"].pk,
        work["old_owned"].pk,
    }
    assert not PlanPrograms.objects.filter(plan_id=work["old_anonymous"].pk).exists()
    assert set(AssessmentDraft.objects.values_list("pk", flat=True)) == {
        work["new_draft"].pk,
        work["owned_draft"].pk,
    }


def test_a_second_run_finds_nothing_and_succeeds(work) -> None:
    _run()
    assert "Deleted 0 anonymous draft(s) and 0 anonymous plan(s)" in _run()


def test_dry_run_counts_and_deletes_nothing(work) -> None:
    assert "Would delete 1 anonymous draft(s) and 1 anonymous plan(s)" in _run("--dry-run")
    assert Plan.objects.count() == 3 and AssessmentDraft.objects.count() == 3


def test_the_age_can_be_given_and_must_be_positive(work) -> None:
    assert "Deleted 0 anonymous draft(s) and 0 anonymous plan(s)" in _run("--days", "40")
    assert "Deleted 1 anonymous draft(s) and 2 anonymous plan(s)" in _run("--days", "20")
    with pytest.raises(CommandError, match="--days"):
        _run("--days", "0")


def test_it_deletes_in_batches(work) -> None:
    for _ in range(3):
        _age(make_plan(None), 60)
    result = anonymous_work_expire(batch_size=2)
    assert result.plans == 4
    assert Plan.objects.filter(owner__isnull=True).count() == 1


def test_it_deletes_sign_ups_never_confirmed_after_the_same_time(work) -> None:
    stale = UserFactory(is_active=False)
    fresh = UserFactory(is_active=False)
    deactivated = UserFactory(is_active=False, last_login=timezone.now() - dt.timedelta(days=90))
    type(stale).objects.filter(pk__in=[stale.pk, deactivated.pk]).update(
        date_joined=timezone.now() - dt.timedelta(days=31)
    )

    assert ", 1 sign-up(s) never confirmed" in _run()

    remaining = set(type(stale).objects.values_list("pk", flat=True))
    assert stale.pk not in remaining
    assert {fresh.pk, deactivated.pk} <= remaining
