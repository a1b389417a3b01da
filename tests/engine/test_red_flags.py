"""Every red flag code: raised when its condition holds, absent otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.engine.helpers import codes, profile_data, run

CLEAN = {
    "ecfmg_certified": True,
    "usce_months": 3,
    "us_letters": 3,
    "sloes": 2,
    "graduation_year": 2024,
    "backup_specialties": [],
}


def clean(**changes):
    return profile_data(**{**CLEAN, **changes})


def test_a_clean_profile_has_no_red_flags():
    assert codes(run(clean())) == set()


@pytest.mark.parametrize(
    ("changes", "code", "severity"),
    [
        ({"step1": {"result": "pass", "attempts": 2}}, "step1_failure", "high"),
        ({"step2ck__attempts": 2}, "step2ck_failure", "high"),
        (
            {"step1": {"result": "pass", "attempts": 2}, "step3": {"result": "fail"}},
            "multiple_attempts",
            "high",
        ),
        ({"graduation_year": 2019}, "yog_old", "medium"),
        ({"visa": "h1b"}, "h1b_requires_step3", "high"),
        ({"usce_months": 0, "usce_in_specialty_months": 0}, "no_usce", "high"),
        ({"us_letters": 0}, "no_us_letters", "high"),
        ({"sloes": 0}, "no_sloe", "high"),
        ({"ecfmg_certified": False}, "ecfmg_pending", "low"),
    ],
)
def test_each_flag_has_its_code_and_severity(changes, code, severity):
    result = run(clean(**changes))
    flag = next(f for f in result.red_flags if f.code == code)
    assert flag.severity == severity
    assert flag.message and flag.rule and flag.source


def test_step1_not_passed_is_a_step1_failure():
    data = clean(step1={"result": "fail", "attempts": 1}, ecfmg_certified=False)
    assert "step1_failure" in codes(run(data))


def test_failed_step2ck_score_is_flagged_with_the_standard():
    result = run(clean(step2ck__score=215))
    flag = next(f for f in result.red_flags if f.code == "step2ck_failure")
    assert "218" in flag.message


def test_yog_limit_is_the_rule_parameter():
    assert "yog_old" not in codes(run(clean(graduation_year=2021)))  # 5 years: at the limit
    assert "yog_old" in codes(run(clean(graduation_year=2020)))


def test_h1b_flag_clears_with_step3_passed_and_ignores_j1():
    assert "h1b_requires_step3" not in codes(run(clean(visa="h1b", step3={"result": "pass"})))
    assert "h1b_requires_step3" not in codes(run(clean(visa="j1")))


def test_step2ck_late_when_planned_after_early_august_or_unbooked_after_it():
    late = clean(
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-08-11",
            "practice_scores": [245],
        }
    )
    assert "step2ck_late" in codes(run(late))
    on_time = clean(
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-08-10",
            "practice_scores": [245],
        }
    )
    assert "step2ck_late" not in codes(run(on_time))
    unbooked = clean(step2ck={"score": None, "attempts": 1, "practice_scores": [245]})
    assert "step2ck_late" not in codes(run(unbooked))
    assert "step2ck_late" in codes(run(unbooked, today=dt.date(2026, 8, 11)))


def test_practice_below_target_at_15_points_under_the_viable_band():
    def practice(score):
        return clean(
            step2ck={
                "score": None,
                "attempts": 1,
                "planned_date": "2026-07-01",
                "practice_scores": [score],
            }
        )

    assert "practice_below_target" in codes(run(practice(223)))  # 238 - 15
    assert "practice_below_target" not in codes(run(practice(224)))


def test_no_sloe_only_for_specialties_that_use_sloes():
    assert "no_sloe" not in codes(run(clean(specialty="IM", sloes=0)))


def test_ecfmg_pending_is_medium_once_eras_opens():
    result = run(clean(ecfmg_certified=False), today=dt.date(2026, 10, 1))
    flag = next(f for f in result.red_flags if f.code == "ecfmg_pending")
    assert flag.severity == "medium"


def test_flags_are_ordered_by_severity():
    result = run(clean(ecfmg_certified=False, us_letters=0, graduation_year=2015))
    severities = [f.severity for f in result.red_flags]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
