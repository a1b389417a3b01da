"""The cached rule, fee and season inputs: one read, then none until an admin edits them."""

from __future__ import annotations

import datetime as dt

import pytest

from assessments.models import NrmpSeason, PlatformFeeSchedule, SpecialtyRule
from assessments.rule_data import rule_data
from assessments.services import plan_compute
from programs.models import Specialty
from tests.engine.helpers import profile_data

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def test_a_second_read_needs_no_query(django_assert_num_queries):
    first = rule_data()
    with django_assert_num_queries(0):
        again = rule_data()
    assert again.rules["EM"].viable_min == first.rules["EM"].viable_min
    assert again.version == first.version


def test_a_saved_rule_is_read_at_once():
    before = rule_data()
    rule = SpecialtyRule.objects.get(specialty__code="EM")
    rule.viable_min = 235
    rule.save()
    after = rule_data()
    assert after.version != before.version
    assert after.rules["EM"].viable_min == 235
    result, inputs = plan_compute(profile_data=profile_data(step2ck__score=236), today=TODAY)
    assert result.tier == "viable"
    assert inputs["rules"]["EM"]["viable_min"] == 235


def test_a_deleted_season_row_is_gone_at_once():
    latest = NrmpSeason.objects.order_by("-season").first()
    assert latest.season in rule_data().seasons
    latest.delete()
    assert latest.season not in rule_data().seasons


def test_a_platform_fee_edit_and_a_specialty_rename_are_read_at_once():
    row = PlatformFeeSchedule.objects.order_by("-season").first()
    rule_data()
    row.base_fee += 7
    row.save()
    seasons = rule_data().seasons
    assert any(
        facts.platforms[row.platform].base_fee == row.base_fee
        for facts in seasons.values()
        if facts.platforms.get(row.platform) and facts.platforms[row.platform].season == row.season
    )
    specialty = Specialty.objects.get(code="EM")
    specialty.name = "Emergency medicine (renamed)"
    specialty.save()
    assert rule_data().rules["EM"].name == "Emergency medicine (renamed)"


def test_an_edit_read_by_another_request_before_its_commit_is_not_kept(
    django_capture_on_commit_callbacks,
):
    rule = SpecialtyRule.objects.get(specialty__code="EM")
    with django_capture_on_commit_callbacks(execute=True):
        rule.viable_min = 234
        rule.save()
        # what a concurrent request would cache before the commit (it reads old rows)
        in_between = rule_data()
    assert rule_data().version != in_between.version
