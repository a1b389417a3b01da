"""Services of the assessments app.

``plan_compute`` (the strategy engine's entry point for views, the CLI and the what-if panel)
comes first; plan persistence (``plan_create`` and friends) follows below it.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction

from assessments import engine, plan_store, selectors
from assessments.engine import PlanResult
from assessments.models import Plan
from assessments.plan_json import plan_to_dict
from assessments.plans.queries import json_copy
from assessments.profile import ProfileError, parse_profile
from assessments.rule_data import rule_data, rule_data_version
from programs.selectors import catalog_version

__all__ = [
    "ProfileError",
    "computed_key",
    "plan_compute",
    "plan_create",
    "plan_delete",
    "plan_whatif",
    "whatif_profile",
]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (pauses nest: only the outermost one
    turns it back on, and only if it was on).

    The engine's program loop allocates a few objects per program, none in a reference cycle,
    yet the collector walks them all while it runs: ``engine.assess`` over the 50,000 programs
    of ``scripts/bench_engine.py`` takes 0.29-0.33 s of CPU with the collector on and
    0.21-0.23 s paused (for a 12,000-program plan the difference is within noise, and packing
    or unpacking the program lists gains under 10%, so the codec does not pause it). Callers of
    the engine pause it: :func:`plan_compute`, ``explorer.explore`` and
    :func:`plan_create`, which keeps it paused while it holds and saves the result (survivors
    promoted to the oldest generation would bring on full collections of the whole heap later).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def computed_key(
    kind: str, data: Mapping[str, Any], today: dt.date, catalog: str, rules: str
) -> str:
    """The shared-cache key of something computed from answers (a what-if, the explorer's
    standings): it holds everything the result depends on, the answers, the day, the catalog
    version, the version of the rule, fee and season data (assessments.rule_data) and the
    engine version, so nothing needs invalidating."""
    answers = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    text = "|".join((engine.ENGINE_VERSION, answers, today.isoformat(), catalog, rules))
    return f"{kind}:" + hashlib.sha256(text.encode()).hexdigest()


def plan_compute(
    *,
    profile_data: Mapping[str, Any],
    today: dt.date | None = None,
    catalog_sink: list[selectors.CatalogFacts] | None = None,
    catalog: str | None = None,
) -> tuple[PlanResult, dict[str, Any]]:
    """Validate the profile JSON and compute its plan from the current rules, fees and programs.

    Returns the engine's result and the JSON snapshot of the inputs used (profile, rule
    parameters of the specialties involved, fee schedule, engine thresholds, date).
    ``catalog_sink``, if given, receives the catalog facts the plan was computed from
    (``plan_create`` links the plan to their snapshots). Raises :class:`ProfileError`
    (``.errors``: field path -> message) for invalid data. Reads only.
    """
    today = today or dt.date.today()
    data = rule_data()
    rules = data.rules
    profile = parse_profile(profile_data, specialty_codes=rules.keys(), today=today)
    if profile.specialty not in rules:  # only when the rule table is empty
        raise ProfileError({"specialty": f"No rule parameters for {profile.specialty}."})
    # Partners are fetched too: the engine may advise one when the profile lists no backup.
    codes = {profile.specialty, *profile.backup_specialties}
    codes.update(rules[profile.specialty].dual_partners)
    fees = data.fees
    facts = selectors.catalog_facts(codes, version=catalog)
    with gc_paused():
        result = engine.assess(
            profile,
            rules=rules,
            fees=fees,
            programs=facts.programs(),
            today=today,
            name_ranks=facts.name_ranks,
            seasons=data.seasons or None,
        )
    used = [result.primary.code, *(b.code for b in result.backups)]
    inputs = {
        "engine_version": engine.ENGINE_VERSION,
        "today": today.isoformat(),
        "rules": {code: selectors.rules_to_dict(rules[code]) for code in used},
        "fees": selectors.fees_to_dict(fees),
        "passing_standards": [
            {"since": since.isoformat(), "score": score}
            for since, score in engine.PASSING_STANDARDS
        ],
        "thresholds": engine.thresholds(),
        "programs_considered": result.programs_considered,
    }
    if catalog_sink is not None:
        catalog_sink.append(facts)
    return result, inputs


# --- saved plans ------------------------------------------------------------------------------


def plan_create(
    *,
    owner: Any | None,
    profile_data: Mapping[str, Any],
    session_token_sink: Callable[[uuid.UUID], None] | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Compute the plan for ``profile_data`` and store it as an immutable snapshot.

    The snapshot holds the answers (``profile``), the rule parameters, fees and thresholds used
    (``inputs``) and the engine's output: its summary in ``output`` and its program lists in
    ``PlanPrograms`` (each program's own entry) linked to the shared snapshots of the catalog
    facts it was computed from (``plan_store``, which gives the whole output back). The plan
    pages render only from them, so later edits of programs or rules never change it.
    ``owner`` is the account (None for an anonymous visitor); for an anonymous plan,
    ``session_token_sink(token)`` records the plan's token so that the visitor's session can
    open it and, on signup or login, move it to the account. Raises :class:`ProfileError`.
    """
    # The collector stays off until the engine's result is saved: the result holds a few
    # objects per listed program (up to ~12,000), all freed by reference counting when it goes,
    # but any collection while it is alive walks them all (see gc_paused).
    with gc_paused():
        sink: list[selectors.CatalogFacts] = []
        result, inputs = plan_compute(profile_data=profile_data, today=today, catalog_sink=sink)
        (catalog,) = sink
        summary = plan_to_dict(result, program_lists=False)
        del summary["programs"], summary["excluded_programs"]
        with transaction.atomic():
            plan = Plan.objects.create(
                owner=owner,
                engine_version=result.engine_version,
                specialty_code=result.specialty,
                specialty_name=result.primary.name,
                tier=result.tier,
                red_flag_count=len(result.red_flags),
                profile=json_copy(profile_data),
                inputs=inputs,
                output=summary,
            )
            plan_store.save_program_lists(
                plan, result, version=catalog.version, facts_by_code=catalog.by_code
            )
    if owner is None and session_token_sink is not None:
        session_token_sink(plan.token)
    return plan


def whatif_profile(
    profile: Mapping[str, Any],
    *,
    step2ck_score: int | None = None,
    visa: str | None = None,
    specialty: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """A copy of a saved plan's answers with the what-if changes applied (pure).

    A score entered for a Step 2 CK not yet taken counts as taken today (its passing standard
    is today's); a new primary specialty leaves the backup list.
    """
    today = today or dt.date.today()
    data = json_copy(profile)
    if specialty:
        data["specialty"] = specialty
        backups = data.get("backup_specialties")
        if isinstance(backups, list):
            data["backup_specialties"] = [code for code in backups if code != specialty]
    if visa:
        data["visa"] = visa
    if step2ck_score is not None:
        step2 = data.get("step2ck")
        step2 = dict(step2) if isinstance(step2, dict) else {"attempts": 1}
        if step2.get("score") is None or not step2.get("test_date"):
            step2["test_date"] = today.isoformat()
            step2["planned_date"] = None
        step2["score"] = step2ck_score
        data["step2ck"] = step2
    return data


# A what-if's result, kept in the shared cache: an applicant moves the score up and down and
# back, and every value asked before comes back without a pass over the catalog (at 5,000
# programs a what-if cost 25.5-25.8 ms of CPU, 11.8-12.4 with its result cached:
# scripts/profile_request.py, docs/benchmarks.md, stop 26). Keyed by computed_key, like the
# explorer's standings.
WHATIF_CACHE_SECONDS = 600


def plan_whatif(
    *,
    plan: Plan,
    step2ck_score: int | None = None,
    visa: str | None = None,
    specialty: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Recompute ``plan`` with a changed score, visa need or specialty, with today's rules and
    programs, and return the new output (the plan JSON) without its per-program lists (the
    counts stay): the what-if panel shows tiers, flags and counts only. Saves nothing: no
    plan, no draft (the output is kept in the shared cache). Raises :class:`ProfileError`
    when the changed answers do not validate."""
    today = today or dt.date.today()
    profile = plan.profile if isinstance(plan.profile, dict) else {}
    data = whatif_profile(
        profile, step2ck_score=step2ck_score, visa=visa, specialty=specialty, today=today
    )
    catalog = catalog_version()
    key = computed_key("whatif", data, today, catalog, rule_data_version())
    output = cache.get(key)
    if output is None:
        result, _inputs = plan_compute(profile_data=data, today=today, catalog=catalog)
        output = plan_to_dict(result, program_lists=False)
        cache.set(key, output, WHATIF_CACHE_SECONDS)
    return output


@transaction.atomic
def plan_delete(*, plan: Plan, user: Any) -> None:
    """Delete one of ``user``'s plans (its program lists, comments and review go with it)."""
    if plan.owner_id is None or plan.owner_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the plan's owner can delete it.")
    plan.delete()
