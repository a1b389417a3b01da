"""Defaults installed by migration, selectors, plan_compute and the rule admin."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import selectors
from assessments.engine import Fees, ProgramFacts, SpecialtyRules
from assessments.models import DualPartner, FeeSchedule, SpecialtyRule
from assessments.profile import ProfileError
from assessments.rules import DEFAULT_FEES, DEFAULT_RULES
from assessments.services import plan_compute
from programs.models import Program, Specialty
from tests.engine.helpers import EXAMPLE, profile_data
from tests.factories import EMProgramFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def test_migration_installs_rules_for_every_specialty():
    assert set(SpecialtyRule.objects.values_list("specialty__code", flat=True)) == set(
        Specialty.objects.values_list("code", flat=True)
    )
    em = SpecialtyRule.objects.get(specialty__code="EM")
    assert (em.strong_min, em.viable_min, em.risk_min) == (245, 238, 225)
    assert em.basis == "article"
    assert em.matched_median == 243 and em.unmatched_median == 236
    assert em.stats_source == "NRMP Charting Outcomes 2026, non-US IMGs"
    gs = SpecialtyRule.objects.get(specialty__code="GS-PRELIM")
    assert (gs.strong_min, gs.viable_min, gs.risk_min) == (245, 235, 220)
    rad = SpecialtyRule.objects.get(specialty__code="RAD")
    assert rad.unmatched_ranks_median == Decimal("1.5")


def test_migrated_rules_equal_the_documented_defaults():
    # The migration keeps a frozen copy; a change to rules.py needs a new migration.
    assert selectors.rules_by_code() == {r.code: r for r in DEFAULT_RULES}


def test_migration_installs_one_active_fee_schedule():
    assert FeeSchedule.objects.filter(active=True).count() == 1
    assert selectors.active_fee_schedule() == DEFAULT_FEES


def test_partner_order_is_kept():
    assert selectors.rules_by_code()["EM"].dual_partners == ("IM", "FM")
    assert selectors.rules_by_code()["GS-PRELIM"].dual_partners == ("IM-PRELIM", "IM")


def test_rules_by_code_reads_in_two_queries(django_assert_num_queries):
    with django_assert_num_queries(2):
        rules = selectors.rules_by_code()
    assert isinstance(rules["IM"], SpecialtyRules)


def test_an_edited_rule_is_what_the_engine_gets():
    SpecialtyRule.objects.filter(specialty__code="EM").update(viable_min=235)
    assert selectors.rules_by_code()["EM"].viable_min == 235
    result, inputs = plan_compute(profile_data=profile_data(step2ck__score=236), today=TODAY)
    assert result.tier == "viable"
    assert inputs["rules"]["EM"]["viable_min"] == 235


def test_without_an_active_fee_schedule_the_defaults_apply():
    FeeSchedule.objects.update(active=False)
    assert selectors.active_fee_schedule() == DEFAULT_FEES


def test_only_one_fee_schedule_may_be_active():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FeeSchedule.objects.create(season=2027, source_note="x", active=True)


def test_rule_bands_must_be_ordered():
    rule = SpecialtyRule.objects.get(specialty__code="EM")
    rule.viable_min = 250
    with pytest.raises(ValidationError) as info:
        rule.full_clean()
    assert "viable_min" in info.value.message_dict


def test_catalog_facts_reads_plain_tuples_once_per_catalog_version(django_assert_num_queries):
    EMProgramFactory.create_batch(3)
    EMProgramFactory(specialty=Specialty.objects.get(code="PATH"))
    # the catalog version (the specialties with three index-backed maxima), the programs
    with django_assert_num_queries(2):
        facts = selectors.catalog_facts(["EM"]).programs()
    assert len(facts) == 3
    assert all(isinstance(f, ProgramFacts) for f in facts)
    assert facts[0].specialty_code == "EM" and facts[0].j1 == "yes"
    with django_assert_num_queries(1):  # the catalog version only
        again = selectors.catalog_facts(["EM"]).programs()
    assert again == facts


def test_catalog_facts_merges_cached_specialties_by_id():
    em, im = Specialty.objects.get(code="EM"), Specialty.objects.get(code="IM")
    made = [EMProgramFactory(specialty=im if i % 2 else em) for i in range(6)]
    selectors.catalog_facts(["EM"]).programs()  # EM cached, IM not yet
    facts = selectors.catalog_facts(["IM", "EM", "IM"]).programs()
    assert [f.id for f in facts] == sorted(p.pk for p in made)
    assert {f.specialty_code for f in facts} == {"EM", "IM"}


@pytest.mark.parametrize("change", ["save", "create", "delete", "bulk_update"])
def test_catalog_facts_sees_every_catalog_change(change):
    first, second = EMProgramFactory(name="Before"), EMProgramFactory(name="Other")
    assert {f.name for f in selectors.catalog_facts(["EM"]).programs()} == {"Before", "Other"}
    if change == "save":
        first.name = "After"
        first.save()
        expected = {"After", "Other"}
    elif change == "create":
        EMProgramFactory(name="New")
        expected = {"Before", "Other", "New"}
    elif change == "delete":
        second.delete()
        expected = {"Before"}
    else:  # the admin's bulk actions set updated_at, which is part of the version
        from django.utils import timezone

        Program.objects.filter(pk=first.pk).update(name="Bulk", updated_at=timezone.now())
        expected = {"Bulk", "Other"}
    assert {f.name for f in selectors.catalog_facts(["EM"]).programs()} == expected


def test_plan_compute_returns_plan_and_input_snapshot(django_assert_max_num_queries):
    EMProgramFactory(name="EM one")
    EMProgramFactory(name="IM one", specialty=Specialty.objects.get(code="IM"))
    EMProgramFactory(name="No J-1", j1="no")
    # rules (2), fees, catalog version (3), programs, season facts (sources, platform
    # fees, specialty seasons, NRMP)
    with django_assert_max_num_queries(11):
        result, inputs = plan_compute(profile_data=EXAMPLE, today=TODAY)
    assert result.tier == "viable"
    assert [e.facts.name for e in result.programs] == ["EM one", "IM one"]
    assert result.excluded["visa"] == 1
    assert set(inputs["rules"]) == {"EM", "IM"}
    assert inputs["fees"]["season"] == 2026
    assert inputs["today"] == "2026-06-01"
    assert inputs["engine_version"] == result.engine_version


def test_plan_compute_raises_profile_error():
    with pytest.raises(ProfileError) as info:
        plan_compute(profile_data=profile_data(specialty="XX"), today=TODAY)
    assert "specialty" in info.value.errors


def test_plan_compute_validates_codes_against_the_rule_table():
    SpecialtyRule.objects.filter(specialty__code="TY").delete()
    with pytest.raises(ProfileError) as info:
        plan_compute(profile_data=profile_data(backup_specialties=["TY"]), today=TODAY)
    assert "backup_specialties[0]" in info.value.errors


def test_methodology_data_has_every_rule_and_source():
    data = selectors.methodology_data()
    assert len(data["rules"]) == 13
    assert all(rule["source_note"] for rule in data["rules"])
    assert [p["score"] for p in data["passing_standards"]] == [209, 214, 218]
    assert data["fees"]["eras_fee_first_tier"] == 11
    assert data["thresholds"]["fit_likely_margin"] == 5


def test_fee_schedule_dataclass_fields_match_the_model():
    model_fields = {f.name for f in FeeSchedule._meta.get_fields()}
    assert {f.name for f in dataclasses.fields(Fees)} <= model_fields


def test_admin_lists_and_edits_rules_and_fees(admin_client):
    rule = SpecialtyRule.objects.get(specialty__code="EM")
    for url in (
        reverse("admin:assessments_specialtyrule_changelist"),
        reverse("admin:assessments_specialtyrule_change", args=[rule.pk]),
        reverse("admin:assessments_specialtyrule_history", args=[rule.pk]),
        reverse("admin:assessments_feeschedule_changelist"),
    ):
        assert admin_client.get(url).status_code == 200


def test_editing_a_rule_records_history():
    rule = SpecialtyRule.objects.get(specialty__code="EM")
    before = rule.history.count()
    rule.strong_min = 246
    rule.save()
    assert rule.history.count() == before + 1
    assert DualPartner.objects.filter(rule=rule).count() == 2


def test_a_saved_plan_keeps_its_program_lists_apart_and_gives_them_back():
    import json

    from assessments.models import Plan, PlanPrograms
    from assessments.plan_json import plan_to_dict
    from assessments.plans.reader import plan_output, plan_summary_output
    from assessments.services import plan_create
    from tests.engine.test_properties import VALIDATOR

    EMProgramFactory(name="EM one")
    EMProgramFactory(name="No J-1", j1="no")
    EMProgramFactory(name="IM one", specialty=Specialty.objects.get(code="IM"))
    plan = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)
    expected = json.loads(
        json.dumps(plan_to_dict(plan_compute(profile_data=EXAMPLE, today=TODAY)[0]))
    )

    stored = Plan.objects.get(pk=plan.pk)
    assert "programs" not in stored.output and "excluded_programs" not in stored.output
    assert PlanPrograms.objects.filter(plan=plan).exists()
    whole = plan_output(Plan.objects.defer("output").get(pk=plan.pk))
    assert whole == expected
    # jsonb orders the summary's keys its own way (as it always did); the entries keep theirs.
    assert [list(p) for p in whole["programs"]] == [list(p) for p in expected["programs"]]
    VALIDATOR.validate(whole)
    assert [p["name"] for p in whole["programs"]] == ["EM one", "IM one"]
    assert [p["name"] for p in whole["excluded_programs"]] == ["No J-1"]
    assert plan_summary_output(stored)["program_counts"]["listed"] == 2

    # Immutable: a later catalog edit does not reach the saved facts.
    Program.objects.filter(name="EM one").update(name="Renamed")
    assert plan_output(Plan.objects.get(pk=plan.pk))["programs"][0]["name"] == "EM one"


def test_a_plan_saved_with_inline_program_lists_reads_as_before():
    from assessments.plans.reader import plan_output
    from tests.factories import EmptyPlanFactory, UserFactory

    output = {"tier": "risk", "programs": [{"id": 1, "name": "Old"}], "excluded_programs": []}
    plan = EmptyPlanFactory(owner=UserFactory(), output=output)
    assert plan_output(plan) == output


def test_the_account_export_holds_the_whole_plan_output():
    from assessments.exporters import export_plans
    from assessments.services import plan_create
    from tests.factories import UserFactory

    user = UserFactory()
    EMProgramFactory(name="EM one")
    plan_create(owner=user, profile_data=EXAMPLE, today=TODAY)
    (exported,) = export_plans(user)
    assert [p["name"] for p in exported["output"]["programs"]] == ["EM one"]
    assert exported["output"]["excluded_programs"] == []


def test_migration_installs_the_season_facts_of_season_data():
    from assessments.engine import platform_for
    from assessments.season_data import DEFAULT_SEASONS

    # The migration keeps a frozen copy; a change to season_data.py needs a new migration.
    stored = selectors.season_facts()
    assert stored.keys() == DEFAULT_SEASONS.keys()
    for season, default in DEFAULT_SEASONS.items():
        got = stored[season]
        assert got.platforms == default.platforms
        assert got.signals == default.signals
        assert got.nrmp == default.nrmp
        assert got.sources == default.sources
        assert got.key_dates == default.key_dates
        for code in ("EM", "IM", "FM", "RAD", "GS-PRELIM"):
            assert platform_for(code, season, stored) == platform_for(code, season, DEFAULT_SEASONS)


def test_no_installed_rule_note_points_to_a_repository_file():
    from assessments.models import SpecialtyRule

    assert not SpecialtyRule.objects.filter(source_note__contains="docs/").exists()


def test_admin_edits_season_fees_signals_and_dates_without_a_deploy(admin_client):
    from assessments.models import NrmpSeason, PlatformFeeSchedule, Source, SpecialtySeason

    rcas = PlatformFeeSchedule.objects.get(platform="ResidencyCAS", season=2026)
    im = SpecialtySeason.objects.get(specialty__code="IM", season=2026)
    nrmp = NrmpSeason.objects.get(season=2026)
    for model, obj in (
        ("platformfeeschedule", rcas),
        ("specialtyseason", im),
        ("nrmpseason", nrmp),
        ("source", Source.objects.get(key="saem_residencycas")),
    ):
        for url in (
            reverse(f"admin:assessments_{model}_changelist"),
            reverse(f"admin:assessments_{model}_change", args=[obj.pk]),
            reverse(f"admin:assessments_{model}_history", args=[obj.pk]),
        ):
            assert admin_client.get(url).status_code == 200

    data = profile_data(backup_specialties=[], step2ck__score=246, sloes=2, us_letters=3)
    before, _ = plan_compute(profile_data=data, today=TODAY)
    history_before = rcas.history.count()
    rcas.base_fee = 120
    rcas.save()
    im.signals_first = 4
    im.save()
    after, _ = plan_compute(profile_data=data, today=TODAY)
    assert after.applications.cost_min == before.applications.cost_min + 21
    assert rcas.history.count() == history_before + 1
    im_plan, _ = plan_compute(
        profile_data=profile_data(specialty="IM", backup_specialties=[], sloes=0),
        today=TODAY,
    )
    assert next(s for s in im_plan.signals if s["specialty"] == "IM")["total"] == 16
    # A later standard registration deadline moves the late fee.
    nrmp.standard_deadline = dt.date(2025, 12, 15)
    nrmp.save()
    late, _ = plan_compute(profile_data=data, today=dt.date(2026, 12, 7))
    assert late.applications.nrmp_late_fee == 0


def test_admin_adds_a_seasons_key_date_and_plans_use_it_instead_of_the_estimate(admin_client):
    from assessments.models import SeasonDate, Source

    source = Source.objects.get(key="nrmp_2026_welcome")
    add = reverse("admin:assessments_seasondate_add")
    assert admin_client.get(add).status_code == 200
    data = profile_data(backup_specialties=[], step2ck__score=246, sloes=2, us_letters=3)
    before, _ = plan_compute(profile_data=data, today=TODAY)
    match = next(m for m in before.timeline if m.code == "match_day")
    assert match.estimated and match.date == dt.date(2027, 3, 19)

    form = {"season": 2027, "event": "match_day", "date": "2027-03-26", "source": source.pk}
    # A date outside its season is refused with a field error, not a crash.
    response = admin_client.post(add, {**form, "date": "2030-03-26"})
    assert response.status_code == 200 and "falls between May 2026 and June 2027" in (
        response.content.decode()
    )
    assert admin_client.post(add, form).status_code == 302
    row = SeasonDate.objects.get(season=2027, event="match_day")
    assert row.history.count() == 1
    for url in (
        reverse("admin:assessments_seasondate_changelist"),
        reverse("admin:assessments_seasondate_history", args=[row.pk]),
    ):
        assert admin_client.get(url).status_code == 200

    after, _ = plan_compute(profile_data=data, today=TODAY)
    items = {m.code: m for m in after.timeline}
    assert items["match_day"].date == dt.date(2027, 3, 26) and not items["match_day"].estimated
    assert "Medical School Welcome Newsletter" in items["match_day"].source
    assert items["rank_list"].date == dt.date(2027, 3, 10)  # 16 days before the new Match Day


def test_admin_edits_start_level_and_yog_grades_of_a_specialty(admin_client):
    rule = SpecialtyRule.objects.get(specialty__code="EM")
    html = admin_client.get(reverse("admin:assessments_specialtyrule_change", args=[rule.pk]))
    assert "First year of training" in html.content.decode()
    data = profile_data(graduation_year=2018)  # 8 years: 3 past the limit of 5
    before, _ = plan_compute(profile_data=data, today=TODAY)
    assert next(f for f in before.red_flags if f.code == "yog_old").severity == "medium"
    rule.yog_just_past_years, rule.yog_well_past_years = 1, 2
    rule.start_level = "pgy2"
    rule.full_clean()
    rule.save()
    after, _ = plan_compute(profile_data=data, today=TODAY)
    assert next(f for f in after.red_flags if f.code == "yog_old").severity == "high"
    assert after.pgy1 is not None and after.pgy1["start_level"] == "pgy2"
    rule.yog_well_past_years = 1
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_admin_refuses_platform_fee_tiers_that_contradict_each_other(admin_client):
    from assessments.models import PlatformFeeSchedule

    rcas = PlatformFeeSchedule.objects.get(platform="ResidencyCAS", season=2026)
    url = reverse("admin:assessments_platformfeeschedule_change", args=[rcas.pk])
    form = admin_client.get(url).context["adminform"].form
    values = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in values.items()}
    assert rcas.base_programs == 18

    response = admin_client.post(url, {**data, "mid_until": 10})

    assert response.status_code == 200
    assert "Must not be under the 18 programs the flat fee covers" in response.content.decode()
    rcas.refresh_from_db()
    assert rcas.mid_until == 30
    assert admin_client.post(url, {**data, "mid_until": 18}).status_code == 302


def test_a_source_checked_in_the_future_is_refused(admin_client):
    from django.utils import timezone

    from assessments.models import Source

    source = Source.objects.get(key="saem_residencycas")
    checked = source.checked_on
    url = reverse("admin:assessments_source_change", args=[source.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    future = timezone.localdate() + dt.timedelta(days=30)

    response = admin_client.post(url, {**data, "checked_on": future.isoformat()})

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["checked_on"]
    assert "The last checked date cannot be in the future." in response.content.decode()
    source.refresh_from_db()
    assert source.checked_on == checked
    today = timezone.localdate().isoformat()
    assert admin_client.post(url, {**data, "checked_on": today}).status_code == 302


@pytest.mark.parametrize(
    ("model", "lookup", "field"),
    [
        ("PlatformFeeSchedule", {"platform": "ERAS"}, "confirmed_season"),
        ("PlatformFeeSchedule", {"platform": "ERAS"}, "transcript_confirmed_season"),
        ("PlatformFeeSchedule", {"platform": "ERAS"}, "token_confirmed_season"),
        ("SpecialtySeason", {"specialty__code": "IM"}, "signals_confirmed_season"),
        ("NrmpSeason", {}, "confirmed_season"),
    ],
)
def test_admin_refuses_figures_confirmed_for_a_season_after_the_rows_own(
    admin_client, model, lookup, field
):
    from assessments import models

    row = getattr(models, model).objects.get(season=2026, **lookup)
    before = getattr(row, field)
    url = reverse(f"admin:assessments_{model.lower()}_change", args=[row.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}

    response = admin_client.post(url, {**data, field: 2028})

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    assert "Cannot be later than this row&#x27;s season (2026)" in response.content.decode()
    row.refresh_from_db()
    assert getattr(row, field) == before
    assert admin_client.post(url, {**data, field: 2026}).status_code == 302
