"""Exam history: attempts, failures, years since graduation and the score a plan uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assessments.engine.constants import (
    OBSERVERSHIP_WEIGHT,
    SRC_ASSUMPTION,
    SRC_EM,
    SRC_USMLE,
    passing_standard,
)
from assessments.engine.inputs import SpecialtyRules
from assessments.engine.outputs import Reason, ScoreUsed
from assessments.profile import Profile

# --- exam history -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExamHistory:
    step1_failures: int
    step2_failures: int
    step3_failures: int
    step2_passed: bool | None  # None: not taken yet
    step2_standard: int | None  # the standard in force on the Step 2 CK test date

    @property
    def total(self) -> int:
        return self.step1_failures + self.step2_failures + self.step3_failures


def hands_on_months(profile: Profile) -> float:
    """Hands-on US clinical months: ``usce_months`` without its observership share."""
    return max(0.0, profile.usce_months - OBSERVERSHIP_WEIGHT * profile.observership_months)


def yog_grade(years: int, limit: int, just_past: int = 2, well_past: int = 5) -> str:
    """How far past the common years-since-graduation cutoff ``limit``: within (not past),
    just_past (1 to ``just_past`` years), well_past (up to ``well_past``), far_past (more).
    The thresholds are each specialty's rule parameters (``SpecialtyRules.yog_*``)."""
    past = years - limit
    if past <= 0:
        return "within"
    if past <= just_past:
        return "just_past"
    if past <= well_past:
        return "well_past"
    return "far_past"


def yog_grade_for(years: int, rules: SpecialtyRules) -> str:
    """:func:`yog_grade` with a specialty's own limit and thresholds."""
    return yog_grade(
        years, rules.yog_limit_years, rules.yog_just_past_years, rules.yog_well_past_years
    )


def years_since_graduation(profile: Profile) -> int:
    """Years from graduation to the application season (0 for final-year students), the
    figure programs' YOG limits are compared with."""
    return max(0, profile.application_year - profile.graduation_year)


def _failures(result: str, attempts: int) -> int:
    if result == "pass":
        return attempts - 1
    if result == "fail":
        return attempts
    return 0


def exam_history(profile: Profile) -> ExamHistory:
    """Failed attempts per Step. Step 2 CK pass/fail follows the standard of its test date."""
    s2 = profile.step2ck
    if s2.score is None:
        # attempts counts the coming attempt: the earlier ones were failures.
        step2_failures, passed, standard = s2.attempts - 1, None, None
    else:
        standard = passing_standard(s2.test_date or dt.date.max)
        passed = s2.score >= standard
        step2_failures = s2.attempts - 1 if passed else s2.attempts
    return ExamHistory(
        step1_failures=_failures(profile.step1.result, profile.step1.attempts),
        step2_failures=step2_failures,
        step3_failures=_failures(profile.step3.result, profile.step3.attempts),
        step2_passed=passed,
        step2_standard=standard,
    )


def _score_used(profile: Profile, history: ExamHistory) -> ScoreUsed:
    s2 = profile.step2ck
    if s2.score is not None:
        verdict = "passes" if history.step2_passed else "is under"
        return ScoreUsed(
            value=s2.score,
            kind="actual",
            test_date=s2.test_date,
            passing_standard=history.step2_standard,
            passed=history.step2_passed,
            reason=Reason(
                "step2ck_passing_standard",
                f"Your Step 2 CK score {s2.score} (taken {s2.test_date}) {verdict} the minimum "
                f"passing score of {history.step2_standard} in force on that date.",
                SRC_USMLE,
            ),
        )
    latest = s2.latest_practice
    if latest is not None:
        label = f"{latest.form} " if latest.form else ""
        when = f" of {latest.date.isoformat()}" if latest.date else ""
        return ScoreUsed(
            value=latest.score,
            kind="projected",
            test_date=None,
            passing_standard=None,
            passed=None,
            reason=Reason(
                "step2ck_projected",
                f"Step 2 CK is not taken yet, so the plan is projected from your latest practice "
                f"score: {label}{latest.score}{when}. Treat it as a forecast until the real score "
                "is in.",
                SRC_EM,
            ),
        )
    return ScoreUsed(
        value=None,
        kind="none",
        test_date=None,
        passing_standard=None,
        passed=None,
        reason=Reason(
            "step2ck_no_score",
            "There is no Step 2 CK score and no practice score yet, so the plan cannot be placed "
            "by score. It assumes 'at risk' until you add a practice test result.",
            SRC_ASSUMPTION,
        ),
    )
