"""Hypothesis: monotone tiers, visa exclusions hold, output always matches the schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.engine import TIERS, ProgramFacts, assess
from assessments.plan_json import plan_to_dict
from assessments.profile import (
    DEFAULT_SPECIALTY_CODES,
    PROGRAM_TYPES,
    STATE_CODES,
    parse_profile,
)
from assessments.rules import DEFAULT_FEES, default_rules
from tests.engine.helpers import TODAY

RULES = default_rules()
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs/plan.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
CODES = sorted(DEFAULT_SPECIALTY_CODES)
STATES = sorted(STATE_CODES)
YNU = st.sampled_from(["yes", "no", "unknown"])


def worse_or_equal(a: str, b: str) -> bool:
    """True when tier a is no better than tier b."""
    return TIERS.index(a) >= TIERS.index(b)


@st.composite
def profiles(draw):
    specialty = draw(st.sampled_from(CODES))
    backups = draw(
        st.lists(st.sampled_from([c for c in CODES if c != specialty]), max_size=2, unique=True)
    )
    taken = draw(st.booleans())
    step1_result = draw(st.sampled_from(["pass", "fail", "not_taken"]))
    step1_attempts = 1 if step1_result == "not_taken" else draw(st.integers(1, 4))
    step3_result = draw(st.sampled_from(["pass", "fail", "not_taken"]))
    step3_attempts = 1 if step3_result == "not_taken" else draw(st.integers(1, 4))
    usce = draw(st.integers(0, 12))
    application_year = draw(st.integers(2025, 2028))
    practice = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "score": st.integers(1, 300),
                    "date": st.sampled_from([None, "2026-01-10", "2026-05-02"]),
                }
            ),
            max_size=3,
        )
    )
    return {
        "specialty": specialty,
        "backup_specialties": backups,
        "visa": draw(st.sampled_from(["j1", "h1b", "either", "none"])),
        "graduation_year": draw(st.integers(1990, application_year + 1)),
        "application_year": application_year,
        "step1": {
            "result": step1_result,
            "attempts": step1_attempts,
            "score": draw(st.none() | st.integers(150, 280))
            if step1_result != "not_taken"
            else None,
        },
        "step2ck": {
            "score": draw(st.integers(1, 300)) if taken else None,
            "attempts": draw(st.integers(1, 4)),
            "test_date": draw(
                st.sampled_from(
                    ["2014-07-01", "2022-06-30", "2022-07-01", "2025-07-01", "2026-05-20"]
                )
            )
            if taken
            else None,
            "planned_date": None
            if taken
            else draw(st.sampled_from([None, "2026-07-01", "2026-08-20", "2027-08-20"])),
            "practice_scores": practice,
        },
        "step3": {"result": step3_result, "attempts": step3_attempts},
        "ecfmg_certified": step1_result == "pass" and draw(st.booleans()),
        "usce_months": usce,
        "usce_in_specialty_months": draw(st.integers(0, usce)),
        "us_letters": draw(st.integers(0, 5)),
        "sloes": draw(st.integers(0, 3)),
        "publications": draw(st.integers(0, 5)),
        "presentations": draw(st.integers(0, 5)),
        "specialty_experience_years": draw(st.integers(0, 10)),
        "preferred_states": draw(st.lists(st.sampled_from(STATES), max_size=3, unique=True)),
        "program_types": draw(st.lists(st.sampled_from(PROGRAM_TYPES), max_size=2, unique=True)),
        "budget_usd": draw(st.none() | st.integers(0, 20000)),
    }


@st.composite
def program_lists(draw):
    n = draw(st.integers(0, 12))
    return [
        ProgramFacts(
            id=i + 1,
            name=f"P{i}",
            institution="H",
            city="C",
            state=draw(st.sampled_from(STATES[:5])),
            specialty_code=draw(st.sampled_from(CODES)),
            program_type=draw(st.sampled_from(PROGRAM_TYPES)),
            j1=draw(YNU),
            h1b=draw(YNU),
            img_share=draw(st.none() | st.integers(0, 100)),
            step2_min=draw(st.none() | st.integers(200, 250)),
            step2_typical=draw(st.none() | st.integers(210, 265)),
            max_yog=draw(st.none() | st.integers(0, 15)),
            accepts_failures=draw(YNU),
            requires_usce=draw(YNU),
            last_verified=draw(st.none() | st.just(TODAY)),
        )
        for i in range(n)
    ]


def compute(data, programs=()):
    profile = parse_profile(data, today=TODAY)
    return assess(profile, rules=RULES, fees=DEFAULT_FEES, programs=list(programs), today=TODAY)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(profiles(), st.integers(1, 299))
def test_a_higher_step2ck_never_gives_a_worse_tier(data, score):
    data["step2ck"].update(score=score, test_date="2026-05-20", planned_date=None)
    lower = compute(data)
    data["step2ck"]["score"] = score + 1
    higher = compute(data)
    assert worse_or_equal(lower.tier, higher.tier)
    # Without chosen backups the engine adds dual-application partners only while it
    # advises dual applying, so a higher score may drop them: compare the shared ones.
    higher_by_code = {b.code: b for b in higher.backups}
    for low_b in lower.backups:
        if low_b.code in higher_by_code:
            assert worse_or_equal(low_b.tier, higher_by_code[low_b.code].tier)


@FAST
@given(profiles(), st.sampled_from(["step1", "step2ck", "step3"]))
def test_adding_a_failed_attempt_never_improves_the_tier(data, step):
    before = compute(data)
    exam = data[step]
    if step == "step2ck":
        if exam["attempts"] == 4:
            return
        exam["attempts"] += 1
    elif exam["result"] == "not_taken":
        exam.update(result="fail", attempts=1)
        data["ecfmg_certified"] = data["ecfmg_certified"] and step != "step1"
    else:
        if exam["attempts"] == 4:
            return
        exam["attempts"] += 1
    after = compute(data)
    assert after.failed_attempts == before.failed_attempts + 1
    assert worse_or_equal(after.tier, before.tier)


@FAST
@given(profiles(), program_lists())
def test_a_program_without_the_needed_visa_never_appears(data, programs):
    result = compute(data, programs)
    visa = data["visa"]
    for entry in result.programs:
        facts = entry.facts
        if visa == "j1":
            assert facts.j1 != "no"
        elif visa == "h1b":
            assert facts.h1b != "no"
        elif visa == "either":
            assert not (facts.j1 == "no" and facts.h1b == "no")
    listed = {e.facts.id for e in result.programs} | {x.id for x in result.excluded_programs}
    if not result.eligibility["eligible"]:
        # Four unpassed attempts on a Step: no application plan, so no program at all.
        assert not listed
        return
    wanted = {data["specialty"], *(b.code for b in result.backups)}
    assert listed == {p.id for p in programs if p.specialty_code in wanted}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), program_lists())
def test_output_always_matches_the_schema(data, programs):
    output = plan_to_dict(compute(data, programs))
    VALIDATOR.validate(json.loads(json.dumps(output)))


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_example_output_matches_the_schema():
    from tests.engine.helpers import EXAMPLE, program

    output = plan_to_dict(compute(EXAMPLE, [program(), program(specialty_code="IM", j1="no")]))
    VALIDATOR.validate(output)
    for key in (
        "tier",
        "red_flags",
        "applications",
        "dual_apply",
        "backups",
        "timeline",
        "actions",
        "programs",
        "excluded",
        "engine_version",
    ):
        assert key in output
    assert set(output["applications"]) >= {"min", "max", "estimated_cost_usd"}
    assert set(output["dual_apply"]) >= {"recommended", "specialties", "reason"}
    assert set(output["programs"][0]) >= {"id", "name", "fit", "reasons"}


def test_schema_rejects_a_wrong_tier():
    from tests.engine.helpers import EXAMPLE

    output = plan_to_dict(compute(EXAMPLE))
    output["tier"] = "excellent"
    assert not VALIDATOR.is_valid(output)
