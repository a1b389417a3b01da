"""The fit model on a realistic catalog (no per-program Step 2 CK figures)."""

from __future__ import annotations

import statistics
from dataclasses import replace

from assessments.engine import FITS
from assessments.plan_json import plan_to_dict
from tests.engine.fixture_catalog import SEASON, TODAY, im_catalog
from tests.engine.helpers import profile_data, run

CATALOG = im_catalog()
IM = {"specialty": "IM", "backup_specialties": [], "application_year": SEASON}


def score(value):
    return {"score": value, "attempts": 1, "test_date": "2026-05-01", "practice_scores": []}


def strong_255(**changes):
    return profile_data(
        **{**IM, "step2ck": score(255), "usce_months": 4, "us_letters": 3, **changes}
    )


def high_risk(**changes):
    base = {
        **IM,
        "visa": "j1",
        "graduation_year": 2014,  # 12 years out
        "step2ck": score(226),
        "usce_months": 0,
        "usce_in_specialty_months": 0,
        "us_letters": 0,
    }
    return profile_data(**{**base, **changes})


def by_fit(result):
    out = {fit: [] for fit in FITS}
    for entry in result.programs:
        out[entry.fit].append(entry)
    return out


def test_a_255_applicant_has_the_most_selective_programs_as_reach():
    result = run(strong_255(), programs=CATALOG, today=TODAY)
    groups = by_fit(result)
    assert result.tier == "strong"
    assert groups["reach"], "a strong applicant still has reach programs"
    reach_shares = [e.facts.img_share for e in groups["reach"]]
    likely_shares = [e.facts.img_share for e in groups["likely"] if e.facts.img_share is not None]
    assert all(s is not None for s in reach_shares)
    # The reach group is low-IMG academic programs: every one below the catalog median ...
    median = statistics.median(p.img_share for p in CATALOG if p.img_share is not None)
    assert max(reach_shares) < median
    assert all(e.facts.program_type == "university" for e in groups["reach"])
    # ... and the five lowest-IMG university programs are all in it.
    listed_ids = {e.facts.id for e in result.programs}
    academic = sorted(
        (p for p in CATALOG if p.program_type == "university" and p.img_share is not None
         and p.id in listed_ids),
        key=lambda p: p.img_share,
    )  # fmt: skip
    reach_ids = {e.facts.id for e in groups["reach"]}
    assert {p.id for p in academic[:5]} <= reach_ids
    assert statistics.median(likely_shares) > median


def test_a_high_risk_applicant_has_few_targets_and_the_plan_says_what_that_means():
    result = run(high_risk(), programs=CATALOG, today=TODAY)
    groups = by_fit(result)
    average = run(strong_255(step2ck=score(244)), programs=CATALOG, today=TODAY)

    assert result.tier in ("risk", "high_risk")
    assert len(groups["likely"]) + len(groups["target"]) <= 5
    assert len(by_fit(average)["target"]) > 5 * max(1, len(groups["target"]))
    assert result.fit_note is not None
    assert result.fit_note.rule == "fit_few_targets"
    assert "rarely interview applicants with this profile" in result.fit_note.text
    assert plan_to_dict(result)["fit_note"]["rule"] == "fit_few_targets"
    assert run(strong_255(), programs=CATALOG, today=TODAY).fit_note is None


def test_a_j1_or_h1b_applicant_never_sees_a_military_program():
    military = {p.id for p in CATALOG if "military" in (p.program_type, p.affiliation)}
    for visa in ("j1", "h1b", "either"):
        result = run(strong_255(visa=visa), programs=CATALOG, today=TODAY)
        assert not military & {e.facts.id for e in result.programs}
        left_out = {x.id: x for x in result.excluded_programs}
        assert military <= set(left_out)
        assert any(r.rule == "military" for r in left_out[min(military)].reasons)
    # Without a visa need they stay listed, with a note to check citizenship.
    citizen = run(strong_255(visa="none"), programs=CATALOG, today=TODAY)
    shown = [e for e in citizen.programs if e.facts.id in military]
    assert len(shown) == len(military)
    assert all(any(v.rule == "military_citizenship" for v in e.verify) for e in shown)


def test_a_program_not_accepting_applications_is_excluded_with_its_reason_and_age():
    result = run(strong_255(), programs=CATALOG, today=TODAY)
    closed = [x for x in result.excluded_programs if x.reasons[0].rule == "not_accepting"]
    assert len(closed) == 2
    assert all("Not accepting applications for the 2026 season" in x.reasons[0].text
               for x in closed)  # fmt: skip
    assert sorted(x.stale for x in closed) == [False, True]  # one fact is 700 days old
    assert all(x.as_of is not None for x in closed)
    data = plan_to_dict(result)["excluded_programs"]
    assert {d["stale"] for d in data if d["reasons"][0]["rule"] == "not_accepting"} == {
        True,
        False,
    }
    # A "no" about another season does not exclude: it asks to verify.
    later = run(strong_255(application_year=SEASON + 1), programs=CATALOG, today=TODAY)
    assert not any(x.reasons[0].rule == "not_accepting" for x in later.excluded_programs)


def test_labels_are_ordered_by_evidence_not_by_name():
    # A viable J-1 applicant: all three labels occur.
    result = run(strong_255(visa="j1", step2ck=score(247)), programs=CATALOG, today=TODAY)
    assert result.tier == "viable"
    for fit, entries in by_fit(result).items():
        assert entries, fit
        sponsored = [any(r.rule == "visa_sponsored" for r in e.reasons) for e in entries]
        # Stated J-1 sponsorship first, then the programs that do not state it.
        assert sponsored == sorted(sponsored, reverse=True), fit
        confirmed = [e for e, s in zip(entries, sponsored, strict=True) if s]
        order = {"high": 0, "medium": 1, "low": 2}
        levels = [order[e.confidence] for e in confirmed]
        assert levels == sorted(levels), fit
    names = [e.facts.name for e in result.programs]
    assert names != sorted(names)
    # Within the reach group, IMG-heavier programs come first for this applicant.
    reach = [e for e in by_fit(result)["reach"] if e.confidence == "medium"
             and any(r.rule == "visa_sponsored" for r in e.reasons)]  # fmt: skip
    assert reach[0].facts.img_share >= reach[-1].facts.img_share


def test_verify_appears_only_where_the_unknown_fact_gates_the_applicant():
    visa_free = run(strong_255(visa="none", graduation_year=2025), programs=CATALOG, today=TODAY)
    needs_j1 = run(strong_255(visa="j1"), programs=CATALOG, today=TODAY)
    assert not any(v.rule in ("j1", "visa", "h1b") for e in visa_free.programs for v in e.verify)
    unstated = [e for e in needs_j1.programs if e.facts.j1 == "unknown"]
    assert unstated and all(any(v.rule == "j1" for v in e.verify) for e in unstated)
    stated = [e for e in needs_j1.programs if e.facts.j1 == "yes" and e.verify]
    assert all({v.rule for v in e.verify} <= {"visa_stale", "max_yog"} for e in stated)


def test_a_program_on_another_platform_is_left_out_with_its_reason():
    programs = [
        replace(CATALOG[0], id=9001, application_platform="residencycas"),
        replace(CATALOG[1], id=9002, specialty_code="EM", application_platform="eras"),
        replace(CATALOG[2], id=9003, specialty_code="EM", application_platform="residencycas"),
    ]
    result = run(strong_255(backup_specialties=["EM"]), programs=programs, today=TODAY)
    reasons = {x.id: x.reasons[0] for x in result.excluded_programs}
    assert reasons[9001].rule == "platform"
    assert "ResidencyCAS; your plan for this specialty uses ERAS" in reasons[9001].text
    assert reasons[9002].rule == "platform"
    assert 9003 in {e.facts.id for e in result.programs}


def test_the_plan_states_the_catalog_age_and_coverage():
    result = run(strong_255(), programs=CATALOG, today=TODAY)
    unstated = sum(1 for p in CATALOG if p.j1 == "unknown" and p.h1b == "unknown")
    note = next(n for n in result.notes if n.rule == "catalog_coverage")
    latest = max(p.last_verified for p in CATALOG)
    assert note.text.startswith(f"IM programs last updated {latest:%B %Y}; {unstated} of "
                                f"{len(CATALOG)} do not state visa sponsorship")  # fmt: skip
    catalog = plan_to_dict(result)["catalog"]
    assert catalog["programs"] == len(CATALOG)
    assert catalog["no_visa_stated"] == unstated


def test_the_stated_citizenship_decides_military_programs():
    military = {p.id for p in CATALOG if "military" in (p.program_type, p.affiliation)}
    resident = run(
        strong_255(visa="none", citizenship="permanent_resident"), programs=CATALOG, today=TODAY
    )
    citizen = run(strong_255(visa="none", citizenship="us_citizen"), programs=CATALOG, today=TODAY)

    assert military <= {x.id for x in resident.excluded_programs}
    shown = [e for e in citizen.programs if e.facts.id in military]
    assert len(shown) == len(military)
    assert not any(v.rule == "military_citizenship" for e in shown for v in e.verify)
