"""Reads that build the engine's inputs from the database.

They return the engine's frozen dataclasses, not model instances: ``program_facts_for`` reads
plain tuples with ``values_list`` so 50,000 programs load quickly and the engine stays pure.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from assessments import engine
from assessments.engine import FeeSchedule, ProgramFacts, SpecialtyRules
from assessments.models import DualPartner, SpecialtyRule
from assessments.models import FeeSchedule as FeeScheduleModel
from assessments.rules import DEFAULT_FEES
from programs.models import Program

_RULE_FIELDS = [
    f.name
    for f in dataclasses.fields(SpecialtyRules)
    if f.name not in {"code", "name", "track", "dual_partners"}
]
_FEE_FIELDS = [f.name for f in dataclasses.fields(FeeSchedule)]
_PROGRAM_COLUMNS = (
    "id",
    "name",
    "institution",
    "city",
    "state",
    "specialty__code",
    "program_type",
    "j1",
    "h1b",
    "img_share",
    "step2_min",
    "step2_typical",
    "max_yog",
    "accepts_failures",
    "requires_usce",
    "last_verified",
    "acgme_id",
    "positions",
    "website",
    "source",
)


def rules_by_code() -> dict[str, SpecialtyRules]:
    """Every specialty's rule parameters, keyed by specialty code (two queries)."""
    partners: dict[int, list[str]] = defaultdict(list)
    for rule_id, code in DualPartner.objects.order_by("rule_id", "position", "id").values_list(
        "rule_id", "specialty__code"
    ):
        partners[rule_id].append(code)
    out: dict[str, SpecialtyRules] = {}
    rows = SpecialtyRule.objects.values(
        "id", "specialty__code", "specialty__name", "specialty__track", *_RULE_FIELDS
    )
    for row in rows:
        values: dict[str, Any] = {name: row[name] for name in _RULE_FIELDS}
        for key in ("matched_ranks_median", "unmatched_ranks_median"):
            if values[key] is not None:
                values[key] = float(values[key])
        code = row["specialty__code"]
        out[code] = SpecialtyRules(
            code=code,
            name=row["specialty__name"],
            track=row["specialty__track"],
            dual_partners=tuple(partners[row["id"]]),
            **values,
        )
    return out


def active_fee_schedule() -> FeeSchedule:
    """The active fee schedule; the built-in 2026 defaults if an admin deactivated them all."""
    row = FeeScheduleModel.objects.filter(active=True).values(*_FEE_FIELDS).first()
    if row is None:
        return DEFAULT_FEES
    return FeeSchedule(**row)


def program_facts_for(codes: Iterable[str]) -> list[ProgramFacts]:
    """Facts of every program of the given specialties, as plain dataclasses (one query)."""
    rows = (
        Program.objects.filter(specialty__code__in=list(codes))
        .order_by("id")
        .values_list(*_PROGRAM_COLUMNS)
    )
    return [ProgramFacts(*row) for row in rows]


def rules_to_dict(rules: SpecialtyRules) -> dict[str, Any]:
    data = dataclasses.asdict(rules)
    data["dual_partners"] = list(rules.dual_partners)
    return data


def fees_to_dict(fees: FeeSchedule) -> dict[str, Any]:
    return dataclasses.asdict(fees)


def methodology_data() -> dict[str, Any]:
    """Everything the methodology page shows: every rule with its source, the fee schedule,
    the passing standards and the engine's own thresholds."""
    rules = rules_by_code()
    return {
        "engine_version": engine.ENGINE_VERSION,
        "rules": [rules_to_dict(rules[code]) for code in sorted(rules)],
        "fees": fees_to_dict(active_fee_schedule()),
        "passing_standards": [
            {"since": since.isoformat(), "score": score, "source": engine.SRC_USMLE}
            for since, score in engine.PASSING_STANDARDS
        ],
        "thresholds": engine.thresholds(),
    }
