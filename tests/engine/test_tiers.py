"""Tier bands on both sides of every boundary, and the adjustments by exam history and visa."""

from __future__ import annotations

import datetime as dt

import pytest

from assessments.engine import passing_standard
from tests.engine.helpers import codes, profile_data, run


def tier(score: int, specialty: str = "EM", **changes) -> str:
    data = profile_data(specialty=specialty, backup_specialties=[], **changes)
    data["step2ck"]["score"] = score
    return run(data).tier


@pytest.mark.parametrize(
    ("specialty", "score", "expected"),
    [
        # Emergency medicine: the article's table, 238 as the viable boundary.
        ("EM", 245, "strong"),
        ("EM", 244, "viable"),
        ("EM", 238, "viable"),
        ("EM", 237, "risk"),
        ("EM", 235, "risk"),
        ("EM", 225, "risk"),
        ("EM", 224, "high_risk"),
        # Preliminary surgery: the article's table.
        ("GS-PRELIM", 245, "strong"),
        ("GS-PRELIM", 244, "viable"),
        ("GS-PRELIM", 235, "viable"),
        ("GS-PRELIM", 234, "risk"),
        ("GS-PRELIM", 220, "risk"),
        ("GS-PRELIM", 219, "high_risk"),
        # Internal medicine: derived from the NRMP matched median 251.
        ("IM", 253, "strong"),
        ("IM", 252, "viable"),
        ("IM", 246, "viable"),
        ("IM", 245, "risk"),
        ("IM", 233, "risk"),
        ("IM", 232, "high_risk"),
        # Family medicine: median 230, the risk bound stops at the 218 passing score.
        # 232 is in the strong band but within 5 of the unmatched median 231: not strong.
        ("FM", 232, "viable"),
        ("FM", 236, "strong"),
        ("FM", 225, "viable"),
        ("FM", 218, "risk"),
        ("FM", 217, "high_risk"),
    ],
)
def test_bands_on_both_sides_of_each_boundary(specialty, score, expected):
    assert tier(score, specialty) == expected


def test_h1b_only_raises_every_band_by_five_points():
    assert tier(245, visa="h1b") == "viable"
    assert tier(250, visa="h1b") == "strong"
    assert tier(243, visa="h1b") == "viable"
    assert tier(242, visa="h1b") == "risk"
    assert tier(242, visa="j1") == "viable"
    result = run(profile_data(visa="h1b", step2ck__score=250))
    assert result.tier_steps[0].rule == "h1b_raises_bar"
    assert "raised by 5 points" in result.tier_steps[0].text


def test_either_visa_does_not_raise_the_bar():
    assert tier(245, visa="either") == "strong"


def test_one_step1_failure_caps_the_tier_at_viable():
    result = run(profile_data(step1={"result": "pass", "attempts": 2}, step2ck__score=255))
    assert result.tier == "viable"
    assert [s.rule for s in result.tier_steps] == ["step2ck_band", "failure_caps_tier"]
    assert result.tier_steps[0].tier == "strong"


def test_one_failure_with_step2ck_under_230_is_high_risk():
    assert tier(229, step1={"result": "pass", "attempts": 2}) == "high_risk"
    assert tier(230, step1={"result": "pass", "attempts": 2}) == "risk"


def test_two_failed_attempts_across_steps_mean_high_risk():
    result = run(profile_data(step1={"result": "pass", "attempts": 3}, step2ck__score=260))
    assert result.tier == "high_risk"
    assert result.tier_steps[-1].rule == "multiple_failures"
    # "more than one attempt" read as if a pass on the second attempt were high risk too,
    # while one failed attempt only caps the tier at viable.
    assert "more than one failed attempt is high risk" in result.tier_steps[-1].text


def test_step2ck_failure_after_step1_failure_is_high_risk():
    data = profile_data(step1={"result": "pass", "attempts": 2}, step2ck__attempts=2)
    data["step2ck"]["score"] = 250
    result = run(data)
    assert result.tier == "high_risk"
    assert result.tier_steps[-1].rule == "step2ck_failure_after_step1_failure"


def test_a_step2ck_retake_alone_caps_at_viable():
    assert tier(250, step2ck__attempts=2) == "viable"


def test_untaken_step2ck_is_projected_from_the_latest_practice_score():
    data = profile_data(
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-07-10",
            "practice_scores": [
                {"score": 231, "date": "2026-04-01"},
                {"score": 247, "date": "2026-05-20"},
            ],
        }
    )
    result = run(data)
    assert result.tier == "strong"
    assert result.projected is True
    assert result.score.kind == "projected"
    assert result.score.value == 247
    assert "projected" in result.tier_steps[0].text


def test_no_score_at_all_assumes_risk_and_says_so():
    data = profile_data(step2ck={"score": None, "attempts": 1, "planned_date": "2026-07-10"})
    result = run(data)
    assert result.tier == "risk"
    assert result.projected is True
    assert result.score.kind == "none"
    assert result.tier_steps[0].rule == "no_score_assumed_risk"
    assert "no_practice_score" in codes(result)


def test_no_score_with_two_failures_is_still_high_risk():
    data = profile_data(
        step1={"result": "pass", "attempts": 3},
        step2ck={"score": None, "attempts": 1, "planned_date": "2026-07-10"},
    )
    assert run(data).tier == "high_risk"


def test_backups_get_their_own_tier_from_their_own_bands():
    result = run(profile_data(step2ck__score=238, backup_specialties=["IM", "FM"]))
    assert [(b.code, b.tier) for b in result.backups] == [("IM", "risk"), ("FM", "strong")]


# --- the Step 2 CK passing standard depends on the test date ---------------------------------


@pytest.mark.parametrize(
    ("score", "test_date", "passed"),
    [
        (212, "2022-06-30", True),
        (212, "2022-07-01", False),
        (214, "2022-07-01", True),
        (216, "2022-07-01", True),
        (216, "2025-07-01", False),
        (217, "2025-07-01", False),
        (218, "2025-07-01", True),
        (217, "2025-06-30", True),
        (209, "2014-07-01", True),
        (208, "2014-07-01", False),
    ],
)
def test_step2ck_pass_follows_the_standard_of_its_test_date(score, test_date, passed):
    data = profile_data(
        step2ck={"score": score, "attempts": 1, "test_date": test_date},
        graduation_year=2012,
        application_year=2026,
    )
    result = run(data)
    assert result.score.passed is passed
    assert ("step2ck_failure" in codes(result)) is (not passed)


def test_passing_standard_steps():
    assert passing_standard(dt.date(2014, 6, 30)) == 209
    assert passing_standard(dt.date(2022, 6, 30)) == 209
    assert passing_standard(dt.date(2022, 7, 1)) == 214
    assert passing_standard(dt.date(2025, 6, 30)) == 214
    assert passing_standard(dt.date(2025, 7, 1)) == 218
