"""A plan as JSON.

:func:`plan_to_dict` gives the JSON of an :class:`~assessments.engine.PlanResult` documented in
docs/assess.md and docs/plan.schema.json; a saved plan's program lists are stored apart by
``assessments.plan_store`` (docs/assess.md, "Saved plans"). Built on the engine's dataclasses;
the engine itself never imports this module.
"""

from __future__ import annotations

from typing import Any

from assessments.engine.constants import FITS
from assessments.engine.outputs import (
    Catalog,
    MixItem,
    PlanResult,
    ProgramEntry,
    Reason,
    SpecialtyPlan,
    TierStep,
    _iso,
    _reason,
)

# --- JSON ------------------------------------------------------------------------------------


def _step(s: TierStep) -> dict[str, str]:
    return {"rule": s.rule, "effect": s.effect, "tier": s.tier, "text": s.text, "source": s.source}


def _mix_dict(m: MixItem) -> dict[str, Any]:
    return {
        "label": m.label,
        "min": m.min,
        "max": m.max,
        "program_types": list(m.program_types),
        "reason": _reason(m.reason),
    }


def _specialty_dict(p: SpecialtyPlan) -> dict[str, Any]:
    return {
        "specialty": p.code,
        "name": p.name,
        "role": p.role,
        "tier": p.tier,
        "projected": p.projected,
        "bands": dict(p.bands),
        "tier_reasons": [_step(s) for s in p.tier_steps],
        "applications": {
            "min": p.applications_min,
            "max": p.applications_max,
            "eras_cost_usd": {"min": p.eras_cost_min, "max": p.eras_cost_max},
        },
        "platform": p.platform,
        "mix": [_mix_dict(m) for m in p.mix],
        "ranks": p.ranks,
        "basis": p.basis,
        "source_note": p.source_note,
        "reference": {
            "matched_median": p.matched_median,
            "unmatched_median": p.unmatched_median,
            "match_rate_pct": p.match_rate_pct,
            "source": p.stats_source,
        },
    }


def _program_dict(e: ProgramEntry, reasons: dict[int, dict[str, str]]) -> dict[str, Any]:
    """``reasons`` memoises reason dicts by the Reason object's id for one serialisation:
    the program loop shares a few Reason objects among thousands of entries, so their
    dicts are built once and shared too (the JSON is the same; treat the output as
    read-only)."""
    f = e.facts
    return {
        "id": f.id,
        "acgme_id": f.acgme_id,
        "name": f.name,
        "institution": f.institution,
        "city": f.city,
        "state": f.state,
        "specialty_code": f.specialty_code,
        "program_type": f.program_type,
        "positions": f.positions,
        "j1": f.j1,
        "h1b": f.h1b,
        "img_share": f.img_share,
        "step2_min": f.step2_min,
        "step2_typical": f.step2_typical,
        "max_yog": f.max_yog,
        "accepts_failures": f.accepts_failures,
        "requires_usce": f.requires_usce,
        "last_verified": _iso(f.last_verified),
        "website": f.website,
        "source": f.source,
        "track": f.track,
        "accepting_applications": f.accepting_applications,
        "accepting_season": f.accepting_season,
        "application_platform": f.application_platform,
        "affiliation": f.affiliation,
        "first_accredited": f.first_accredited,
        "total_positions": f.total_positions,
        "do_share": f.do_share,
        "usmd_share": f.usmd_share,
        "fit": e.fit,
        "confidence": e.confidence,
        "rank": e.rank,
        "points": e.points,
        "preferred_state": e.preferred_state,
        "preferred_type": e.preferred_type,
        "verify_with_program": bool(e.verify),
        "reasons": [reasons.get(id(r)) or _shared_reason(r, reasons) for r in e.reasons],
        "verify": [reasons.get(id(r)) or _shared_reason(r, reasons) for r in e.verify],
    }


# Keyed by the Reason object's identity: the engine shares one Reason among all programs that
# say the same, so identity finds each distinct one. Keyed by value, every look-up hashes the
# frozen dataclass in Python: 170,000 look-ups (the reasons of a 50,000-program plan) took
# 33-38 ms by value against 14-18 ms by identity (scripts/bench_micro.py).
def _shared_reason(r: Reason, reasons: dict[int, dict[str, str]]) -> dict[str, str]:
    d = reasons[id(r)] = _reason(r)
    return d


def plan_to_dict(result: PlanResult, *, program_lists: bool = True) -> dict[str, Any]:
    """The plan as the JSON documented in docs/assess.md (valid against docs/plan.schema.json).

    With ``program_lists=False`` the per-program lists (``programs``, ``excluded_programs``)
    are left empty while ``program_counts`` and ``excluded`` still count them: a summary (the
    what-if panel) then skips serialising thousands of entries it never shows.
    """
    apps = result.applications
    budget = apps.budget
    score = result.score
    by_fit = dict.fromkeys(FITS, 0)
    # Reason objects (alive for this whole call, so their ids are stable) -> their dicts.
    shared: dict[int, dict[str, str]] = {}
    for entry in result.programs:
        by_fit[entry.fit] += 1
    return {
        "engine_version": result.engine_version,
        "computed_on": result.computed_on.isoformat(),
        "specialty": result.specialty,
        "tier": result.tier,
        "projected": result.projected,
        "score": {
            "value": score.value,
            "kind": score.kind,
            "test_date": _iso(score.test_date),
            "passing_standard": score.passing_standard,
            "passed": score.passed,
            "reason": _reason(score.reason),
        },
        "tier_reasons": [_step(s) for s in result.tier_steps],
        "failed_attempts": result.failed_attempts,
        "years_since_graduation": result.years_since_graduation,
        "primary": _specialty_dict(result.primary),
        "backups": [_specialty_dict(b) for b in result.backups],
        "red_flags": [
            {
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "major": f.major,
                "rule": f.rule,
                "source": f.source,
            }
            for f in result.red_flags
        ],
        "applications": {
            "specialty": apps.specialty,
            "min": apps.min,
            "max": apps.max,
            "estimated_cost_usd": {"min": apps.cost_min, "max": apps.cost_max},
            "total": {"min": apps.total_min, "max": apps.total_max},
            "cost_breakdown": {
                "eras": {"min": apps.eras_min, "max": apps.eras_max},
                "usmle_transcript": apps.transcript,
                "nrmp": {"min": apps.nrmp_min, "max": apps.nrmp_max},
                "application_fees": {
                    "min": apps.application_fees_min,
                    "max": apps.application_fees_max,
                },
                "platforms": [dict(p) for p in apps.platforms],
                "ecfmg_token": apps.ecfmg_token,
                "nrmp_late_fee": apps.nrmp_late_fee,
                "nrmp_extra_ranks": apps.nrmp_extra_ranks,
            },
            "mix": [_mix_dict(m) for m in apps.mix],
            "budget": None
            if budget is None
            else {
                "budget_usd": budget.budget_usd,
                "covers": budget.covers,
                "affordable_primary_applications": budget.affordable_primary_applications,
                "affordable_with_backups": budget.affordable_with_backups,
                "shortfall_for_min_usd": budget.shortfall_for_min_usd,
                "reason": _reason(budget.reason),
            },
            "fee_season": apps.fee_season,
            "fee_source": apps.fee_source,
            "reason": _reason(apps.reason),
            "notes": [_reason(r) for r in apps.notes],
        },
        "ranks": {
            "recommended_contiguous": result.ranks.recommended_contiguous,
            "by_specialty": [
                {"specialty": code, "ranks": n} for code, n in result.ranks.by_specialty
            ],
            "total": result.ranks.total,
            "reason": _reason(result.ranks.reason),
        },
        "dual_apply": {
            "recommended": result.dual_apply.recommended,
            "specialties": list(result.dual_apply.specialties),
            "reason": result.dual_apply.reason,
            "rule": result.dual_apply.rule,
            "source": result.dual_apply.source,
        },
        "timeline": [
            {
                "code": m.code,
                "title": m.title,
                "date": m.date.isoformat(),
                "end_date": _iso(m.end_date),
                "kind": m.kind,
                "status": m.status,
                "note": m.note,
                "rule": m.rule,
                "source": m.source,
                "estimated": m.estimated,
            }
            for m in result.timeline
        ],
        "actions": [
            {
                "code": a.code,
                "impact": a.impact,
                "text": a.text,
                "how_much": a.how_much,
                "rule": a.rule,
                "source": a.source,
            }
            for a in result.actions
        ],
        "programs": [_program_dict(e, shared) for e in result.programs] if program_lists else [],
        "excluded": dict(result.excluded),
        "excluded_programs": [
            {
                "id": x.id,
                "name": x.name,
                "specialty_code": x.specialty_code,
                "reasons": [_reason(r) for r in x.reasons],
                "as_of": _iso(x.as_of),
                "stale": x.stale,
            }
            for x in result.excluded_programs
        ]
        if program_lists
        else [],
        "program_counts": {
            "considered": result.programs_considered,
            "listed": len(result.programs),
            "excluded": len(result.excluded_programs),
            "by_fit": by_fit,
        },
        "notes": [_reason(n) for n in result.notes],
        "season": dict(result.season) if result.season is not None else None,
        "signals": [dict(x) for x in result.signals],
        "eligibility": dict(result.eligibility) if result.eligibility is not None else None,
        "sources": [dict(x) for x in result.sources],
        "pgy1": dict(result.pgy1) if result.pgy1 is not None else None,
        "season_choice": dict(result.season_choice) if result.season_choice else None,
        "catalog": None if result.catalog is None else _catalog_dict(result.catalog),
        "fit_note": None if result.fit_note is None else _reason(result.fit_note),
    }


def _catalog_dict(c: Catalog) -> dict[str, Any]:
    return {
        "specialty": c.specialty,
        "programs": c.programs,
        "last_updated": _iso(c.last_updated),
        "no_visa_stated": c.no_visa_stated,
        "no_img_share": c.no_img_share,
        "with_step2": c.with_step2,
        "stale": c.stale,
    }


# --- keys of the program lists --------------------------------------------------------------
# The order of a program entry's keys in the JSON above: its facts (``FACT_KEYS``, the fields
# of ProgramFacts) and then the plan's own. assessments.plan_store stores the facts once per
# catalog snapshot and the rest per plan, in this order.

PROGRAM_KEYS: tuple[str, ...] = (
    "id",
    "acgme_id",
    "name",
    "institution",
    "city",
    "state",
    "specialty_code",
    "program_type",
    "positions",
    "j1",
    "h1b",
    "img_share",
    "step2_min",
    "step2_typical",
    "max_yog",
    "accepts_failures",
    "requires_usce",
    "last_verified",
    "website",
    "source",
    "track",
    "accepting_applications",
    "accepting_season",
    "application_platform",
    "affiliation",
    "first_accredited",
    "total_positions",
    "do_share",
    "usmd_share",
    "fit",
    "confidence",
    "rank",
    "points",
    "preferred_state",
    "preferred_type",
    "verify_with_program",
    "reasons",
    "verify",
)
FACT_KEYS: tuple[str, ...] = PROGRAM_KEYS[: PROGRAM_KEYS.index("usmd_share") + 1]
EXCLUDED_KEYS: tuple[str, ...] = ("id", "name", "specialty_code", "reasons", "as_of", "stale")
