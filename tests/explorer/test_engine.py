"""The explorer's rows against the engine: each row is what a plan with that specialty as the
primary says (pure, no database)."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from assessments import engine, explorer
from assessments.profile import parse_profile
from assessments.rules import DEFAULT_FEES, default_rules
from tests.engine.helpers import TODAY, profile_data, program, run

RULES = default_rules()


def catalog() -> list[engine.ProgramFacts]:
    """Programs of every specialty with a spread of facts: typical scores, IMG shares, visas,
    limits that exclude some profiles, states."""
    programs = []
    facts = itertools.cycle(
        [
            {"step2_typical": 230, "img_share": 60, "j1": "yes", "h1b": "no", "state": "NY"},
            {"step2_typical": 245, "img_share": 5, "j1": "unknown", "h1b": "yes", "state": "TX"},
            {"step2_typical": None, "img_share": None, "j1": "no", "h1b": "no", "state": "OH"},
            {"step2_typical": 252, "img_share": 30, "j1": "yes", "h1b": "yes", "max_yog": 1},
            {"step2_typical": 238, "img_share": 45, "requires_usce": "yes", "step2_min": 235},
            # applies through ERAS: left out where the specialty uses ResidencyCAS (EM)
            {"step2_typical": 236, "img_share": 50, "application_platform": "eras"},
            {"step2_typical": 234, "img_share": 40, "j1": "yes", "state": "NY"},
        ]
    )
    for code in RULES:
        for index in range(7):
            programs.append(program(specialty_code=code, name=f"{code} {index}", **next(facts)))
    return programs


PROGRAMS = catalog()

PROFILES = [
    {"step2ck__score": 240, "visa": "j1"},
    {"step2ck__score": 251, "visa": "h1b"},
    {"step2ck__score": 226, "visa": "either", "usce_months": 0, "usce_in_specialty_months": 0},
    {"step2ck__score": 245, "visa": "none", "step1": {"result": "pass", "attempts": 2}},
    {"step2ck__score": 233, "visa": "j1", "graduation_year": 2015},
    # two red flags programs screen on (years since graduation, no US experience): every fit
    # moves a step down, in the plan and in the explorer alike
    {
        "step2ck__score": 241,
        "visa": "j1",
        "graduation_year": 2019,
        "usce_months": 0,
        "usce_in_specialty_months": 0,
    },
]


def exploration(changes: dict, filters: explorer.Filters = explorer.Filters()):  # noqa: B008
    profile = parse_profile(profile_data(backup_specialties=[], **changes), today=TODAY)
    found = engine.standings(
        profile, rules=RULES, fees=DEFAULT_FEES, programs=PROGRAMS, today=TODAY
    )
    return explorer.rows_from_standings(profile, found, rules=RULES, filters=filters)


@pytest.mark.parametrize("changes", PROFILES)
def test_each_rows_tier_is_the_engines_tier_for_that_specialty(changes: dict) -> None:
    result = exploration(changes)

    assert {row.code for row in result.rows} == set(RULES)
    for row in result.rows:
        plan = run(profile_data(specialty=row.code, backup_specialties=[], **changes))
        assert row.tier == plan.tier, row.code
        assert row.tier_steps == plan.tier_steps
        assert (row.applications_min, row.applications_max) == (
            plan.applications.min,
            plan.applications.max,
        )
        assert (row.cost_min, row.cost_max) == (
            plan.primary.eras_cost_min,
            plan.primary.eras_cost_max,
        )


@pytest.mark.parametrize("changes", PROFILES)
def test_each_rows_counts_are_the_plans_counts_for_that_specialty(changes: dict) -> None:
    result = exploration(changes)

    for row in result.rows:
        plan = run(
            profile_data(specialty=row.code, backup_specialties=[], **changes),
            programs=PROGRAMS,
        )
        fits = Counter(e.fit for e in plan.programs if e.facts.specialty_code == row.code)
        assert (row.likely, row.target, row.reach) == (
            fits["likely"],
            fits["target"],
            fits["reach"],
        ), row.code
        left_out = sum(1 for x in plan.excluded_programs if x.specialty_code == row.code)
        assert row.excluded == left_out
        assert row.considered == 7
        assert row.considered == row.likely + row.target + row.reach + row.excluded


def test_the_flags_of_every_specialty_are_shown_once_and_the_rest_per_row() -> None:
    # No SLOE yet: only emergency medicine expects SLOEs; no US experience weighs everywhere.
    result = exploration(
        {"step2ck__score": 240, "sloes": 0, "usce_months": 0, "usce_in_specialty_months": 0}
    )

    assert "no_usce" in {f.code for f in result.common_flags}
    em = result.row("EM")
    assert em is not None and "no_sloe" in {f.code for f in em.flags}
    assert all("no_sloe" not in {f.code for f in r.flags} for r in result.rows if r.code != "EM")
    assert all("no_usce" not in {f.code for f in r.flags} for r in result.rows)


def test_a_specialty_whose_score_does_not_separate_says_so() -> None:
    rows = {row.code: row for row in exploration({"step2ck__score": 240}).rows}

    # NRMP 2026: family medicine 230 matched / 231 unmatched, radiology 250 / 251.
    assert not rows["FM"].separates
    assert not rows["RAD"].separates
    assert rows["EM"].separates and rows["IM"].separates
    # No published medians (preliminary tracks): nothing to claim either way.
    assert rows["GS-PRELIM"].separates


def test_filters_count_only_sponsoring_programs_or_the_preferred_states() -> None:
    everything = exploration({"step2ck__score": 240, "visa": "j1"})
    sponsoring = exploration(
        {"step2ck__score": 240, "visa": "j1"}, explorer.Filters(sponsor_only=True)
    )
    in_ny = exploration({"step2ck__score": 240, "visa": "j1"}, explorer.Filters(states=("NY",)))

    for full, only, ny in zip(everything.rows, sponsoring.rows, in_ny.rows, strict=True):
        assert only.listed == full.sponsoring == only.sponsoring
        assert ny.listed <= full.listed
    em = everything.row("EM")
    assert em is not None and em.sponsoring is not None and em.sponsoring < em.listed


def test_no_visa_need_has_no_sponsoring_count() -> None:
    result = exploration({"step2ck__score": 240, "visa": "none"})

    assert all(row.sponsoring is None for row in result.rows)


def test_rows_sort_by_chances_by_default_and_by_any_column() -> None:
    rows = exploration({"step2ck__score": 240}).rows

    by_chances = explorer.sort_rows(rows)
    ranks = [row.tier_rank for row in by_chances]
    assert ranks == sorted(ranks)
    by_cost = explorer.sort_rows(rows, "cost")
    assert [r.cost_min for r in by_cost] == sorted(r.cost_min for r in rows)
    reversed_cost = explorer.sort_rows(rows, "cost", descending=True)
    assert reversed_cost[0].cost_min == max(r.cost_min for r in rows)
    for key in explorer.SORTS:
        assert len(explorer.sort_rows(rows, key)) == len(rows)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ("chances", False)),
        ("cost", ("cost", False)),
        ("-signals", ("signals", True)),
        ("nonsense", ("chances", False)),
        ("--cost", ("chances", False)),
    ],
)
def test_parse_sort(value: str, expected: tuple[str, bool]) -> None:
    assert explorer.parse_sort(value) == expected


def test_season_facts_are_the_season_datas() -> None:
    from assessments.season_data import DEFAULT_SEASONS

    season = engine.season_facts_for(DEFAULT_SEASONS, engine.season_of(2026))
    for code in RULES:
        facts = explorer.season_facts(code, 2026)
        assert facts.platform == engine.platform_for(code, engine.season_of(2026), DEFAULT_SEASONS)
        rule = season.signals.get(code)
        assert facts.signals_total == (rule.total if rule and rule.kinds else None), code
    im = explorer.season_facts("IM", 2026)
    assert im.signals == "3 gold + 12 silver" and im.signals_total == 15
    assert im.signals_source
    assert explorer.season_facts("EM", 2026).platform == "ResidencyCAS"
    assert explorer.season_facts("IM", 2026, {}).signals_total is None  # no season data


def test_start_facts() -> None:
    rules = default_rules()
    start = {code: explorer.start_facts(r.start_level, r.track).code for code, r in rules.items()}
    assert start["RAD"] == "advanced"
    assert start["ANES"] == "pgy1_or_advanced"
    assert start["TY"] == "one_year"
    assert start["IM"] == "pgy1"


def test_a_flag_that_says_one_specialtys_numbers_is_shown_on_its_row() -> None:
    import dataclasses

    rules = dict(RULES)
    rules["EM"] = dataclasses.replace(rules["EM"], yog_limit_years=rules["EM"].yog_limit_years + 2)
    profile = parse_profile(
        profile_data(backup_specialties=[], step2ck__score=240, graduation_year=2016), today=TODAY
    )
    found = engine.standings(
        profile, rules=rules, fees=DEFAULT_FEES, programs=PROGRAMS, today=TODAY
    )
    result = explorer.rows_from_standings(profile, found, rules=rules)

    assert "yog_old" not in {f.code for f in result.common_flags}
    em, im = result.row("EM"), result.row("IM")
    assert em is not None and im is not None
    em_flag = next(f for f in em.flags if f.code == "yog_old")
    im_flag = next(f for f in im.flags if f.code == "yog_old")
    assert f"about {rules['EM'].yog_limit_years} years" in em_flag.message
    assert f"about {rules['IM'].yog_limit_years} years" in im_flag.message
