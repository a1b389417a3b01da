"""Tiers: the applicant's standing in a specialty."""

from __future__ import annotations

from collections.abc import Mapping

from assessments.engine.constants import (
    MULTIPLE_FAILURES_HIGH_RISK,
    NEAR_UNMATCHED_MARGIN,
    SRC_ASSUMPTION,
    SRC_BOTH,
    SRC_EM,
    SRC_GS,
    SRC_NRMP,
    STEP1_FAILURE_CAP,
    TIER_LABELS,
    TIERS,
)
from assessments.engine.exams import ExamHistory
from assessments.engine.inputs import SpecialtyRules
from assessments.engine.outputs import ScoreUsed, TierStep
from assessments.profile import Profile

# --- tiers -----------------------------------------------------------------------------------

_TIER_INDEX = {tier: index for index, tier in enumerate(TIERS)}


def _rules_source(rules: SpecialtyRules) -> str:
    if rules.basis == "article":
        return SRC_EM if rules.code == "EM" else SRC_GS if rules.code == "GS-PRELIM" else SRC_BOTH
    if rules.basis == "derived":
        return f"{rules.stats_source or SRC_NRMP}; offsets: {SRC_ASSUMPTION}"
    return SRC_ASSUMPTION


def bands_for(rules: SpecialtyRules, visa: str) -> dict[str, int]:
    """Effective lower bounds (strong, viable, risk) after the H-1B raise."""
    shift = rules.h1b_band_shift if visa == "h1b" else 0
    return {
        "strong": rules.strong_min + shift,
        "viable": rules.viable_min + shift,
        "risk": rules.risk_min + shift,
    }


def band_of(score: int, bands: Mapping[str, int]) -> str:
    if score >= bands["strong"]:
        return "strong"
    if score >= bands["viable"]:
        return "viable"
    if score >= bands["risk"]:
        return "risk"
    return "high_risk"


def tier_for(
    rules: SpecialtyRules, profile: Profile, score: ScoreUsed, history: ExamHistory
) -> tuple[str, tuple[TierStep, ...], dict[str, int]]:
    """The tier for one specialty and every step that set or moved it."""
    bands = bands_for(rules, profile.visa)
    steps: list[TierStep] = []
    code = rules.code
    if profile.visa == "h1b" and rules.h1b_band_shift:
        steps.append(
            TierStep(
                "h1b_raises_bar",
                "raise_bar",
                "",
                f"You need an H-1B: fewer programs sponsor it and those that do tend to expect "
                f"stronger scores, so every {code} band is raised by {rules.h1b_band_shift} "
                f"points (strong from {bands['strong']}, viable from {bands['viable']}, at risk "
                f"from {bands['risk']}).",
                f"{SRC_EM} (visa status amplifies the score); size of the raise: {SRC_ASSUMPTION}",
            )
        )
    if score.value is None:
        tier = "risk"
        steps.append(
            TierStep("no_score_assumed_risk", "band", tier, score.reason.text, SRC_ASSUMPTION)
        )
    else:
        tier = band_of(score.value, bands)
        word = "projected score" if score.kind == "projected" else "Step 2 CK"
        if tier == "high_risk":
            where = f"under {bands['risk']}"
        elif tier == "strong":
            where = f"{bands['strong']} or more"
        else:
            upper = bands["strong"] if tier == "viable" else bands["viable"]
            where = f"{bands[tier]}-{upper - 1}"
        steps.append(
            TierStep(
                "step2ck_band",
                "band",
                tier,
                f"Your {word} {score.value} is in the {code} band for '{TIER_LABELS[tier]}' "
                f"({where}).",
                _rules_source(rules),
            )
        )
    m, u = rules.matched_median, rules.unmatched_median
    if m is not None and u is not None and u >= m:
        steps.append(
            TierStep(
                "score_does_not_separate",
                "note",
                tier,
                f"In {code} the median Step 2 CK of unmatched non-US IMGs ({u}) is at or above "
                f"that of matched ones ({m}): the score alone does not separate who matches, so "
                "the rest of your profile (US experience, letters, attempts, visa, time since "
                "graduation) weighs more than usual.",
                rules.stats_source or SRC_NRMP,
            )
        )
    if (
        tier == "strong"
        and score.value is not None
        and u is not None
        and score.value < u + NEAR_UNMATCHED_MARGIN
    ):
        tier = "viable"
        steps.append(
            TierStep(
                "near_unmatched_median",
                "cap",
                tier,
                f"Your score is within {NEAR_UNMATCHED_MARGIN} points of the median of unmatched "
                f"applicants ({u}), so it is not called strong: many applicants with this score "
                "did not match.",
                rules.stats_source or SRC_NRMP,
            )
        )
    total = history.total
    if history.step1_failures and history.step2_failures:
        tier = "high_risk"
        steps.append(
            TierStep(
                "step2ck_failure_after_step1_failure",
                "lower",
                tier,
                "A failed Step 2 CK after a failed Step 1 puts the application at high risk: "
                "most programs, surgical ones above all, stop reading at that point.",
                SRC_GS,
            )
        )
    elif total >= MULTIPLE_FAILURES_HIGH_RISK:
        tier = "high_risk"
        steps.append(
            TierStep(
                "multiple_failures",
                "lower",
                tier,
                f"{total} failed exam attempts across the Steps: more than one failed attempt "
                "is high risk whatever the score.",
                SRC_EM,
            )
        )
    elif total == 1:
        floor = rules.after_failure_min_step2
        if score.value is not None and score.value < floor:
            tier = "high_risk"
            steps.append(
                TierStep(
                    "failure_with_modest_step2",
                    "lower",
                    tier,
                    f"A failed attempt on record with a Step 2 CK under {floor} is high risk: "
                    f"after a failure, programs look for a clearly stronger Step 2 CK ({floor} "
                    "or more).",
                    SRC_BOTH,
                )
            )
        elif _TIER_INDEX[tier] < _TIER_INDEX[STEP1_FAILURE_CAP]:
            tier = STEP1_FAILURE_CAP
            steps.append(
                TierStep(
                    "failure_caps_tier",
                    "cap",
                    tier,
                    "One failed attempt caps the tier at 'viable', even with a strong Step 2 "
                    "CK: a strong position assumes a first-attempt pass.",
                    SRC_EM,
                )
            )
        else:
            steps.append(
                TierStep(
                    "failure_caps_tier",
                    "note",
                    tier,
                    "One failed attempt caps the tier at 'viable'; your tier is already at or "
                    "under that cap.",
                    SRC_EM,
                )
            )
    return tier, tuple(steps), bands
