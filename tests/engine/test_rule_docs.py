"""docs/rules.md lists every rule code the engine emits."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from assessments.plan_json import plan_to_dict
from tests.engine.helpers import profile_data, program, run

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "rules.md").read_text()
DOCUMENTED = set(re.findall(r"`([a-z0-9_]+)`", DOC))

PROGRAMS = [
    program(step2_typical=240, img_share=60),
    program(step2_typical=260, img_share=5, j1="unknown"),
    program(step2_typical=220, last_verified=dt.date(2020, 1, 1), max_yog=2),
    program(specialty_code="IM", step2_typical=240, img_share=40),
    program(j1="no", h1b="no"),
]

# Profiles chosen to make every rule fire somewhere.
PROFILES = [
    profile_data(),
    profile_data(step2ck__score=246, backup_specialties=["IM"], sloes=2, us_letters=3),
    profile_data(step2ck__score=235, backup_specialties=["IM"], visa="h1b", budget_usd=100),
    profile_data(step1={"result": "pass", "attempts": 2}, step2ck__score=226),
    profile_data(step1={"result": "fail", "attempts": 4}),
    profile_data(step2ck={"score": 210, "attempts": 1, "test_date": "2026-05-20"}),
    profile_data(
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": "2026-09-20",
            "practice_scores": [{"score": 210}],
        },
        usce_months=1,
        usce_in_specialty_months=0,
        observership_months=2,
        graduation_year=2010,
        publications=0,
        presentations=0,
    ),
    profile_data(step2ck={"score": None, "attempts": 1}, visa="either"),
    profile_data(specialty="FM", backup_specialties=[], step2ck__score=233, sloes=0),
    profile_data(specialty="RAD", backup_specialties=[], step2ck__score=255, sloes=0),
    profile_data(specialty="GS-PRELIM", backup_specialties=[], step2ck__score=240, sloes=0),
    profile_data(visa="none", citizenship="us_citizen"),
    profile_data(
        visa="none", citizenship="permanent_resident", step3={"result": "fail", "attempts": 4}
    ),
]


def _codes(out: dict) -> set[str]:
    codes: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("rule"), str) and value["rule"]:
                codes.add(value["rule"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(out)
    codes.update(f["code"] for f in out["red_flags"])
    codes.update(a["code"] for a in out["actions"])
    codes.update(m["code"] for m in out["timeline"])
    return codes


def test_every_rule_code_the_engine_emits_is_documented():
    emitted: set[str] = set()
    for data in PROFILES:
        for today in (dt.date(2026, 6, 1), dt.date(2026, 12, 7)):
            emitted |= _codes(plan_to_dict(run(data, programs=PROGRAMS, today=today)))
    missing = sorted(emitted - DOCUMENTED)
    assert not missing, f"rule codes missing from docs/rules.md: {missing}"
    assert len(emitted) > 40  # the profiles really exercise the engine


def test_the_program_rule_codes_listed_are_ones_the_engine_gives():
    """Section 11's row of program reasons, verify notes and exclusions names only codes the
    engine's source still holds (it once listed fit_from_tier, fit_img_friendly and
    fit_few_imgs, long gone)."""
    engine = "".join(path.read_text() for path in (ROOT / "assessments" / "engine").glob("*.py"))
    row = next(line for line in DOC.splitlines() if line.startswith("| `fit_score`"))
    codes = re.findall(r"`([a-z0-9_]+)`", row.split("|")[1])
    assert len(codes) > 20
    assert [code for code in codes if f'"{code}"' not in engine] == []
