"""Comparing two plans: their outputs (tiers, counts, flags, programs) and their answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.forms import (
    CITIZENSHIP_CHOICES,
    PATHWAY_CHOICES,
    STEP1_RESULT_CHOICES,
    STEP3_RESULT_CHOICES,
    VISA_CHOICES,
)
from assessments.plans.reader import as_dict, as_int, as_list, as_range
from assessments.plans.words import TIER_INDEX, tier_word
from programs.models import ProgramType


@dataclass(frozen=True, slots=True)
class TierChange:
    code: str
    name: str
    before: str  # "" when the specialty was not in the older plan
    after: str  # "" when it is not in the newer plan
    change: str  # better | worse | same | added | removed

    @property
    def before_word(self) -> str:
        return tier_word(self.before) if self.before else "not in plan"

    @property
    def after_word(self) -> str:
        return tier_word(self.after) if self.after else "not in plan"


@dataclass(frozen=True, slots=True)
class CountChange:
    label: str
    before: tuple[int | None, int | None]
    after: tuple[int | None, int | None]

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def delta(self) -> tuple[int | None, int | None]:
        return (
            _sub(self.after[0], self.before[0]),
            _sub(self.after[1], self.before[1]),
        )


def _sub(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True, slots=True)
class ProgramRef:
    id: int
    name: str
    specialty_code: str
    fit: str
    state: str


@dataclass(frozen=True, slots=True)
class FitChange:
    program: ProgramRef
    before: str
    after: str


@dataclass(frozen=True)
class PlanComparison:
    tiers: tuple[TierChange, ...]
    score_before: dict[str, Any]
    score_after: dict[str, Any]
    applications: tuple[CountChange, ...]
    cost: CountChange
    # Each plan's "applications": the fee schedules its cost was priced with (season, source).
    fees_before: dict[str, Any]
    fees_after: dict[str, Any]
    flags_added: tuple[dict[str, Any], ...]
    flags_removed: tuple[dict[str, Any], ...]
    flags_kept: tuple[dict[str, Any], ...]
    programs_added: tuple[ProgramRef, ...]
    programs_removed: tuple[ProgramRef, ...]
    fit_changes: tuple[FitChange, ...]
    programs_before: int
    programs_after: int
    dual_before: bool | None  # None: an ineligible plan (no application plan at all)
    dual_after: bool | None
    engine_before: str
    engine_after: str
    # False: four unpassed attempts, so the plan has no applications, cost or dual advice.
    eligible_before: bool = True
    eligible_after: bool = True

    @property
    def tier_changed(self) -> bool:
        return any(t.change != "same" for t in self.tiers)


def _specialties_of(output: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in [as_dict(output.get("primary")), *map(as_dict, as_list(output.get("backups")))]:
        code = item.get("specialty")
        if isinstance(code, str):
            out[code] = item
    if not out and isinstance(output.get("specialty"), str):
        out[output["specialty"]] = {"specialty": output["specialty"], "tier": output.get("tier")}
    return out


def _programs_of(output: Mapping[str, Any]) -> dict[int, ProgramRef]:
    out: dict[int, ProgramRef] = {}
    for p in as_list(output.get("programs")):
        if not isinstance(p, dict):
            continue
        pid = as_int(p.get("id"))
        if pid is None:
            continue
        out[pid] = ProgramRef(
            id=pid,
            name=str(p.get("name") or f"Program {pid}"),
            specialty_code=str(p.get("specialty_code") or ""),
            fit=str(p.get("fit") or ""),
            state=str(p.get("state") or ""),
        )
    return out


def _flags_of(output: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(f.get("code")): f
        for f in as_list(output.get("red_flags"))
        if isinstance(f, dict) and f.get("code")
    }


def _eligible(output: Mapping[str, Any]) -> bool:
    return as_dict(output.get("eligibility")).get("eligible", True) is not False


def plan_compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> PlanComparison:
    """What changed from the ``before`` plan's output to the ``after`` plan's output: tier per
    specialty, application counts, cost, red flags (by code) and programs (by program id)."""
    # A stored output that is no JSON object (tampered, or an old format) compares as empty.
    before, after = as_dict(before), as_dict(after)
    sb, sa = _specialties_of(before), _specialties_of(after)
    tiers: list[TierChange] = []
    for code in [*sa, *(c for c in sb if c not in sa)]:
        old, new = sb.get(code), sa.get(code)
        name = str((new or old or {}).get("name") or code)
        old_tier = str(old.get("tier") or "") if old else ""
        new_tier = str(new.get("tier") or "") if new else ""
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        elif TIER_INDEX.get(new_tier, 9) < TIER_INDEX.get(old_tier, 9):
            change = "better"
        elif TIER_INDEX.get(new_tier, 9) > TIER_INDEX.get(old_tier, 9):
            change = "worse"
        else:
            change = "same"
        tiers.append(TierChange(code, name, old_tier, new_tier, change))

    # An ineligible plan's output still holds the counts computed beside its verdict, but its
    # page shows no applications, cost or dual advice: neither does the comparison.
    ok_b, ok_a = _eligible(before), _eligible(after)
    counts: list[CountChange] = []
    for code in [*sa, *(c for c in sb if c not in sa)]:
        old_apps = as_dict((sb.get(code) or {}).get("applications")) if ok_b else {}
        new_apps = as_dict((sa.get(code) or {}).get("applications")) if ok_a else {}
        counts.append(
            CountChange(
                f"{code} applications",
                (as_int(old_apps.get("min")), as_int(old_apps.get("max"))),
                (as_int(new_apps.get("min")), as_int(new_apps.get("max"))),
            )
        )
    apps_b = as_dict(before.get("applications")) if ok_b else {}
    apps_a = as_dict(after.get("applications")) if ok_a else {}
    counts.append(
        CountChange(
            "All applications", as_range(apps_b.get("total")), as_range(apps_a.get("total"))
        )
    )
    cost = CountChange(
        "Estimated cost (USD)",
        as_range(apps_b.get("estimated_cost_usd")),
        as_range(apps_a.get("estimated_cost_usd")),
    )

    fb, fa = _flags_of(before), _flags_of(after)
    pb, pa = _programs_of(before), _programs_of(after)
    fit_changes = tuple(
        FitChange(pa[pid], pb[pid].fit, pa[pid].fit)
        for pid in pa
        if pid in pb and pb[pid].fit != pa[pid].fit
    )
    return PlanComparison(
        tiers=tuple(tiers),
        score_before=as_dict(before.get("score")),
        score_after=as_dict(after.get("score")),
        applications=tuple(counts),
        cost=cost,
        fees_before=apps_b,
        fees_after=apps_a,
        flags_added=tuple(f for code, f in fa.items() if code not in fb),
        flags_removed=tuple(f for code, f in fb.items() if code not in fa),
        flags_kept=tuple(f for code, f in fa.items() if code in fb),
        programs_added=tuple(p for pid, p in pa.items() if pid not in pb),
        programs_removed=tuple(p for pid, p in pb.items() if pid not in pa),
        fit_changes=fit_changes,
        programs_before=len(pb),
        programs_after=len(pa),
        dual_before=bool(as_dict(before.get("dual_apply")).get("recommended")) if ok_b else None,
        dual_after=bool(as_dict(after.get("dual_apply")).get("recommended")) if ok_a else None,
        engine_before=str(before.get("engine_version") or ""),
        engine_after=str(after.get("engine_version") or ""),
        eligible_before=ok_b,
        eligible_after=ok_a,
    )


# --- the answers: what changed from one plan to the next ------------------------------------

# Answers shown in the history's "what changed" column, by their path in the profile.
_CHANGE_LABELS: dict[str, str] = {
    "specialty": "Specialty",
    "backup_specialties": "Backups",
    "step2ck.score": "Step 2 CK score",
    "step2ck.practice_scores": "Practice scores",
    "step2ck.attempts": "Step 2 CK attempts",
    "step2ck.test_date": "Step 2 CK date",
    "step2ck.planned_date": "Planned Step 2 CK date",
    "step1.result": "Step 1",
    "step1.attempts": "Step 1 attempts",
    "step1.score": "Step 1 score",
    "step3.result": "Step 3",
    "visa": "Visa",
    "citizenship": "Citizenship",
    "graduation_year": "Graduation year",
    "application_year": "Application year",
    "ecfmg_certified": "ECFMG certified",
    "oet_passed": "OET",
    "pathway": "ECFMG Pathway",
    "usce_months": "US clinical months",
    "usce_in_specialty_months": "US months in the specialty",
    "us_letters": "US letters",
    "sloes": "SLOEs",
    "publications": "Publications",
    "presentations": "Presentations",
    "specialty_experience_years": "Years in the specialty",
    "preferred_states": "Preferred states",
    "program_types": "Program types",
    "budget_usd": "Budget",
}


def _short_words(choices: Any) -> dict[str, str]:
    return {str(code): str(label).split(":")[0] for code, label in choices}


# Coded answers in the wizard's own words: the short name its choice labels start with
# ("J-1", "H-1B only", "Not taken yet"), not the stored code ("j1", "h1b", "not_taken").
_ANSWER_WORDS: dict[str, dict[str, str]] = {
    "visa": _short_words(VISA_CHOICES),
    "step1.result": _short_words(STEP1_RESULT_CHOICES),
    "step3.result": _short_words(STEP3_RESULT_CHOICES),
    "pathway": _short_words(PATHWAY_CHOICES),
    "citizenship": _short_words(CITIZENSHIP_CHOICES),
    "program_types": _short_words(ProgramType.choices),
}


def _flat(profile: Any, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    if not isinstance(profile, dict):
        return flat
    for key, value in profile.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _answer_word(value: Any) -> str:
    if value in (None, "", [], ()):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_item_word(v) for v in value)
    return str(value)


def _item_word(item: Any) -> str:
    """One item of a list answer; a practice score ({score, date, form}) as "242 (NBME 13,
    2026-12-01)", not as the dict it is stored as."""
    if not isinstance(item, dict):
        return str(item)
    details = ", ".join(str(item[k]) for k in ("form", "date") if item.get(k))
    score = item.get("score", "")
    return f"{score} ({details})" if details else str(score)


def _path_word(path: str, value: Any) -> str:
    words = _ANSWER_WORDS.get(path, {})
    if isinstance(value, list):
        value = [words.get(v, v) if isinstance(v, str) else v for v in value]
    elif isinstance(value, str):
        value = words.get(value, value)
    return _answer_word(value)


def profile_changes(before: Any, after: Any) -> list[str]:
    """The answers that differ between two plans' profiles, in words ("Step 2 CK score 240 →
    246"), in the order of ``_CHANGE_LABELS`` (other paths after them)."""
    old, new = _flat(before), _flat(after)
    paths = [p for p in _CHANGE_LABELS if p in old or p in new]
    paths += sorted((set(old) | set(new)) - set(_CHANGE_LABELS))
    changes = []
    for path in paths:
        a, b = _path_word(path, old.get(path)), _path_word(path, new.get(path))
        if a == b:
            continue
        label = _CHANGE_LABELS.get(path, path.replace(".", " ").replace("_", " ").capitalize())
        changes.append(f"{label} {a} → {b}")
    return changes
