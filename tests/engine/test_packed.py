"""Saved program lists: the packed form with facts blocks, its compression, the older format."""

from __future__ import annotations

import dataclasses
import json
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import selectors
from assessments.engine import PlanResult, assess, name_ranks
from assessments.models import Plan
from assessments.plan_json import plan_to_dict, program_lists_unpack
from assessments.plans.reader import plan_output
from assessments.profile import parse_profile
from assessments.rules import DEFAULT_FEES
from assessments.services import plan_create
from programs.models import Program, Specialty
from tests.engine.factories import ProgramFactory
from tests.engine.helpers import EXAMPLE, TODAY, program
from tests.engine.test_properties import (
    RULES,
    VALIDATOR,
    compute,
    profiles,
    program_lists,
)


def _by_code(programs):
    """Every program of each specialty, by id, as ``selectors.program_facts_by_code`` gives."""
    out: dict[str, list] = {}
    for facts in sorted(programs, key=lambda f: f.id):
        out.setdefault(facts.specialty_code, []).append(facts)
    return {code: tuple(items) for code, items in out.items()}


def _saved(result: PlanResult, programs) -> tuple[list, list]:
    facts = _by_code(programs)
    for plan in (result.primary, *result.backups):
        facts.setdefault(plan.code, ())
    data = selectors.plan_program_lists_data(result, facts)
    return program_lists_unpack(selectors.program_lists_decode(data))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), program_lists())
def test_saved_lists_with_every_program_of_the_specialties_unpack_to_the_plan_lists(data, programs):
    result = compute(data, programs)
    output = plan_to_dict(result)
    listed, excluded = _saved(result, programs)
    assert listed == output["programs"]
    assert excluded == output["excluded_programs"]
    assert [list(p) for p in listed] == [list(p) for p in output["programs"]]
    summary = plan_to_dict(result, program_lists=False)
    VALIDATOR.validate(json.loads(json.dumps({**summary, "programs": listed})))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), program_lists(), st.lists(st.sampled_from(["A", "B", "Ab"]), max_size=12))
def test_the_name_order_given_in_advance_changes_nothing(data, programs, names):
    # Few distinct names: equal names are ordered by id.
    programs = [
        dataclasses.replace(p, name=names[i] if i < len(names) else p.name)
        for i, p in enumerate(programs)
    ]
    profile = parse_profile(data, today=TODAY)
    ranks = {code: name_ranks(facts) for code, facts in _by_code(programs).items()}
    for plan in RULES:  # a specialty without programs
        ranks.setdefault(plan, {})
    plain = assess(profile, rules=RULES, fees=DEFAULT_FEES, programs=programs, today=TODAY)
    ranked = assess(
        profile, rules=RULES, fees=DEFAULT_FEES, programs=programs, today=TODAY, name_ranks=ranks
    )
    assert plan_to_dict(ranked) == plan_to_dict(plain)


def test_the_saved_value_is_one_deflate_stream_holding_every_program_of_the_specialties():
    programs = [
        program(name="Listed"),
        program(name="Visa no", j1="no"),
        program(name="Backup", specialty_code="IM"),
        program(name="Other specialty", specialty_code="PATH"),
    ]
    result = compute(EXAMPLE, programs)
    facts = _by_code(programs)
    data = selectors.plan_program_lists_data(result, facts)
    assert data.startswith(b"MPD\x02")
    packed = json.loads(zlib.decompress(data[4:], -15))
    assert packed["format"] == 2
    names = [name for block in packed["blocks"] for name in block["columns"]["name"]]
    # The excluded program's facts are kept too; a specialty not in the plan is not.
    assert sorted(names) == ["Backup", "Listed", "Visa no"]
    assert "name" not in packed["excluded_programs"]
    listed, excluded = program_lists_unpack(packed)
    assert [p["name"] for p in listed] == ["Listed", "Backup"]
    assert [(x["name"], x["specialty_code"]) for x in excluded] == [("Visa no", "EM")]


def test_damaged_saved_lists_read_as_none():
    data = selectors.plan_program_lists_data(compute(EXAMPLE, [program()]), _by_code([program()]))
    assert selectors.program_lists_decode(data[:-40]) is None
    assert selectors.program_lists_decode(b"MPD\x02 not deflate") is None
    assert program_lists_unpack({"format": 2, "blocks": [{"values": []}]}) == ([], [])


def test_lists_saved_in_format_1_still_read():
    reason = {"rule": "visa", "text": "Does not sponsor the J-1 you need.", "source": "program"}
    fit = {
        "rule": "fit_score",
        "text": "Your Step 2 CK 240 against its typical 238 (+2).",
        "source": "program record",
    }
    packed = {
        "format": 1,
        "values": [
            "H",
            "C",
            "NY",
            "EM",
            "university",
            "yes",
            "unknown",
            "2026-06-01",
            "",
            "s",
            "target",
        ],
        "reasons": [
            [fit["rule"], fit["text"], fit["source"]],
            [reason["rule"], reason["text"], reason["source"]],
        ],
        "interned": [
            "accepts_failures",
            "city",
            "fit",
            "h1b",
            "institution",
            "j1",
            "last_verified",
            "program_type",
            "requires_usce",
            "source",
            "specialty_code",
            "state",
            "website",
        ],
        "programs": {
            "id": [7],
            "acgme_id": ["123"],
            "name": ["Old"],
            "institution": [0],
            "city": [1],
            "state": [2],
            "specialty_code": [3],
            "program_type": [4],
            "positions": [8],
            "j1": [5],
            "h1b": [6],
            "img_share": [30],
            "step2_min": [None],
            "step2_typical": [238],
            "max_yog": [5],
            "accepts_failures": [6],
            "requires_usce": [6],
            "last_verified": [7],
            "website": [8],
            "source": [9],
            "fit": [10],
            "points": [20],
            "preferred_state": [False],
            "preferred_type": [False],
            "reasons": [[0]],
            "verify": [[]],
        },
        "excluded_programs": {"id": [8], "name": ["Gone"], "specialty_code": [3], "reasons": [[1]]},
    }
    data = zlib.compress(json.dumps(packed).encode(), 1)
    listed, excluded = program_lists_unpack(selectors.program_lists_decode(data))
    assert listed == [
        {
            "id": 7,
            "acgme_id": "123",
            "name": "Old",
            "institution": "H",
            "city": "C",
            "state": "NY",
            "specialty_code": "EM",
            "program_type": "university",
            "positions": 8,
            "j1": "yes",
            "h1b": "unknown",
            "img_share": 30,
            "step2_min": None,
            "step2_typical": 238,
            "max_yog": 5,
            "accepts_failures": "unknown",
            "requires_usce": "unknown",
            "last_verified": "2026-06-01",
            "website": "",
            "source": "s",
            "fit": "target",
            "rank": 1,
            "points": 20,
            "preferred_state": False,
            "preferred_type": False,
            "verify_with_program": False,
            "reasons": [fit],
            "verify": [],
        }
    ]
    assert excluded == [{"id": 8, "name": "Gone", "specialty_code": "EM", "reasons": [reason]}]


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


@pytest.fixture
def facts_cache():
    selectors.program_facts_cache_clear()
    yield
    selectors.program_facts_cache_clear()


@pytest.mark.django_db
def test_a_plan_made_after_a_catalog_edit_holds_the_new_facts_and_the_older_plan_the_old(
    facts_cache,
):
    ProgramFactory(name="EM one", city="Boston")
    ProgramFactory(name="No J-1", j1="no")
    ProgramFactory(name="IM one", specialty=Specialty.objects.get(code="IM"))
    first = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)
    again = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)  # the cached block
    edited = Program.objects.get(name="EM one")
    edited.city = "Denver"
    edited.save()
    ProgramFactory(name="EM two", city="Austin")
    later = plan_create(owner=None, profile_data=EXAMPLE, today=TODAY)

    def cities(plan):
        output = plan_output(Plan.objects.get(pk=plan.pk))
        return [(p["name"], p["city"]) for p in output["programs"]], [
            x["name"] for x in output["excluded_programs"]
        ]

    assert cities(first) == cities(again)
    listed, excluded = cities(first)
    assert ("EM one", "Boston") in listed and excluded == ["No J-1"]
    listed, excluded = cities(later)
    assert ("EM one", "Denver") in listed and ("EM two", "Austin") in listed
    assert excluded == ["No J-1"]
