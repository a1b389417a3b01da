"""Citations per specialty: the sources a plan's statements cite."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assessments.engine.constants import SRC_EM, SRC_GENERAL, SRC_GS
from assessments.engine.outputs import PlanResult, Reason, SpecialtyPlan

# --- citations per specialty ------------------------------------------------------------------


def own_source(source: str, code: str) -> str:
    """``source`` as cited in a plan of ``code``: an article about another specialty is never
    cited (EM plans cite the EM article, surgery plans the prelim surgery article, others our
    general rule)."""
    if not source or (SRC_EM not in source and SRC_GS not in source):
        return source
    keep = SRC_EM if code == "EM" else SRC_GS if code in ("GS", "GS-PRELIM") else None
    parts: list[str] = []
    for part in source.split("; "):
        for article in (SRC_EM, SRC_GS):
            if part.startswith(article) and article != keep:
                part = SRC_GENERAL
        if part not in parts:
            parts.append(part)
    return "; ".join(parts)


def _own_reason(r: Reason, code: str) -> Reason:
    src = own_source(r.source, code)
    return r if src == r.source else replace(r, source=src)


def _own_plan(p: SpecialtyPlan) -> SpecialtyPlan:
    return replace(
        p,
        tier_steps=tuple(replace(t, source=own_source(t.source, p.code)) for t in p.tier_steps),
        mix=tuple(replace(m, reason=_own_reason(m.reason, p.code)) for m in p.mix),
    )


def _own_sources(result: PlanResult) -> PlanResult:
    """Every citation of the plan (program reasons excepted: they cite program records) as the
    primary specialty's plan cites it; backups' tier steps as their own specialty's."""
    code = result.specialty
    primary = _own_plan(result.primary)
    apps = result.applications
    budget = apps.budget
    extra: dict[str, Any] = {}
    if result.season_choice is not None:
        extra["season_choice"] = {
            **result.season_choice,
            "source": own_source(result.season_choice["source"], code),
        }
    return replace(
        result,
        primary=primary,
        tier_steps=primary.tier_steps,
        backups=tuple(_own_plan(b) for b in result.backups),
        red_flags=tuple(replace(f, source=own_source(f.source, code)) for f in result.red_flags),
        applications=replace(
            apps,
            reason=_own_reason(apps.reason, code),
            mix=primary.mix,
            budget=None
            if budget is None
            else replace(budget, reason=_own_reason(budget.reason, code)),
        ),
        ranks=replace(result.ranks, reason=_own_reason(result.ranks.reason, code)),
        dual_apply=replace(result.dual_apply, source=own_source(result.dual_apply.source, code)),
        timeline=tuple(replace(m, source=own_source(m.source, code)) for m in result.timeline),
        actions=tuple(replace(a, source=own_source(a.source, code)) for a in result.actions),
        notes=tuple(_own_reason(n, code) for n in result.notes),
        **extra,
    )
