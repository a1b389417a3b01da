"""The articles' worked scenarios and FAQ cases, as plans."""

from __future__ import annotations

from tests.engine.helpers import codes, profile_data, run


def em(**changes):
    base = {
        "backup_specialties": [],
        "sloes": 2,
        "us_letters": 3,
        "usce_months": 3,
        "usce_in_specialty_months": 3,
    }
    base.update(changes)
    return profile_data(**base)


# --- emergency medicine article -------------------------------------------------------------


def test_em_scenario_1_strong_score_average_background():
    # Step 1 passed first time, Step 2 CK 248, one US EM rotation, little research.
    result = run(
        em(
            step2ck__score=248,
            usce_months=1,
            usce_in_specialty_months=1,
            sloes=1,
            publications=0,
            presentations=0,
        )
    )
    assert result.tier == "strong"
    assert (result.applications.min, result.applications.max) == (35, 45)
    academic, community = result.applications.mix
    assert (academic.min, academic.max) == (16, 20)  # article: 15-20 academic
    assert (community.min, community.max) == (19, 25)  # article: 20-25 community/hybrid
    assert result.dual_apply.recommended is False
    assert "fewer specialties" in result.dual_apply.reason
    actions = [a.code for a in result.actions]
    assert "sloes" in actions  # at least 2 SLOEs
    assert "usce" in actions


def test_em_scenario_2_step1_repeat_and_233():
    result = run(
        em(
            step1={"result": "pass", "attempts": 2},
            step2ck__score=233,
            specialty_experience_years=4,
            presentations=2,
        )
    )
    assert result.tier == "risk"
    assert "step1_failure" in codes(result)
    assert result.applications.min <= 60 and result.applications.max >= 80  # 60-80 EM programs
    assert result.dual_apply.recommended is True
    # Partners are ranked by the tier the applicant would have in each: at 233 with a repeat,
    # FM is viable and IM at risk, so FM comes first.
    assert result.dual_apply.specialties == ("FM",)
    assert "FM viable, IM at risk" in result.dual_apply.reason
    assert [a.code for a in result.actions][:3].count("failure_narrative") == 1
    # Two reasons read as two reasons ("... and of a failed Step 1 attempt" before).
    assert "because your EM tier is at risk and because of a failed Step 1 attempt" in (
        result.dual_apply.reason
    )
    story = next(a for a in result.actions if a.code == "failure_narrative")
    assert story.text.startswith("Write a short account of the failed attempt:")


def test_several_failed_attempts_get_one_account_of_all_of_them():
    result = run(
        em(step1={"result": "pass", "attempts": 2}, step2ck__score=221, step2ck__attempts=2)
    )
    story = next(a for a in result.actions if a.code == "failure_narrative")
    assert story.text.startswith("Write a short account of the failed attempts:")


def test_em_scenario_3_borderline_score_excellent_rotations():
    result = run(em(step2ck__score=226, usce_months=3, sloes=3))
    assert result.tier == "risk"
    assert result.dual_apply.recommended is True
    assert "no_sloe" not in codes(result)
    assert result.applications.max >= 80  # apply very broadly
    assert any(m.code == "soap" for m in result.timeline)


def test_em_faq_245_strong_and_235_to_237_counted_at_risk():
    assert run(em(step2ck__score=245)).tier == "strong"
    at_236 = run(em(step2ck__score=236))
    assert at_236.tier == "risk"
    assert at_236.dual_apply.recommended is True


def test_em_faq_strong_step2ck_partly_offsets_a_step1_failure():
    result = run(em(step1={"result": "pass", "attempts": 2}, step2ck__score=246))
    assert result.tier == "viable"
    assert any(s.rule == "failure_caps_tier" for s in result.tier_steps)
    assert result.dual_apply.recommended is True  # a failed attempt is a major red flag
    assert result.dual_apply.rule == "dual_apply_red_flag"


def test_em_faq_practice_far_below_target_means_reschedule():
    data = em(
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-07-20",
            "practice_scores": [{"score": 220, "date": "2026-05-25"}],
        }
    )
    result = run(data)
    assert "practice_below_target" in codes(result)
    assert result.actions[0].code == "step2ck_reschedule"
    assert "18 points" in result.actions[0].how_much  # 238 - 220


def test_em_faq_late_step2ck_is_flagged():
    data = em(
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-08-20",
            "practice_scores": [245],
        }
    )
    assert "step2ck_late" in codes(run(data))
    data["step2ck"]["planned_date"] = "2026-08-05"
    assert "step2ck_late" not in codes(run(data))


def test_em_faq_under_235_means_dual_apply_with_im_or_fm():
    result = run(em(step2ck__score=232))
    assert result.dual_apply.recommended is True
    # 232 is high risk in IM but strong-capped in FM: the better partner is chosen.
    assert result.dual_apply.specialties == ("FM",)
    assert [b.code for b in result.backups] == ["FM"]


def test_em_faq_major_red_flag_alone_means_dual_apply():
    result = run(em(step2ck__score=246, usce_months=0, usce_in_specialty_months=0))
    assert result.tier == "strong"
    assert result.dual_apply.recommended is True
    assert "no hands-on US clinical experience" in result.dual_apply.reason
    assert "no_usce" not in result.dual_apply.reason  # no internal codes in sentences


def test_em_high_risk_says_to_reconsider_the_specialty():
    result = run(em(step2ck__score=220))
    assert result.tier == "high_risk"
    assert "first choice" in result.dual_apply.reason


# --- preliminary surgery article ------------------------------------------------------------


def gs(**changes):
    base = {
        "specialty": "GS-PRELIM",
        "backup_specialties": [],
        "sloes": 0,
        "us_letters": 3,
        "usce_months": 3,
        "usce_in_specialty_months": 3,
    }
    base.update(changes)
    return profile_data(**base)


def test_gs_faq_225_is_risk_with_a_parallel_plan():
    result = run(gs(step2ck__score=225))
    assert result.tier == "risk"
    assert result.dual_apply.recommended is True
    assert result.dual_apply.specialties == ("IM-PRELIM",)
    assert "preliminary medicine" in result.dual_apply.reason
    assert (result.applications.min, result.applications.max) == (100, 120)


def test_gs_under_220_is_high_risk_with_prelim_medicine_in_parallel():
    result = run(gs(step2ck__score=215, step2ck__test_date="2025-06-01"))
    assert result.tier == "high_risk"
    assert result.dual_apply.recommended is True
    assert "IM-PRELIM" in result.dual_apply.specialties
    assert [b.code for b in result.backups] == ["IM-PRELIM"]


def test_gs_faq_step1_failure_passed_second_attempt_needs_230():
    # Not taken yet: the advice names 230 as the floor after a failure.
    data = gs(
        step1={"result": "pass", "attempts": 2},
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-07-01",
            "practice_scores": [236],
        },
    )
    result = run(data)
    assert result.tier == "viable"  # projected 236, one failure: capped at viable at most
    prepare = next(a for a in result.actions if a.code == "step2ck_prepare")
    assert "230" in prepare.text
    # With a real score of 232 the failure is offset (at risk); under 230 it is not.
    assert run(gs(step1={"result": "pass", "attempts": 2}, step2ck__score=232)).tier == "risk"
    assert run(gs(step1={"result": "pass", "attempts": 2}, step2ck__score=228)).tier == "high_risk"


def test_gs_step2ck_failure_after_step1_failure_closes_surgical_doors():
    data = gs(step1={"result": "pass", "attempts": 2}, step2ck__attempts=2, step2ck__score=240)
    result = run(data)
    assert result.tier == "high_risk"
    flag = next(f for f in result.red_flags if f.code == "step2ck_failure")
    assert "surgical" in flag.message


def test_gs_strong_mixes_in_categorical_surgery():
    result = run(gs(step2ck__score=250))
    assert result.tier == "strong"
    assert result.applications.mix[0].label == "categorical general surgery"
    assert run(gs(step2ck__score=225)).applications.mix[0].label != "categorical general surgery"
