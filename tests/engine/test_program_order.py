"""The engine's program order given in advance, and the reasons it shares among programs."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.engine import assess, name_ranks
from assessments.plan_json import plan_to_dict
from assessments.profile import parse_profile
from assessments.rules import DEFAULT_FEES
from tests.engine.helpers import EXAMPLE, TODAY, program
from tests.engine.test_properties import (
    RULES,
    compute,
    profiles,
    program_lists,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), program_lists(), st.lists(st.sampled_from(["A", "B", "Ab"]), max_size=12))
def test_the_name_order_given_in_advance_changes_nothing(data, programs, names):
    # Few distinct names: equal names are ordered by id.
    programs = [
        dataclasses.replace(p, name=names[i] if i < len(names) else p.name)
        for i, p in enumerate(programs)
    ]
    profile = parse_profile(data, today=TODAY)
    by_code: dict[str, list] = {}
    for facts in sorted(programs, key=lambda f: f.id):
        by_code.setdefault(facts.specialty_code, []).append(facts)
    ranks = {code: name_ranks(facts) for code, facts in by_code.items()}
    for plan in RULES:  # a specialty without programs
        ranks.setdefault(plan, {})
    plain = assess(profile, rules=RULES, fees=DEFAULT_FEES, programs=programs, today=TODAY)
    ranked = assess(
        profile, rules=RULES, fees=DEFAULT_FEES, programs=programs, today=TODAY, name_ranks=ranks
    )
    assert plan_to_dict(ranked) == plan_to_dict(plain)


def test_programs_with_the_same_reasons_share_one_tuple():
    result = compute(
        EXAMPLE,
        [
            program(name="A"),
            program(name="B"),
            program(name="C", j1="no"),
            program(name="D", j1="no"),
        ],
    )
    a, b = result.programs
    assert a.reasons == b.reasons and a.reasons is b.reasons
    assert a.verify is b.verify
    c, d = result.excluded_programs
    assert c.reasons is d.reasons
    assert [r.rule for r in c.reasons] == ["visa"]
