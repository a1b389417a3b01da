"""Red flags: what programs screen on, with their severity and source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from assessments.engine.calendar import _date, key_date
from assessments.engine.constants import (
    MULTIPLE_FAILURES_HIGH_RISK,
    PRACTICE_BELOW_TARGET_POINTS,
    SEVERITIES,
    SRC_ASSUMPTION,
    SRC_BOTH,
    SRC_CORD,
    SRC_ECFMG,
    SRC_EM,
    SRC_GS,
    SRC_VISA,
    STEP2CK_LATE_AFTER_MONTH_DAY,
)
from assessments.engine.exams import (
    ExamHistory,
    hands_on_months,
    years_since_graduation,
    yog_grade_for,
)
from assessments.engine.inputs import SeasonFacts, SpecialtyRules
from assessments.engine.outputs import RedFlag, ScoreUsed
from assessments.profile import Profile

# --- red flags -------------------------------------------------------------------------------


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(n, f"#{n}")


def red_flags(
    profile: Profile,
    rules: SpecialtyRules,
    history: ExamHistory,
    score: ScoreUsed,
    bands: Mapping[str, int],
    today: dt.date,
    facts: SeasonFacts | None = None,
) -> tuple[RedFlag, ...]:
    flags: list[RedFlag] = []
    s1, s2 = profile.step1, profile.step2ck
    if history.step1_failures:
        if s1.result == "fail":
            text = (
                f"Step 1 is not passed yet ({s1.attempts} failed attempt"
                f"{'s' if s1.attempts > 1 else ''}). You cannot be ECFMG certified without it, "
                "and many programs screen on a first-attempt pass."
            )
        else:
            text = (
                f"Step 1 was passed on the {_ordinal(s1.attempts)} attempt. Many programs filter "
                f"on attempts: you need a clearly stronger Step 2 CK ({rules.after_failure_min_step2}"
                " or more) and a short, factual account of what changed."
            )
        flags.append(RedFlag("step1_failure", "high", text, "step1_failure", SRC_BOTH, True))
    if history.step2_failures:
        if s2.score is not None and not history.step2_passed:
            text = (
                f"Your Step 2 CK score {s2.score} is under the passing score of "
                f"{history.step2_standard} in force on {s2.test_date}: it is a failed attempt."
            )
        else:
            text = (
                f"Step 2 CK has {history.step2_failures} failed attempt"
                f"{'s' if history.step2_failures > 1 else ''} on record; programs weigh the first "
                "attempt most."
            )
        if history.step1_failures:
            text += " Following a Step 1 failure, it closes most surgical programs."
        flags.append(RedFlag("step2ck_failure", "high", text, "step2ck_failure", SRC_BOTH, True))
    if history.total >= MULTIPLE_FAILURES_HIGH_RISK:
        flags.append(
            RedFlag(
                "multiple_attempts",
                "high",
                f"{history.total} failed attempts across the Steps. Many programs screen out more "
                "than one attempt automatically.",
                "multiple_failures",
                f"{SRC_EM}; {SRC_GS}",
                True,
            )
        )
    years = years_since_graduation(profile)
    if years > rules.yog_limit_years:
        past = years - rules.yog_limit_years
        grade = yog_grade_for(years, rules)
        advice = {
            "just_past": "recent hands-on clinical work, in the US if possible, softens it.",
            "well_past": "many programs will screen you out; recent hands-on US clinical work "
            "and a list built from programs that state no limit, or a limit you meet, matter "
            "most.",
            "far_past": "most programs that state a limit will not consider you; apply where no "
            "limit is stated or where it is verified with the program, and show clinical work "
            "within the last year.",
        }[grade]
        flags.append(
            RedFlag(
                "yog_old",
                "high" if grade == "far_past" else "medium",
                f"You graduated {years} years before this application season, {past} year"
                f"{'s' if past != 1 else ''} past the common cutoff of about "
                f"{rules.yog_limit_years} years: {advice} Programs that publish a limit are "
                "left out of your list when you exceed it.",
                "yog_limit",
                f"{SRC_GS} (YOG cutoffs); limit and grades: {SRC_ASSUMPTION}",
            )
        )
    if profile.visa == "h1b" and profile.step3.result != "pass":
        flags.append(
            RedFlag(
                "h1b_requires_step3",
                "high",
                "You need an H-1B, and an H-1B petition needs Step 3 passed: without it, a "
                "program cannot file for you in time for a July start.",
                "h1b_step3",
                SRC_VISA,
            )
        )
    late_after = _date(profile.application_year, STEP2CK_LATE_AFTER_MONTH_DAY)
    if s2.score is None and (
        (s2.planned_date is not None and s2.planned_date > late_after)
        or (s2.planned_date is None and today > late_after)
    ):
        when = f"planned for {s2.planned_date}" if s2.planned_date else "not taken and not booked"
        flags.append(
            RedFlag(
                "step2ck_late",
                "high",
                f"Step 2 CK is {when}: the score will miss the first weeks of interview offers "
                f"(aim for the end of July, {late_after:%d %B} at the latest).",
                "step2ck_timing",
                SRC_EM,
            )
        )
    target = bands["viable"]
    latest = s2.latest_practice
    if (
        s2.score is None
        and latest is not None
        and latest.score <= target - PRACTICE_BELOW_TARGET_POINTS
    ):
        flags.append(
            RedFlag(
                "practice_below_target",
                "high",
                f"Your latest practice score {latest.score} is {target - latest.score} points "
                f"under {target}, the score of a viable {rules.code} application. A gap of 15 "
                "points or more is a reason to move the exam date rather than risk a low score.",
                "practice_gap",
                SRC_EM,
            )
        )
    if s2.score is None and latest is None:
        flags.append(
            RedFlag(
                "no_practice_score",
                "medium",
                "No practice score yet: take an NBME self-assessment to see where you stand.",
                "practice_gap",
                SRC_EM,
            )
        )
    if hands_on_months(profile) <= 0:
        flags.append(
            RedFlag(
                "no_usce",
                "high",
                (
                    "No hands-on US clinical experience yet: observerships do not count as "
                    "hands-on care. Programs want to see you work in a US setting, and it is "
                    "where strong US letters come from."
                    if profile.observership_months
                    else "No US clinical experience yet. Programs want to see you work in a US "
                    "setting, and it is where US letters come from."
                ),
                "usce_target",
                SRC_BOTH,
                True,
            )
        )
    if profile.us_letters <= 0:
        flags.append(
            RedFlag(
                "no_us_letters",
                "high",
                "No letters from US physicians yet: most programs expect at least two, from "
                "doctors in the specialty.",
                "letters_target",
                SRC_BOTH,
            )
        )
    if rules.sloes_target and profile.sloes <= 0:
        flags.append(
            RedFlag(
                "no_sloe",
                "high",
                f"No SLOE yet: {rules.name} programs expect {rules.sloes_target} Standardized "
                "Letters of Evaluation from US rotations in the specialty.",
                "sloe_target",
                f"{SRC_EM}; {SRC_CORD}",
            )
        )
    if not profile.ecfmg_certified:
        flags.append(
            RedFlag(
                "ecfmg_pending",
                "medium"
                if today >= key_date(facts, profile.application_year, "eras_programs").date
                else "low",
                "Not ECFMG certified yet. Programs want certification, or a clear date for it, "
                "when they rank"
                + (
                    ", and a J-1 cannot be issued without it."
                    if profile.visa in ("j1", "either")
                    else ", and residency cannot start without it."
                ),
                "ecfmg_certification",
                SRC_ECFMG,
            )
        )
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(flags, key=lambda f: order[f.severity]))
