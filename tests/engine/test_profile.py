"""parse_profile validates every key and reports every invalid field at once."""

from __future__ import annotations

import datetime as dt

import pytest

from assessments.profile import (
    PracticeScore,
    ProfileError,
    parse_profile,
    profile_to_dict,
)
from tests.engine.helpers import EXAMPLE, TODAY, profile_data


def errors_of(data, **kwargs) -> dict[str, str]:
    with pytest.raises(ProfileError) as info:
        parse_profile(data, today=TODAY, **kwargs)
    return info.value.errors


def test_it_parses_the_issue_example():
    profile = parse_profile(EXAMPLE, today=TODAY)
    assert profile.specialty == "EM"
    assert profile.backup_specialties == ("IM",)
    assert profile.step2ck.score == 238
    assert profile.step2ck.test_date == dt.date(2026, 5, 20)
    assert profile.preferred_states == ("NY", "TX")
    assert profile.budget_usd == 1500


def test_profile_to_dict_round_trips():
    data = profile_data(
        step2ck={
            "score": None,
            "attempts": 2,
            "test_date": None,
            "planned_date": "2026-07-15",
            "practice_scores": [{"score": 230, "date": "2026-05-01", "form": "NBME 13"}, 235],
        },
        oet_passed=True,
        usce_months=2.5,
    )
    profile = parse_profile(data, today=TODAY)
    again = parse_profile(profile_to_dict(profile), today=TODAY)
    assert again == profile
    assert profile_to_dict(profile)["usce_months"] == 2.5


def test_optional_keys_may_be_left_out():
    data = profile_data()
    for key in ("budget_usd", "preferred_states", "program_types"):
        del data[key]
    profile = parse_profile(data, today=TODAY)
    assert profile.budget_usd is None
    assert profile.preferred_states == ()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"specialty": "CARDIO"}, "specialty"),
        ({"visa": "green_card"}, "visa"),
        ({"step2ck__score": 301}, "step2ck.score"),
        ({"step2ck__score": 0}, "step2ck.score"),
        ({"step2ck__attempts": 5}, "step2ck.attempts"),
        ({"step2ck__attempts": 0}, "step2ck.attempts"),
        ({"step1__attempts": 5}, "step1.attempts"),
        ({"step1__result": "passed"}, "step1.result"),
        ({"step1__score": 400}, "step1.score"),
        ({"step3__result": "maybe"}, "step3.result"),
        ({"graduation_year": 2040}, "graduation_year"),
        ({"graduation_year": 1900}, "graduation_year"),
        ({"application_year": 2040}, "application_year"),
        ({"application_year": 2020}, "application_year"),
        ({"step2ck__test_date": "2026-02-30"}, "step2ck.test_date"),
        ({"step2ck__test_date": "20 May 2026"}, "step2ck.test_date"),
        ({"step2ck__test_date": None}, "step2ck.test_date"),
        ({"step2ck__test_date": "2026-12-01"}, "step2ck.test_date"),
        ({"step2ck__planned_date": "soon"}, "step2ck.planned_date"),
        ({"ecfmg_certified": "no"}, "ecfmg_certified"),
        ({"us_letters": True}, "us_letters"),
        ({"us_letters": -1}, "us_letters"),
        ({"sloes": 2.5}, "sloes"),
        ({"usce_months": "3"}, "usce_months"),
        ({"usce_in_specialty_months": 4}, "usce_in_specialty_months"),
        ({"preferred_states": ["NY", "XX"]}, "preferred_states[1]"),
        ({"preferred_states": "NY"}, "preferred_states"),
        ({"program_types": ["hospital"]}, "program_types[0]"),
        ({"backup_specialties": ["EM"]}, "backup_specialties"),
        ({"backup_specialties": ["IM", "IM"]}, "backup_specialties[1]"),
        ({"budget_usd": -5}, "budget_usd"),
        ({"step2ck__practice_scores": [500]}, "step2ck.practice_scores[0]"),
        (
            {"step2ck__practice_scores": [{"score": 240, "date": "x"}]},
            "step2ck.practice_scores[0].date",
        ),
        (
            {"step2ck__practice_scores": [{"score": 240, "extra": 1}]},
            "step2ck.practice_scores[0].extra",
        ),
        ({"step1": "pass"}, "step1"),
        ({"sloe": 2}, "sloe"),
        ({"step2ck__nbme": 240}, "step2ck.nbme"),
    ],
)
def test_it_rejects_invalid_values_naming_the_field(changes, field):
    errors = errors_of(profile_data(**changes))
    assert field in errors, errors


def test_it_rejects_score_above_300():
    assert "Must be from 1 to 300" in errors_of(profile_data(step2ck__score=301))["step2ck.score"]


def test_it_reports_every_invalid_field_at_once():
    errors = errors_of(profile_data(specialty="XX", visa="j2", step2ck__score=999, us_letters=-1))
    assert {"specialty", "visa", "step2ck.score", "us_letters"} <= set(errors)


def test_missing_required_keys_are_named():
    data = profile_data()
    del data["sloes"]
    del data["step1"]["attempts"]
    errors = errors_of(data)
    assert errors["sloes"] == "This key is required."
    assert "step1.attempts" in errors


def test_a_non_object_is_rejected():
    assert errors_of([1, 2]) == {"(profile)": "The profile must be a JSON object."}


def test_specialty_codes_come_from_the_caller():
    errors = errors_of(profile_data(), specialty_codes={"IM"})
    assert "specialty" in errors


def test_a_student_may_apply_the_year_before_graduating():
    assert parse_profile(profile_data(graduation_year=2027), today=TODAY).graduation_year == 2027
    assert "graduation_year" in errors_of(profile_data(graduation_year=2028))


def test_not_taken_with_several_attempts_is_inconsistent():
    errors = errors_of(profile_data(step1={"result": "not_taken", "attempts": 2}))
    assert "step1.attempts" in errors


def test_certification_needs_step1_passed():
    errors = errors_of(profile_data(ecfmg_certified=True, step1={"result": "fail", "attempts": 1}))
    assert "ecfmg_certified" in errors


def test_latest_practice_score_is_the_most_recent_dated_one():
    profile = parse_profile(
        profile_data(
            step2ck={
                "score": None,
                "attempts": 1,
                "practice_scores": [
                    {"score": 250, "date": "2026-05-01"},
                    {"score": 230, "date": "2026-04-01"},
                ],
            }
        ),
        today=TODAY,
    )
    assert profile.step2ck.latest_practice == PracticeScore(250, dt.date(2026, 5, 1))


def test_state_codes_match_the_program_catalogue():
    from assessments.profile import STATE_CODES
    from programs.models import US_STATE_CODES

    assert STATE_CODES == US_STATE_CODES


def test_program_types_match_the_program_catalogue():
    from assessments.profile import PROGRAM_TYPES
    from programs.models import ProgramType

    # "unknown" is a catalog value (the source did not say), never a preference.
    assert set(PROGRAM_TYPES) == set(ProgramType.values) - {ProgramType.UNKNOWN}
