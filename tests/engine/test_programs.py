"""Program matching: hard exclusions, 'verify with the program', fit and ranking."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.engine.helpers import TODAY, profile_data, program, run

BASE = {"backup_specialties": [], "usce_months": 3, "step2ck__score": 240}


def listed(result):
    return [e.facts.id for e in result.programs]


@pytest.mark.parametrize(
    ("visa", "j1", "h1b", "excluded"),
    [
        ("j1", "no", "yes", True),
        ("j1", "yes", "no", False),
        ("j1", "unknown", "no", False),
        ("h1b", "yes", "no", True),
        ("h1b", "no", "yes", False),
        ("h1b", "no", "unknown", False),
        ("either", "no", "no", True),
        ("either", "no", "yes", False),
        ("either", "yes", "no", False),
        ("either", "unknown", "no", False),
        ("none", "no", "no", False),
    ],
)
def test_visa_exclusion(visa, j1, h1b, excluded):
    p = program(j1=j1, h1b=h1b)
    result = run(profile_data(**BASE, visa=visa), programs=[p])
    assert (result.excluded["visa"] == 1) is excluded
    assert (listed(result) == []) is excluded
    if excluded:
        assert result.excluded_programs[0].reasons[0].rule == "visa"


def test_years_since_graduation_over_the_limit_excludes():
    # application 2026 - graduation 2022 = 4 years
    result = run(profile_data(**BASE), programs=[program(max_yog=3), program(max_yog=4)])
    assert result.excluded["yog"] == 1
    assert len(result.programs) == 1


def test_failures_exclude_only_where_failures_are_not_accepted():
    progs = [program(accepts_failures="no"), program(accepts_failures="unknown")]
    clean = run(profile_data(**BASE), programs=progs)
    assert clean.excluded["exam_failures"] == 0
    failed = run(profile_data(**BASE, step1={"result": "pass", "attempts": 2}), programs=progs)
    assert failed.excluded["exam_failures"] == 1
    assert failed.programs[0].verify[0].rule != ""  # the unknown one is kept, to verify
    assert any(v.rule == "accepts_failures" for v in failed.programs[0].verify)


def test_actual_score_under_a_hard_minimum_excludes():
    progs = [program(step2_min=241), program(step2_min=240)]
    result = run(profile_data(**BASE), programs=progs)
    assert result.excluded["score_below_minimum"] == 1
    assert listed(result) == [progs[1].id]


def test_projected_score_under_a_minimum_keeps_the_program_as_a_reach():
    data = profile_data(
        **{**BASE, "step2ck__score": None},
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-07-01",
            "practice_scores": [250],
        },
    )
    result = run(data, programs=[program(step2_min=255, step2_typical=240)])
    assert result.excluded["score_below_minimum"] == 0
    entry = result.programs[0]
    assert entry.fit == "reach"
    assert any(r.rule == "projected_below_minimum" for r in entry.reasons)


def test_required_usce_excludes_applicants_without_it():
    progs = [program(requires_usce="yes"), program(requires_usce="unknown")]
    result = run(
        profile_data(**{**BASE, "usce_months": 0, "usce_in_specialty_months": 0}), programs=progs
    )
    assert result.excluded["usce_required"] == 1
    assert any(v.rule == "requires_usce" for v in result.programs[0].verify)


def test_a_program_failing_two_rules_counts_under_both():
    p = program(j1="no", max_yog=1)
    result = run(profile_data(**BASE), programs=[p])
    assert result.excluded["visa"] == 1 and result.excluded["yog"] == 1
    assert [r.rule for r in result.excluded_programs[0].reasons] == ["visa", "yog"]


def test_unknown_facts_never_exclude_but_ask_to_verify():
    p = program(
        j1="unknown",
        h1b="unknown",
        img_share=None,
        step2_min=None,
        step2_typical=None,
        max_yog=None,
        accepts_failures="unknown",
        requires_usce="unknown",
        last_verified=None,
    )
    data = profile_data(
        **{**BASE, "usce_months": 0, "usce_in_specialty_months": 0},
        step1={"result": "pass", "attempts": 2},
    )
    result = run(data, programs=[p])
    assert sum(result.excluded.values()) == 0
    entry = result.programs[0]
    # Only the unknowns that gate this applicant: the visa they need, the YOG limit (4 years
    # out), failures (they have one) and US experience (they have none). Unknown IMG share
    # and Step 2 CK figures lower the fit's confidence instead.
    assert {v.rule for v in entry.verify} == {
        "j1",
        "max_yog",
        "accepts_failures",
        "requires_usce",
    }
    assert all("verify with the program" in v.text for v in entry.verify)
    assert entry.confidence == "low"


def test_unknown_facts_that_do_not_gate_the_applicant_are_not_flagged():
    p = program(j1="unknown", h1b="unknown", max_yog=None, last_verified=None)
    data = profile_data(**BASE, visa="none", graduation_year=2025)
    result = run(data, programs=[p])
    assert result.programs[0].verify == ()


def test_stale_facts_ask_to_verify():
    fresh = program(last_verified=TODAY - dt.timedelta(days=365))
    stale = program(last_verified=TODAY - dt.timedelta(days=366))
    result = run(profile_data(**BASE), programs=[fresh, stale])
    by_id = {e.facts.id: e for e in result.programs}
    assert not by_id[fresh.id].verify
    assert [v.rule for v in by_id[stale.id].verify] == ["visa_stale"]
    # Without a visa need the stale record gates nothing for this applicant.
    no_visa = run(profile_data(**BASE, visa="none"), programs=[stale])
    assert no_visa.programs[0].verify == ()


@pytest.mark.parametrize(
    ("typical", "img_share", "fit"),
    [
        (235, 30, "likely"),  # +5
        (236, 30, "target"),  # +4
        (244, 30, "target"),  # -4
        (245, 30, "reach"),  # -5
        (245, 60, "reach"),  # a stated figure outweighs the IMG share
        (236, 5, "target"),
        (230, 60, "likely"),
    ],
)
def test_fit_from_typical_score_and_img_share(typical, img_share, fit):
    result = run(
        profile_data(**BASE), programs=[program(step2_typical=typical, img_share=img_share)]
    )
    entry = result.programs[0]
    assert entry.fit == fit
    assert entry.reasons[0].rule == "fit_score"
    assert entry.confidence == "high"


def test_without_a_stated_score_the_fit_comes_from_the_evidence():
    # 240 is viable in EM (2 points); a mid-share community-university program adds none.
    progs = [program(step2_typical=None, img_share=share, program_type="community_university")
             for share in (10, 20, 30, 40, 50)]  # fmt: skip
    result = run(profile_data(**BASE), programs=progs)
    mid = next(e for e in result.programs if e.facts.img_share == 30)
    assert mid.fit == "target"
    assert mid.reasons[0].rule == "fit_evidence"
    assert "30% IMG residents" in mid.reasons[0].text
    assert mid.confidence == "medium"
    assert mid.reasons[1].rule == "fit_confidence"


def test_only_primary_and_backup_specialties_are_considered():
    progs = [
        program(specialty_code="EM"),
        program(specialty_code="IM"),
        program(specialty_code="PATH"),
    ]
    result = run(profile_data(**{**BASE, "backup_specialties": ["IM"]}), programs=progs)
    assert [e.facts.specialty_code for e in result.programs] == ["EM", "IM"]
    assert result.programs_considered == 2


def test_ranking_prefers_state_and_program_type_within_a_fit():
    plain = program(name="A plain", state="OH", program_type="university")
    state = program(name="B state", state="NY", program_type="university")
    both = program(name="C both", state="TX", program_type="community")
    result = run(profile_data(**BASE), programs=[plain, state, both])
    assert listed(result) == [both.id, state.id, plain.id]
    assert [e.rank for e in result.programs] == [1, 2, 3]
    assert any(r.rule == "preference_state" for r in result.programs[0].reasons)


def test_fit_outranks_preferences():
    likely = program(name="likely", step2_typical=230, state="OH")
    reach = program(name="reach", step2_typical=250, state="NY", program_type="community")
    result = run(profile_data(**BASE), programs=[reach, likely])
    assert listed(result) == [likely.id, reach.id]


def test_primary_programs_come_before_backup_programs():
    backup = program(specialty_code="IM", step2_typical=200)
    primary = program(specialty_code="EM", step2_typical=260)
    result = run(profile_data(**{**BASE, "backup_specialties": ["IM"]}), programs=[backup, primary])
    assert listed(result) == [primary.id, backup.id]


def test_every_listed_program_has_reasons():
    progs = [program(step2_typical=t, img_share=s) for t in (None, 230, 250) for s in (None, 5, 50)]
    result = run(profile_data(**BASE), programs=progs)
    assert all(entry.reasons for entry in result.programs)
