"""plan_create stores an immutable snapshot; the what-if recomputes without saving."""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch

import pytest

from assessments import engine
from assessments.models import AssessmentDraft, Plan, SpecialtyRule
from assessments.plans.reader import plan_output
from assessments.profile import ProfileError
from assessments.services import plan_create, plan_whatif, whatif_profile
from tests.factories import UserFactory, em_programs, make_plan, profile_data

pytestmark = pytest.mark.django_db


def test_plan_create_stores_answers_inputs_and_output():
    user = UserFactory()
    programs = em_programs(3)

    plan = make_plan(user)

    plan.refresh_from_db()
    assert plan.owner == user
    assert plan.engine_version == engine.ENGINE_VERSION
    assert plan.specialty_code == "EM"
    assert plan.tier == plan.output["tier"] == "viable"
    assert plan.red_flag_count == len(plan.output["red_flags"])
    assert plan.profile == profile_data()
    assert plan.inputs["rules"]["EM"]["strong_min"] == 245
    assert plan.inputs["fees"]["eras_fee_first_tier"] == 11
    listed = {p["id"]: p for p in plan_output(plan)["programs"]}
    assert set(listed) == {p.pk for p in programs}
    assert listed[programs[0].pk]["name"] == programs[0].name  # program facts are in the snapshot


def test_plan_create_copies_the_answers_it_was_given():
    data = profile_data()
    plan = plan_create(owner=None, profile_data=data)
    data["step2ck"]["score"] = 260
    plan.refresh_from_db()
    assert plan.profile["step2ck"]["score"] == 238


def test_plan_create_rejects_invalid_answers_and_stores_nothing():
    with pytest.raises(ProfileError) as error:
        plan_create(owner=None, profile_data=profile_data(step2ck__score=301))
    assert "step2ck.score" in error.value.errors
    assert not Plan.objects.exists()


def test_an_anonymous_plan_hands_its_token_to_the_session_sink():
    seen = []
    plan = plan_create(owner=None, profile_data=profile_data(), session_token_sink=seen.append)
    assert seen == [plan.token]
    assert plan.owner is None


def test_an_account_plan_does_not_touch_the_session_sink():
    seen = []
    plan_create(owner=UserFactory(), profile_data=profile_data(), session_token_sink=seen.append)
    assert seen == []


def test_whatif_profile_changes_only_what_was_asked():
    base = profile_data()
    changed = whatif_profile(base, step2ck_score=250)
    assert changed["step2ck"]["score"] == 250
    assert changed["step2ck"]["test_date"] == base["step2ck"]["test_date"]
    assert changed["visa"] == "j1" and changed["specialty"] == "EM"
    assert base["step2ck"]["score"] == 238  # the saved answers are not touched


def test_whatif_score_for_a_step_not_yet_taken_counts_as_taken_today():
    base = profile_data(
        step2ck={
            "score": None,
            "attempts": 1,
            "test_date": None,
            "planned_date": "2030-01-01",
            "practice_scores": [230],
        }
    )
    changed = whatif_profile(base, step2ck_score=241, today=dt.date(2026, 3, 4))
    assert changed["step2ck"]["score"] == 241
    assert changed["step2ck"]["test_date"] == "2026-03-04"
    assert changed["step2ck"]["planned_date"] is None


def test_whatif_new_primary_specialty_leaves_the_backups():
    changed = whatif_profile(profile_data(), specialty="IM")
    assert changed["specialty"] == "IM"
    assert changed["backup_specialties"] == []


def test_plan_whatif_recomputes_and_saves_nothing():
    em_programs(2)
    user = UserFactory()
    plan = make_plan(user)
    AssessmentDraft.objects.create(owner=user, answers={"specialty": "EM"})
    draft_before = AssessmentDraft.objects.values("answers", "updated_at").get()

    output = plan_whatif(plan=plan, step2ck_score=250)

    assert output["tier"] == "strong"
    # The panel shows tiers, flags and counts: the program lists are left out, counts stay.
    assert output["programs"] == [] and output["excluded_programs"] == []
    assert output["program_counts"]["listed"] == 2
    assert Plan.objects.count() == 1
    plan.refresh_from_db()
    assert plan.tier == "viable" and plan.output["tier"] == "viable"
    assert AssessmentDraft.objects.values("answers", "updated_at").get() == draft_before


def test_a_repeated_what_if_is_read_from_the_shared_cache():
    em_programs(2)
    plan = make_plan(UserFactory())
    first = plan_whatif(plan=plan, step2ck_score=250)

    with patch("assessments.services.engine.assess", wraps=engine.assess) as assess:
        again = plan_whatif(plan=plan, step2ck_score=250)
        assert again == first and not assess.called
        other = plan_whatif(plan=plan, step2ck_score=230)  # a value not asked before
    assert assess.call_count == 1 and other["tier"] != first["tier"]


def test_a_cached_what_if_sees_a_catalog_edit_at_once():
    programs = em_programs(2)
    plan = make_plan(UserFactory())
    assert plan_whatif(plan=plan, step2ck_score=250)["program_counts"]["listed"] == 2

    programs[0].accepting_applications = "no"
    programs[0].save()

    after = plan_whatif(plan=plan, step2ck_score=250)
    assert after["program_counts"]["listed"] == 1
    assert after["excluded"]["not_accepting"] == 1


def test_a_cached_what_if_sees_a_rule_edit_at_once():
    em_programs(2)
    plan = make_plan(UserFactory())
    assert plan_whatif(plan=plan, step2ck_score=250)["tier"] == "strong"

    SpecialtyRule.objects.filter(specialty__code="EM").update(strong_min=255)
    SpecialtyRule.objects.get(specialty__code="EM").save()  # as an admin edit does: the signal runs

    assert plan_whatif(plan=plan, step2ck_score=250)["tier"] == "viable"
