"""Reading a stored plan: its output and answers, and coercers for the values in them.

Old plans, plans of older engine versions and test fixtures may lack keys or hold odd values:
a missing key shows as "not recorded", never as a server error."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from assessments import plan_store
from assessments.models import Plan


def plan_output(plan: Plan) -> dict[str, Any]:
    """The plan's whole stored output, program lists included (docs/plan.schema.json); the
    lists are stored apart, see ``plan_store.plan_full_output``."""
    return plan_store.plan_full_output(plan)


_PROGRAM_LISTS = ("programs", "excluded_programs")


def plan_summary_output(plan: Plan) -> dict[str, Any]:
    """The plan's stored output without its program lists (``program_counts`` stays): what the
    what-if panel compares with. The lists live apart (``PlanPrograms``) and are not read; old
    plans hold them inline."""
    output = plan.output if isinstance(plan.output, dict) else {}
    return {k: v for k, v in output.items() if k not in _PROGRAM_LISTS}


def plan_profile(plan: Plan) -> dict[str, Any]:
    profile = plan.profile
    return profile if isinstance(profile, dict) else {}


# --- reading the snapshot defensively --------------------------------------------------------


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def as_range(value: Any) -> tuple[int | None, int | None]:
    """``{"min": a, "max": b}`` or a single number, as (min, max)."""
    if isinstance(value, dict):
        return as_int(value.get("min")), as_int(value.get("max"))
    number = as_int(value)
    return number, number


def as_text(value: Any, default: str = "") -> str:
    """``str(value or default)``, interned: the short values many rows repeat (states, codes,
    cities) are then one object each in a cached view."""
    text = value if type(value) is str and value else str(value or default)
    return sys.intern(text) if type(text) is str else text
