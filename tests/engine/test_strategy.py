"""Costs from the fee schedule, budget coverage, ranks, timeline and action order."""

from __future__ import annotations

import datetime as dt

from assessments.engine import eras_opens, match_day, rank_list_deadline
from assessments.rules import DEFAULT_FEES
from assessments.season_data import DEFAULT_SEASON
from tests.engine.helpers import profile_data, run


def test_eras_fees_are_tiered_per_specialty():
    assert DEFAULT_FEES.eras_cost(30) == 330
    assert DEFAULT_FEES.eras_cost(31) == 360
    assert DEFAULT_FEES.eras_cost(60) == 330 + 30 * 30


def test_nrmp_charges_ranks_beyond_twenty():
    assert DEFAULT_FEES.nrmp_cost(20) == 75
    assert DEFAULT_FEES.nrmp_cost(24) == 75 + 4 * 30


def test_plan_cost_adds_each_platform_its_transcript_the_token_and_nrmp():
    # EM at 235 (at risk, dual application advised) with IM: EM on ResidencyCAS, IM on ERAS.
    result = run(profile_data(step2ck__score=235, backup_specialties=["IM"]))
    apps = result.applications
    rcas = DEFAULT_SEASON.platforms["ResidencyCAS"]
    eras = DEFAULT_SEASON.platforms["ERAS"]
    em_low, em_high = rcas.cost(60), rcas.cost(90)
    im_low, im_high = eras.cost(70), eras.cost(100)  # IM is at risk at 235
    assert em_low == 99 + 12 * 18 + 30 * 23
    nrmp = 75 + 4 * 30  # 12 EM + 12 IM ranks
    fixed = 80 + 80 + 165 + nrmp  # two transcripts, the ECFMG token, NRMP
    assert (apps.cost_min, apps.cost_max) == (em_low + im_low + fixed, em_high + im_high + fixed)
    assert apps.transcript == 160 and apps.ecfmg_token == 165
    assert [p["platform"] for p in apps.platforms] == ["ResidencyCAS", "ERAS"]
    assert result.ranks.total == 24


def test_budget_coverage():
    base = profile_data(step2ck__score=246, backup_specialties=[])  # strong: 35-45
    # EM is priced on ResidencyCAS; no ECFMG token (ERAS is not used), no late fee in June.
    low = 99 + 12 * 18 + 5 * 23 + 80 + 75
    high = 99 + 12 * 18 + 15 * 23 + 80 + 75
    assert (run(base).applications.cost_min, run(base).applications.cost_max) == (low, high)
    for budget, covers in ((high, "max"), (high - 1, "min"), (low, "min"), (low - 1, "below_min")):
        base["budget_usd"] = budget
        assert run(base).applications.budget.covers == covers
    base["budget_usd"] = 1000
    budget = run(base).applications.budget
    # 1000 - 80 - 75 = 845 on ResidencyCAS: 18 programs for 99, 12 more at 18 (216), then 23
    # more at 23 (529) = 53
    assert budget.affordable_primary_applications == 53
    assert budget.shortfall_for_min_usd == 0
    assert "$1,000" in budget.reason.text


def test_no_budget_no_coverage():
    data = profile_data()
    del data["budget_usd"]
    assert run(data).applications.budget is None


def test_calendar_dates():
    assert eras_opens(2025) == dt.date(2025, 9, 24)
    assert match_day(2024) == dt.date(2025, 3, 21)  # third Friday of March
    assert match_day(2023) == dt.date(2024, 3, 15)
    assert rank_list_deadline(2024) == dt.date(2025, 3, 5)


def test_timeline_statuses_follow_today_and_the_profile():
    data = profile_data(
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-07-10",
            "practice_scores": [240],
        },
        ecfmg_certified=False,
    )
    early = {m.code: m for m in run(data, today=dt.date(2026, 6, 1)).timeline}
    assert early["step2ck"].status == "due"
    assert early["match_day"].status == "due"
    late = {m.code: m for m in run(data, today=dt.date(2026, 8, 15)).timeline}
    assert late["step2ck"].status == "overdue"
    data["step2ck"] = {"score": 240, "attempts": 1, "test_date": "2026-05-01"}
    done = {m.code: m for m in run(data, today=dt.date(2026, 8, 15)).timeline}
    assert done["step2ck"].status == "done"
    dates = [m.date for m in run(data).timeline]
    assert dates == sorted(dates)


def test_step3_milestone_only_when_an_h1b_may_be_needed():
    assert "step3_h1b" not in {m.code for m in run(profile_data(visa="j1")).timeline}
    h1b = {m.code: m for m in run(profile_data(visa="h1b")).timeline}
    # Certification first, then Step 3, then the petition after the Match.
    assert h1b["ecfmg_certification"].date < h1b["step3_h1b"].date < h1b["h1b_petition"].date
    assert h1b["step3_h1b"].date == dt.date(2027, 1, 31)
    assert h1b["match_day"].date == dt.date(2027, 3, 19)


def test_actions_are_ordered_by_impact_and_say_how_much():
    data = profile_data(
        step2ck__score=236,
        usce_months=1,
        usce_in_specialty_months=0,
        us_letters=0,
        sloes=0,
        visa="h1b",
    )
    result = run(data)
    impacts = [a.impact for a in result.actions]
    assert impacts == sorted(impacts, key=["high", "medium", "low"].index)
    by_code = {a.code: a for a in result.actions}
    assert by_code["usce"].how_much.startswith("2 more months")
    assert by_code["us_letters"].how_much == "3 more to reach 3."
    assert by_code["sloes"].how_much == "2 more SLOEs to reach 2."
    assert by_code["step3_for_h1b"].impact == "high"
    assert all(a.rule and a.source for a in result.actions)


def test_the_step2ck_target_does_not_speak_of_practice_scores_the_applicant_lacks():
    # With no practice score it said "Target 238: keep your practice scores there".
    data = profile_data(step2ck__score=None, step2ck__test_date=None, step2ck__practice_scores=[])
    data["step2ck"]["planned_date"] = "2027-07-15"
    action = next(a for a in run(data).actions if a.code == "step2ck_prepare")
    assert "keep your practice scores there" not in action.how_much
    assert "no practice score yet" in action.how_much


def test_the_budget_note_says_what_the_count_beside_the_backups_counts():
    # It read "it pays for 58 IM applications, or 11 beside the minimum for FM": 11 what?
    data = profile_data(
        specialty="IM", backup_specialties=["FM"], step2ck__score=238, sloes=0, budget_usd=1500
    )
    budget = run(data).applications.budget
    assert f"or {budget.affordable_with_backups} IM applications beside the minimum for FM (" in (
        budget.reason.text
    )


def test_a_suggested_partner_is_not_listed_as_its_own_alternative():
    # It read "Suggested: FM (alternatives: Family Medicine or Internal Medicine)".
    data = profile_data(specialty="PSYCH", backup_specialties=[], step2ck__score=220, sloes=0)
    reason = run(data).dual_apply.reason
    assert "Suggested: FM (alternatives: Internal Medicine)." in reason


def test_letters_rotations_and_research_name_the_field_of_a_prelim_or_transitional_track():
    # The actions read "letters from US physicians in Transitional Year" and "scholarly work in
    # General Surgery (preliminary)": a track's admin name, not a field one trains or writes in.
    def texts(**changes):
        data = profile_data(
            backup_specialties=[],
            usce_months=0,
            usce_in_specialty_months=0,
            us_letters=0,
            publications=0,
            presentations=0,
            **changes,
        )
        return {a.code: a.text for a in run(data).actions}

    prelim = texts(specialty="GS-PRELIM")
    assert prelim["us_letters"] == (
        "Collect letters from US physicians in General Surgery who saw your work."
    )
    assert prelim["research"].startswith("Add scholarly work in General Surgery: a case report")
    assert prelim["usce"].endswith("sub-internships), in General Surgery where you can.")
    ty = texts(specialty="TY")
    assert ty["us_letters"] == (
        "Collect letters from US physicians in the specialties of your rotations who saw your work."
    )
    assert ty["research"] == "Add scholarly work: a case report, a poster, a QI project."
    assert ty["usce"] == "Get hands-on US clinical experience (externships, sub-internships)."
    for actions in (prelim, ty):
        for code in ("us_letters", "research", "usce"):
            assert "Transitional Year" not in actions[code] and "(preliminary)" not in actions[code]
    im = texts(specialty="IM")  # a categorical specialty keeps its name
    assert (
        im["us_letters"]
        == "Collect letters from US physicians in Internal Medicine who saw your work."
    )
    assert im["research"].startswith("Add scholarly work in Internal Medicine: ")
