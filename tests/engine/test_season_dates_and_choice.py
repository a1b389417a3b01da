"""Season key dates as data, start levels and graded years since graduation as rule parameters,
and 'apply this season or next?' priced from each season's own data (issue 11, what was left)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from assessments import engine
from assessments.engine import assess
from assessments.plan_json import plan_to_dict
from assessments.profile import parse_profile
from assessments.rules import DEFAULT_FEES, default_rules
from assessments.season_data import DEFAULT_SEASON, DEFAULT_SEASONS
from tests.engine.helpers import profile_data, run

TODAY = dt.date(2026, 6, 1)


def _assess(data, *, today=TODAY, seasons=None, rules=None):
    return assess(
        parse_profile(data, today=today),
        rules=rules or default_rules(),
        fees=DEFAULT_FEES,
        programs=[],
        today=today,
        seasons=DEFAULT_SEASONS if seasons is None else seasons,
    )


def _timeline(result) -> dict[str, engine.Milestone]:
    return {m.code: m for m in result.timeline}


# --- key dates ------------------------------------------------------------------------------


def test_a_season_with_dates_on_record_uses_them_with_their_sources():
    # Applying in 2025 is the 2026 season: AAMC, Liaison and NRMP dates are on record.
    data = profile_data(application_year=2025, graduation_year=2022, step2ck__test_date=None)
    data["step2ck"]["test_date"] = "2025-05-20"
    result = _assess(data, today=dt.date(2025, 6, 1))
    items = _timeline(result)
    assert items["residencycas_release"].date == dt.date(2025, 10, 1)
    assert not items["residencycas_release"].estimated
    assert "ResidencyCAS Applicant Quick Start Guide" in items["residencycas_release"].source
    assert items["match_day"].date == dt.date(2026, 3, 20) and not items["match_day"].estimated
    assert "NRMP" in items["match_day"].source
    assert items["soap"].date == dt.date(2026, 3, 16)
    assert items["rank_list_opens"].date == dt.date(2026, 2, 1)  # usual rule: not on record
    # No rank-list deadline on record for 2026: 16 days before the confirmed Match Day.
    assert items["rank_list"].date == dt.date(2026, 3, 4) and items["rank_list"].estimated
    assert "Estimated (16 days before Match Day" in items["rank_list"].note
    assert "Registration opens 15 September 2025;" in items["nrmp_registration"].note


def test_a_season_without_dates_is_estimated_and_says_so():
    result = run(profile_data(backup_specialties=["IM"], step2ck__score=235))
    items = _timeline(result)
    assert items["eras_opens"].date == dt.date(2026, 9, 23)  # fourth Wednesday of September
    assert items["eras_opens"].estimated
    assert "the 2027 season's date is not on record yet" in items["eras_opens"].note
    assert "estimated as the fourth Wednesday of September" in items["eras_opens"].source
    assert items["match_day"].date == dt.date(2027, 3, 19) and items["match_day"].estimated
    out = plan_to_dict(result)
    assert {m["code"]: m["estimated"] for m in out["timeline"]}["match_day"] is True
    assert {m["code"]: m["estimated"] for m in out["timeline"]}["step2ck"] is False


def test_a_date_entered_for_the_applicants_season_replaces_the_estimate():
    match = engine.KeyDate(
        2027, "match_day", dt.date(2027, 3, 19), DEFAULT_SEASON.sources["nrmp_2026_welcome"]
    )
    opens = engine.KeyDate(2027, "eras_programs", dt.date(2026, 9, 30), None, "moved a week")
    dates = {**DEFAULT_SEASON.key_dates, 2027: {"match_day": match, "eras_programs": opens}}
    seasons = {2026: dataclasses.replace(DEFAULT_SEASON, key_dates=dates)}
    data = profile_data(backup_specialties=["IM"], step2ck__score=235)
    items = _timeline(_assess(data, seasons=seasons))
    assert items["eras_opens"].date == dt.date(2026, 9, 30) and not items["eras_opens"].estimated
    assert "Estimated" not in items["eras_opens"].note
    assert not items["match_day"].estimated
    assert items["rank_list"].date == dt.date(2027, 3, 3)  # still counted from Match Day


def test_another_seasons_dates_are_never_borrowed():
    # The 2026 season's dates are exact: a 2028-season plan estimates its own.
    items = _timeline(run(profile_data(application_year=2027, graduation_year=2024)))
    assert items["match_day"].date == dt.date(2028, 3, 17) and items["match_day"].estimated


def test_every_event_has_a_usual_rule_for_the_methodology_page():
    rules = engine.season_date_rules()
    assert {r["event"] for r in rules} == set(engine.SEASON_EVENTS)
    assert all(r["label"] and r["rule"] for r in rules)


# --- start level and graded years since graduation -------------------------------------------


def test_the_pgy1_year_follows_the_specialtys_start_level():
    rules = default_rules()
    assert rules["RAD"].start_level == "pgy2" and rules["NEURO"].start_level == "mixed"
    rad = run(profile_data(specialty="RAD", backup_specialties=[], step2ck__score=255, sloes=0))
    assert rad.pgy1["start_level"] == "pgy2" and rad.pgy1["text"].startswith("Most Diagnostic")
    neuro = run(profile_data(specialty="NEURO", backup_specialties=[], step2ck__score=255, sloes=0))
    assert "categorical programs include it" in neuro.pgy1["text"]
    assert "About Supplemental Rank Order Lists, NRMP" in neuro.pgy1["source"]
    # An admin marks radiology categorical: no PGY-1 year, and the cost drops by it.
    edited = {**rules, "RAD": dataclasses.replace(rules["RAD"], start_level="pgy1")}
    plain = run(
        profile_data(specialty="RAD", backup_specialties=[], step2ck__score=255, sloes=0),
        rules=edited,
    )
    assert plain.pgy1 is None
    assert plain.applications.cost_min < rad.applications.cost_min


def test_years_since_graduation_grades_follow_the_rule_parameters():
    assert engine.yog_grade(8, 5, 1, 3) == "well_past"
    assert engine.yog_grade(9, 5, 1, 3) == "far_past"
    data = profile_data(graduation_year=2018)  # 8 years: 3 past the limit of 5
    assert next(f for f in run(data).red_flags if f.code == "yog_old").severity == "medium"
    rules = default_rules()
    strict = {
        **rules,
        "EM": dataclasses.replace(rules["EM"], yog_just_past_years=1, yog_well_past_years=2),
    }
    flag = next(f for f in run(data, rules=strict).red_flags if f.code == "yog_old")
    assert flag.severity == "high"  # far past under the stricter grades


# --- apply this season or next? -------------------------------------------------------------


def _practising(score: int, **changes):
    """An EM applicant who has not sat Step 2 CK: booked for late July, one NBME form taken."""
    step2ck = {
        "score": None,
        "attempts": 1,
        "planned_date": "2026-07-25",
        "practice_scores": [{"score": score, "date": "2026-05-20", "form": "NBME 13"}],
    }
    return profile_data(step2ck=step2ck, backup_specialties=[], sloes=2, us_letters=3, **changes)


def test_a_projected_score_under_the_viable_bound_offers_the_choice():
    # Graduated 2021: 5 years now (the limit), 6 next season.
    result = _assess(_practising(228, graduation_year=2021))
    choice = result.season_choice
    assert choice is not None
    assert choice["triggers"] == ["projected_below_target"]
    assert choice["projected_score"] == 228
    assert choice["score_needed"] == {"viable": 238, "strong": 245}
    assert "latest practice score (228) is 10 points under the 238" in choice["why"]
    now, later = choice["options"]
    assert (now["season"], later["season"]) == (2027, 2028)
    assert now["cost"] == {"min": result.applications.cost_min, "max": result.applications.cost_max}
    # Only the 2026 season's fees are on record: both options say which season priced them.
    assert "Priced with the 2026 season's fees, the latest we have: the 2027" in now["fees_note"]
    assert "the 2028 season's are not confirmed yet" in later["fees_note"]
    assert now["fees_confirmed"] is False and later["fees_season"] == 2026
    assert now["yog_grade"] == "within" and later["yog_grade"] == "just_past"
    assert now["years_since_graduation"] == 5 and later["years_since_graduation"] == 6
    assert (
        "6 instead of 5, which puts you 1 year past the common cutoff of about 5 years "
        "(graded 'just past'): a red flag" in later["changes"]
    )
    assert "5, within the common cutoff of about 5 years" in now["changes"]
    assert "238 for a viable application, 245 for a strong one" in later["changes"]
    assert "projected 228" in now["changes"]


def test_each_option_is_priced_from_its_own_season():
    eras = DEFAULT_SEASON.platforms["ERAS"]
    rcas = DEFAULT_SEASON.platforms["ResidencyCAS"]
    dearer = dataclasses.replace(rcas, season=2028, confirmed_season=2028, base_fee=150)
    later = dataclasses.replace(
        DEFAULT_SEASON,
        season=2028,
        platforms={"ERAS": dataclasses.replace(eras, season=2028), "ResidencyCAS": dearer},
    )
    seasons = {2026: DEFAULT_SEASON, 2028: later}
    choice = _assess(_practising(228), seasons=seasons).season_choice
    now, nxt = choice["options"]
    assert nxt["cost"]["min"] == now["cost"]["min"] + 51  # $150 instead of $99 for 1-18
    assert (
        nxt["fees_confirmed"] is True and nxt["fees_note"] == "Priced with the 2028 season's fees."
    )
    assert now["fees_season"] == 2026


def test_no_choice_when_the_projected_score_reaches_the_bound_in_time():
    assert _assess(_practising(240)).season_choice is None
    assert run(profile_data()).season_choice is None  # the real score is in


def test_a_late_test_and_a_low_practice_score_are_both_given_as_reasons():
    data = _practising(230)
    data["step2ck"]["planned_date"] = "2026-09-20"
    choice = _assess(data).season_choice
    assert choice["triggers"] == ["score_late", "projected_below_target"]
    assert "will not be in when programs start reading on" in choice["why"]
    assert "(estimated)" in choice["why"]  # the 2027 season's date is not on record
