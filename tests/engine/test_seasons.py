"""The plan for a real applicant in the 2027 and 2028 seasons (issue 11's profiles).

Platforms per specialty, their fees, the ECFMG token, NRMP fees, signals, eligibility, the
H-1B order, the PGY-1 year, the choice between seasons, and the comparison group.
"""

from __future__ import annotations

import datetime as dt

from assessments import engine
from assessments.engine import platform_for
from assessments.plan_json import plan_to_dict
from assessments.season_data import DEFAULT_SEASON, DEFAULT_SEASONS
from tests.engine.helpers import profile_data, program, run

RCAS = DEFAULT_SEASON.platforms["ResidencyCAS"]
ERAS = DEFAULT_SEASON.platforms["ERAS"]


def em(**changes):
    base = {"backup_specialties": [], "step2ck__score": 246, "sloes": 2, "us_letters": 3}
    return profile_data(**{**base, **changes})


def test_residencycas_fees_reproduce_the_published_example():
    # SAEM's worked example: 46 EM programs cost $683 on ResidencyCAS.
    assert RCAS.cost(46) == 683
    assert RCAS.cost(1) == RCAS.cost(18) == 99
    # AAMC's examples: 43 IM programs $720 (330 + 13 x 30), 30 programs $330.
    assert ERAS.cost(43) == 720 and ERAS.cost(30) == 330


def test_platform_for_tells_which_platform_a_specialty_uses():
    assert platform_for("EM", 2027, DEFAULT_SEASONS) == "ResidencyCAS"
    assert platform_for("IM", 2027, DEFAULT_SEASONS) == "ERAS"
    assert platform_for("EM", 2027, {}) == "ERAS"


def test_em_is_priced_and_planned_on_residencycas():
    result = run(em())
    assert result.primary.platform == "ResidencyCAS"
    assert (result.primary.eras_cost_min, result.primary.eras_cost_max) == (
        RCAS.cost(35),
        RCAS.cost(45),
    )
    apps = result.applications
    assert apps.ecfmg_token == 0  # no ERAS, no ERAS token
    assert apps.transcript == 80
    assert apps.cost_min == RCAS.cost(35) + 80 + 75
    codes = {m.code for m in result.timeline}
    assert "residencycas_release" in codes and "eras_opens" not in codes
    texts = " ".join(a.text for a in result.actions)
    assert "Submit ERAS" not in texts
    assert "ResidencyCAS" in texts and "SLOEs to each program" in texts
    notes = " ".join(r.text for r in apps.notes)
    assert "ResidencyCAS fees for EM" in notes
    # The stored fees are the 2026 season's; this applicant is in the 2027 season.
    assert "figures of the 2026 season, the latest we could confirm" in notes
    out = plan_to_dict(result)
    assert out["season"]["platforms"] == {"EM": "ResidencyCAS"}
    assert out["applications"]["cost_breakdown"]["platforms"][0]["platform"] == "ResidencyCAS"


def test_a_later_season_says_the_figures_are_the_latest_confirmed():
    result = run(em(application_year=2027, graduation_year=2024), today=dt.date(2026, 12, 7))
    notes = " ".join(r.text for r in result.applications.notes)
    assert "figures of the 2026 season, the latest we could confirm" in notes
    assert "you apply in the 2028 season" in notes


def test_em_and_im_dual_applicant_runs_two_platforms_and_pays_two_transcripts():
    result = run(profile_data(step2ck__score=235, backup_specialties=["IM"]))
    apps = result.applications
    assert [p["platform"] for p in apps.platforms] == ["ResidencyCAS", "ERAS"]
    assert apps.transcript == 160 and apps.ecfmg_token == 165
    assert any(r.rule == "two_platforms" for r in apps.notes)
    texts = " ".join(a.text for a in result.actions)
    assert "Submit ERAS for IM" in texts and "ResidencyCAS application for EM" in texts
    codes = {m.code for m in result.timeline}
    assert {"residencycas_release", "eras_opens"} <= codes


def test_backups_the_plan_calls_unneeded_stay_out_of_the_cost():
    result = run(em(backup_specialties=["IM"]))  # strong EM: no dual application
    assert result.dual_apply.recommended is False
    assert [b.code for b in result.backups] == ["IM"]  # still shown
    assert result.applications.cost_min == RCAS.cost(35) + 80 + 75
    assert "left out of the cost" in result.dual_apply.reason


def _im_programs():
    P = program
    return [
        # targets that sponsor the J-1 and train IMGs: signal candidates
        *(
            P(name=f"Target {i}", specialty_code="IM", step2_typical=240, img_share=40)
            for i in range(4)
        ),
        P(name="Target no visa", specialty_code="IM", step2_typical=240, j1="no", h1b="no"),
        P(name="Target few IMGs", specialty_code="IM", step2_typical=240, img_share=5),
        P(name="Long shot", specialty_code="IM", step2_typical=260, img_share=40),
        P(name="Likely", specialty_code="IM", step2_typical=225, img_share=40),
    ]


def test_im_signals_are_proposed_from_the_plans_own_targets():
    result = run(
        profile_data(specialty="IM", backup_specialties=[], step2ck__score=240, sloes=0),
        programs=_im_programs(),
    )
    sig = next(x for x in result.signals if x["specialty"] == "IM")
    assert sig["total"] == 15
    assert [k["label"] for k in sig["kinds"]] == ["gold", "silver"]
    names = [p["name"] for p in sig["proposed"]]
    fits = {e.facts.name: e.fit for e in result.programs}
    assert names and all(fits[n] == "target" for n in names)
    assert "Long shot" not in names and "Likely" not in names
    assert "Target no visa" not in names and "Target few IMGs" not in names
    assert sig["proposed"][0]["kind"] == "gold"
    assert "Only" in sig["shortfall"]  # fewer candidates than 15 signals
    out = plan_to_dict(result)
    assert out["signals"][0]["proposed"][0]["reason"].startswith("A target for your profile")


def test_em_signals_carry_the_rotation_rule_and_say_the_platform_number_is_unconfirmed():
    result = run(em(), programs=[program(step2_typical=246, img_share=40)])
    sig = next(x for x in result.signals if x["specialty"] == "EM")
    assert "home or away rotation" in sig["text"]
    assert "ResidencyCAS" in sig["season_note"] and "not confirmed" in sig["season_note"]


def test_h1b_timeline_orders_certification_then_step3_then_petition():
    result = run(profile_data(visa="h1b"))
    by_code = {m.code: m for m in result.timeline}
    assert (
        by_code["ecfmg_certification"].date
        < by_code["step3_h1b"].date
        < by_code["h1b_petition"].date
    )
    assert "after ECFMG certification" in by_code["step3_h1b"].title
    assert any(a.code == "h1b_212e" for a in result.actions)


def test_four_failed_step1_attempts_get_a_kind_page_not_a_plan():
    result = run(
        profile_data(step1={"result": "fail", "attempts": 4}),
        programs=[program(), program()],
    )
    assert result.eligibility["eligible"] is False
    assert result.eligibility["steps"] == ["Step 1"]
    assert "ineligible" in result.eligibility["text"]
    assert result.programs == () and result.signals == ()
    assert result.eligibility["next_steps"]


def test_a_failed_latest_step2ck_gets_a_retake_action():
    result = run(profile_data(step2ck={"score": 210, "attempts": 1, "test_date": "2026-05-20"}))
    retake = [a for a in result.actions if a.code == "step2ck_retake"]
    assert retake and retake[0].impact == "high"
    assert "210" in retake[0].text and "218" in retake[0].text
    assert result.eligibility["eligible"] is True


def test_a_step1_not_passed_yet_gets_a_pass_step1_action_first():
    # Flagged ("Step 1 is not passed yet"), but no action asked to pass it: the first action
    # was an account of the failures "and the result that shows it worked".
    result = run(profile_data(step1={"result": "fail", "attempts": 2}))
    first = result.actions[0]
    assert first.code == "step1_retake" and first.impact == "high"
    assert first.text.startswith("Pass Step 1: 2 attempts have not passed yet.")
    assert first.how_much.startswith("Attempt 3 of at most 4")
    passed = run(profile_data(step1={"result": "pass", "attempts": 2}))
    assert "step1_retake" not in {a.code for a in passed.actions}


def test_a_step1_not_passed_yet_has_a_timeline_row_due_by_the_rank_list_deadline():
    # The action asked to pass Step 1 before the rank order list deadline, but the timeline
    # had no Step 1 row at all.
    result = run(profile_data(step1={"result": "fail", "attempts": 2}))
    by_code = {m.code: m for m in result.timeline}
    row = by_code["step1"]
    action = next(a for a in result.actions if a.code == "step1_retake")
    assert row.date == by_code["rank_list"].date and row.kind == "task"
    assert row.status == "due" and row.rule == action.rule
    assert row.note.startswith("Attempt 3 of at most 4: pass it before the rank order list")
    assert row.source == action.source
    not_taken = run(profile_data(step1={"result": "not_taken", "attempts": 1, "score": None}))
    assert next(m for m in not_taken.timeline if m.code == "step1").note.startswith("Not taken yet")
    passed = run(profile_data(step1={"result": "pass", "attempts": 2}))
    assert "step1" not in {m.code for m in passed.timeline}


def test_fm_just_above_the_unmatched_median_is_not_strong_and_says_the_score_does_not_separate():
    result = run(profile_data(specialty="FM", backup_specialties=[], step2ck__score=233, sloes=0))
    rules = [s.rule for s in result.tier_steps]
    assert "score_does_not_separate" in rules and "near_unmatched_median" in rules
    assert result.tier == "viable"


def test_radiology_adds_a_pgy1_year_with_its_applications_and_cost():
    data = profile_data(specialty="RAD", backup_specialties=[], step2ck__score=255, sloes=0)
    result = run(data)
    assert result.pgy1 is not None and result.pgy1["specialty"] == "IM-PRELIM"
    low = result.pgy1["applications"]["min"]
    assert result.applications.total_min == result.primary.applications_min + low
    assert "supplemental rank order lists" in result.pgy1["text"]
    assert result.applications.cost_min >= result.primary.eras_cost_min + ERAS.cost(low)
    assert run(em()).pgy1 is None


def test_testing_too_late_shows_this_season_or_next_side_by_side():
    late = profile_data(
        step2ck={"score": None, "attempts": 1, "planned_date": "2026-09-20"},
    )
    result = run(late)
    choice = result.season_choice
    assert choice is not None
    assert [o["key"] for o in choice["options"]] == ["now", "next"]
    assert "will not be in" in choice["why"]
    assert run(profile_data()).season_choice is None  # score in hand


def test_us_citizen_img_is_told_which_comparison_group_is_used():
    result = run(profile_data(visa="none", citizenship="us_citizen"))
    note = next(r for r in result.notes if r.rule == "comparison_group")
    assert "US citizen IMG" in note.text and "non-US IMGs only" in note.text
    pr = run(profile_data(visa="none", citizenship="permanent_resident"))
    assert "non-US IMG" in next(r for r in pr.notes if r.rule == "comparison_group").text


def test_the_residencycas_action_asks_for_the_same_submit_day_as_the_timeline():
    # The action said "Application complete before 01 October 2027" while the timeline said
    # to submit by 22 September, a week before release.
    result = run(em(application_year=2027), today=dt.date(2026, 12, 7))
    action = next(a for a in result.actions if a.code == "apply_early")
    release = next(m for m in result.timeline if m.code == "residencycas_release")
    assert "by 22 September 2027 (estimated)" in release.note
    assert action.how_much == "Application complete by 22 September 2027 (estimated)."


def test_a_plan_made_after_the_submit_by_day_says_submit_now_not_in_september():
    # In December of the application year the action still said "in September" and gave a
    # past day as the target.
    today = dt.date(2026, 12, 7)
    result = run(
        em(application_year=2026, backup_specialties=["IM"], step2ck__score=235), today=today
    )
    early = {a.text.split(" application")[0]: a for a in result.actions if a.code == "apply_early"}
    rcas, eras = early["Submit your ResidencyCAS"], early["Submit your ERAS"]
    assert "in September" not in rcas.text and "now if it is not in yet" in rcas.text
    assert "since 1 October 2026" in rcas.text
    assert rcas.how_much.startswith("The submit-by day, 23 September 2026 (estimated), has passed")
    assert "since 23 September 2026" in eras.text
    assert rcas.impact == eras.impact == "high"
    # A season whose rank lists are in gets no "submit now".
    over = run(em(application_year=2025, step2ck__test_date="2025-06-01"), today=today)
    (action,) = [a for a in over.actions if a.code == "apply_early"]
    assert "Submit" not in action.text
    assert "rank order list deadline has passed" in action.text and "next season" in action.text
    on_time = run(em(application_year=2027), today=today)
    action = next(a for a in on_time.actions if a.code == "apply_early")
    assert "in September" in action.text and action.impact == "low"


def test_the_timeline_speaks_of_the_visa_the_applicant_needs():
    # Every plan said "Visa, certification and (for an H-1B) Step 3 must all be in place" and
    # "Keep visa and certification papers ready", a US citizen's and a J-1 applicant's too.
    def notes(**changes):
        return {m.code: m.note for m in run(em(**changes)).timeline}

    citizen = notes(visa="none", citizenship="us_citizen")
    assert citizen["residency_start"] == "Certification must be in place."
    assert citizen["interviews"] == "Keep certification papers ready for interviews."
    assert notes()["residency_start"] == "Visa and certification must both be in place."
    h1b = notes(visa="h1b")
    assert h1b["residency_start"] == "Visa, certification and Step 3 must all be in place."
    assert h1b["interviews"] == "Keep visa and certification papers ready for interviews."
    assert "(for an H-1B)" in notes(visa="either")["residency_start"]


def test_the_h1b_action_does_not_ask_for_certification_and_step3_already_done():
    def how_much(**changes):
        result = run(em(visa="h1b", **changes))
        return next(a for a in result.actions if a.code == "h1b_212e").how_much

    assert how_much().startswith("Certification by the end of October, Step 3 soon after")
    assert how_much(ecfmg_certified=True) == (
        "Certification done: Step 3 soon, the petition after the Match."
    )
    assert how_much(ecfmg_certified=True, step3={"result": "pass"}) == (
        "Certification and Step 3 done: the petition comes after the Match."
    )


def test_an_applicant_who_needs_no_visa_is_not_told_to_target_visa_sponsors():
    # A permanent resident (visa "none"): the mix, the apply-early action and the signals all
    # aimed at "programs that sponsor your visa", which they do not need.
    data = profile_data(
        specialty="IM", backup_specialties=[], step2ck__score=240, sloes=0, visa="none"
    )
    data["citizenship"] = "permanent_resident"
    result = run(data, programs=_im_programs())
    words = [m.reason.text for p in (result.primary, *result.backups) for m in p.mix]
    words += [a.text for a in result.actions] + [s["text"] for s in result.signals]
    assert not [w for w in words if "visa" in w and "sponsor" in w]
    assert any("programs that already train IMGs" in w for w in words)
    j1 = run(profile_data(specialty="IM", backup_specialties=[], sloes=0))
    apply_early = next(a for a in j1.actions if a.code == "apply_early")
    assert "programs that sponsor your visa and already train IMGs" in apply_early.text


def test_observerships_are_not_hands_on_experience():
    # 2 observership months count as 1 weighted month, but no hands-on experience.
    result = run(profile_data(usce_months=1, usce_in_specialty_months=0, observership_months=2))
    assert "no_usce" in {f.code for f in result.red_flags}
    assert any(a.code == "observership_not_usce" for a in result.actions)


def test_j1_statement_of_need_names_each_specialty_of_a_dual_applicant():
    result = run(profile_data(step2ck__score=235, backup_specialties=["IM"]))
    son = next(a for a in result.actions if a.code == "j1_statement_of_need")
    assert "Emergency Medicine" in son.text and "Internal Medicine" in son.text


def test_the_statement_of_need_and_dual_action_count_the_specialties_they_name():
    # Radiology with two backups and its PGY-1 year said "with two specialties" before
    # naming four, and "Prepare a second application for IM, PATH".
    result = run(
        profile_data(specialty="RAD", backup_specialties=["IM", "PATH"], step2ck__score=244)
    )
    dual = next(a for a in result.actions if a.code == "dual_apply")
    assert dual.text.startswith("Prepare an application for each of IM and PATH: its own")
    son = next(a for a in result.actions if a.code == "j1_statement_of_need")
    assert "two specialties" not in son.text
    assert (
        "(with more than one specialty, the one you match into: Diagnostic Radiology, "
        "Internal Medicine, Pathology or Internal Medicine (preliminary))." in son.text
    )


def test_nrmp_late_fee_after_the_standard_deadline():
    result = run(em(), today=dt.date(2026, 12, 7))
    assert result.applications.nrmp_late_fee == 50
    assert run(em()).applications.nrmp_late_fee == 0


def test_every_season_source_is_citable():
    for src in DEFAULT_SEASON.sources.values():
        assert src.title and src.publisher and src.season and src.checked_on
        assert src.url or not src.confirmed  # a confirmed fact always has a link
    assert engine.PLATFORM_RCAS in DEFAULT_SEASON.platforms


def test_years_since_graduation_is_graded():
    assert engine.yog_grade(5, 5) == "within"
    assert engine.yog_grade(7, 5) == "just_past"
    assert engine.yog_grade(10, 5) == "well_past"
    assert engine.yog_grade(12, 5) == "far_past"
    flag = next(f for f in run(profile_data(graduation_year=2012)).red_flags if f.code == "yog_old")
    assert flag.severity == "high" and "9 years past the common cutoff" in flag.message
    mild = next(f for f in run(profile_data(graduation_year=2020)).red_flags if f.code == "yog_old")
    assert mild.severity == "medium" and "1 year past" in mild.message


def _citations(out: dict) -> str:
    out = dict(out)
    out.pop("programs"), out.pop("excluded_programs"), out.pop("sources")
    return repr(out)


def test_a_specialtys_advice_never_cites_another_specialtys_article():
    im = plan_to_dict(
        run(
            profile_data(
                specialty="IM",
                backup_specialties=[],
                step1={"result": "pass", "attempts": 2},
                step2ck__score=233,
                sloes=0,
            )
        )
    )
    text = _citations(im)
    assert engine.SRC_EM not in text and engine.SRC_GS not in text
    assert engine.SRC_GENERAL in text
    em = _citations(plan_to_dict(run(profile_data(step1={"result": "pass", "attempts": 2}))))
    assert engine.SRC_EM in em and engine.SRC_GS not in em
    gs = _citations(
        plan_to_dict(run(profile_data(specialty="GS-PRELIM", backup_specialties=[], sloes=0)))
    )
    assert engine.SRC_GS in gs and engine.SRC_EM not in gs
