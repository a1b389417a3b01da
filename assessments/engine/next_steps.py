"""Actions: what the applicant should do next, most useful first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from assessments.engine.calendar import _cite, _date, key_date, season_day_words
from assessments.engine.constants import (
    IMPACTS,
    SRC_ASSUMPTION,
    SRC_BOTH,
    SRC_CORD,
    SRC_ECFMG,
    SRC_EM,
    SRC_GS,
    SRC_USMLE,
    SRC_USMLE_ATTEMPTS,
    SRC_VISA,
    STEP2CK_TARGET_MONTH_DAY,
    USMLE_MAX_ATTEMPTS,
    targets_words,
)
from assessments.engine.exams import ExamHistory, hands_on_months
from assessments.engine.inputs import PLATFORM_RCAS, SeasonFacts, SpecialtyRules
from assessments.engine.outputs import Action, DualApply, RedFlag, ScoreUsed, SpecialtyPlan
from assessments.profile import Profile

# --- actions ---------------------------------------------------------------------------------


def _field(rules: SpecialtyRules, names: Mapping[str, str]) -> str | None:
    """The field where rotations, letters and scholarly work count: the specialty; for a
    preliminary track the categorical specialty of its code ("GS-PRELIM" is General Surgery);
    None for a transitional year, which rotates through several."""
    if rules.track == "transitional":
        return None
    if rules.track == "preliminary":
        return names.get(rules.code.split("-", 1)[0], rules.name)
    return rules.name


def actions(
    profile: Profile,
    rules: SpecialtyRules,
    primary: SpecialtyPlan,
    history: ExamHistory,
    score: ScoreUsed,
    flags: Sequence[RedFlag],
    dual: DualApply,
    facts: SeasonFacts | None = None,
    costed: Sequence[SpecialtyPlan] = (),
    names: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> tuple[Action, ...]:
    out: list[Action] = []
    names = names or {}
    plans = tuple(costed) or (primary,)
    if profile.step1.result == "fail":
        # Never passed (four attempts never reach here: no plan is made then).
        out.append(
            Action(
                "step1_retake",
                "high",
                f"Pass Step 1: {profile.step1.attempts} attempt"
                f"{'s have' if profile.step1.attempts > 1 else ' has'} not passed yet. Without "
                "a pass there is no ECFMG certification and no Match; prepare until practice "
                "scores are well above the passing standard.",
                f"Attempt {profile.step1.attempts + 1} of at most {USMLE_MAX_ATTEMPTS}; report the pass before the "
                "rank order list deadline at the latest, and before programs read applications "
                "if you can.",
                "step1_retake",
                f"{SRC_ECFMG}; {_cite(facts, 'usmle_attempt_limit', SRC_USMLE_ATTEMPTS)}",
            )
        )
    if history.step2_passed is False:
        out.append(
            Action(
                "step2ck_retake",
                "high",
                f"Retake Step 2 CK: your latest attempt ({profile.step2ck.score}) is under the "
                f"passing score of {history.step2_standard}. Without a pass there is no ECFMG "
                "certification and no Match; prepare until practice scores are well above it.",
                f"Attempt {profile.step2ck.attempts + 1} of at most {USMLE_MAX_ATTEMPTS}; report the new result "
                "before the rank order list deadline at the latest, and before programs read "
                "applications if you can.",
                "step2ck_retake",
                f"{SRC_USMLE}; {_cite(facts, 'usmle_attempt_limit', SRC_USMLE_ATTEMPTS)}",
            )
        )
    codes = {f.code for f in flags}
    s2 = profile.step2ck
    bands = primary.bands
    goal = bands["viable"] if (score.value or 0) < bands["viable"] else bands["strong"]
    if history.total:
        goal = max(goal, rules.after_failure_min_step2)
    if s2.score is None:
        latest = s2.latest_practice
        if "practice_below_target" in codes and latest is not None:
            out.append(
                Action(
                    "step2ck_reschedule",
                    "high",
                    "Move the Step 2 CK date until practice scores reach the target; a low first "
                    "score cannot be replaced.",
                    f"{goal - latest.score} points to gain: NBME practice scores of {goal} or "
                    "more, consistently, before test day.",
                    "practice_gap",
                    SRC_EM,
                )
            )
        else:
            gap = (
                f"{goal - latest.score} points above your latest {latest.score}"
                if (latest is not None and latest.score < goal)
                else "keep your practice scores there"
                if latest is not None
                else "no practice score yet"
            )
            out.append(
                Action(
                    "step2ck_prepare",
                    "high",
                    f"Prepare Step 2 CK for a score of {goal} or more"
                    f"{' (after a failed attempt, aim well above ' + str(rules.after_failure_min_step2) + ')' if history.total else ''}.",
                    f"Target {goal}: {gap}; two NBME practice tests at or above it before the exam.",
                    "step2ck_target",
                    SRC_BOTH,
                )
            )
        if "step2ck_late" in codes or s2.planned_date is None:
            out.append(
                Action(
                    "step2ck_book",
                    "high",
                    "Book Step 2 CK so the score is out when programs start reading.",
                    f"Test by {_date(profile.application_year, STEP2CK_TARGET_MONTH_DAY):%d %B %Y}"
                    f" (early August at the latest).",
                    "step2ck_timing",
                    SRC_EM,
                )
            )
    if history.total:
        out.append(
            Action(
                "failure_narrative",
                "high",
                f"Write a short account of the failed attempt{'s' if history.total > 1 else ''}: "
                "what happened, what you changed, and the result that shows it worked. No long "
                "excuses.",
                "Three or four sentences in the personal statement, and the same story ready "
                "for interviews.",
                "failure_story",
                SRC_BOTH,
            )
        )
    if profile.visa in ("h1b", "either") and profile.step3.result != "pass":
        out.append(
            Action(
                "step3_for_h1b",
                "high" if profile.visa == "h1b" else "medium",
                "Pass Step 3 before the H-1B petition is due"
                + ("." if profile.visa == "h1b" else ": it keeps H-1B-only programs open."),
                f"Step 3 passed by February {profile.application_year + 1}.",
                "h1b_step3",
                SRC_VISA,
            )
        )
    if dual.recommended:
        extra = dual.specialties
        application = (
            f"an application for each of {', '.join(extra[:-1])} and {extra[-1]}"
            if len(extra) > 1
            else f"a second application for {extra[0] if extra else 'a second specialty'}"
        )
        out.append(
            Action(
                "dual_apply",
                "high",
                f"Prepare {application}: its own personal statement and letters from that field.",
                "One tailored personal statement and at least one letter per extra specialty.",
                dual.rule,
                dual.source,
            )
        )
    field = _field(rules, names)
    usce_gap = rules.usce_target_months - profile.usce_months
    if usce_gap > 0:
        in_spec = profile.usce_in_specialty_months
        out.append(
            Action(
                "usce",
                "high" if hands_on_months(profile) <= 0 else "medium",
                "Get hands-on US clinical experience (externships, sub-internships)"
                + (f", in {field} where you can." if field else "."),
                f"{usce_gap:g} more month{'s' if usce_gap != 1 else ''} to reach "
                f"{rules.usce_target_months} (you have {profile.usce_months:g}, {in_spec:g} in "
                f"{rules.code}).",
                "usce_target",
                SRC_BOTH,
            )
        )
    letters_gap = rules.us_letters_target - profile.us_letters
    if letters_gap > 0:
        out.append(
            Action(
                "us_letters",
                "high" if profile.us_letters <= 0 else "medium",
                "Collect letters from US physicians in "
                f"{field or 'the specialties of your rotations'} who saw your work.",
                f"{letters_gap} more to reach {rules.us_letters_target}.",
                "letters_target",
                SRC_BOTH,
            )
        )
    sloe_gap = rules.sloes_target - profile.sloes
    if sloe_gap > 0:
        out.append(
            Action(
                "sloes",
                "high",
                "Get SLOEs from your US emergency medicine rotations.",
                f"{sloe_gap} more SLOE{'s' if sloe_gap > 1 else ''} to reach {rules.sloes_target}.",
                "sloe_target",
                f"{SRC_EM}; {SRC_CORD}",
            )
        )
    if not profile.ecfmg_certified:
        if profile.oet_passed:
            missing = []
        elif profile.oet_passed is None:
            missing = ["OET Medicine (unless already passed)"]
        else:
            missing = ["OET Medicine"]
        if profile.pathway != "met":
            missing.insert(
                0,
                "an ECFMG Pathway (applied)"
                if profile.pathway == "applied"
                else "an ECFMG Pathway",
            )
        if profile.step1.result != "pass":
            missing.append("Step 1")
        if not history.step2_passed:
            missing.append("Step 2 CK")
        out.append(
            Action(
                "ecfmg",
                "medium",
                "Finish ECFMG certification (Step 1, Step 2 CK, a Pathway plus OET Medicine, and "
                "your degree verified), ideally before programs start reading.",
                "Still missing: "
                + (", ".join(missing) if missing else "the credential checks")
                + ".",
                "ecfmg_certification",
                SRC_ECFMG,
            )
        )
    if "yog_old" in codes:
        out.append(
            Action(
                "recent_clinical_work",
                "medium",
                "Show recent clinical work to answer the question of time since graduation.",
                "Hands-on clinical work within the last 12 months, in the US if possible.",
                "yog_limit",
                SRC_GS,
            )
        )
    scholarly = profile.publications + profile.presentations
    if scholarly == 0 or (primary.tier in ("strong", "viable") and scholarly < 2):
        out.append(
            Action(
                "research",
                "medium" if primary.tier == "strong" else "low",
                f"Add scholarly work{f' in {field}' if field else ''}: a case report, a poster, "
                "a QI project.",
                f"{max(1, 2 - scholarly)} more item{'s' if 2 - scholarly > 1 else ''} "
                f"(you have {scholarly}).",
                "research",
                SRC_BOTH,
            )
        )
    platforms_used: dict[str, list[str]] = {}
    for p in plans:
        platforms_used.setdefault(p.platform, []).append(p.code)
    year = profile.application_year
    ranked_by = key_date(facts, year, "nrmp_rank_deadline")
    if today is not None and today > ranked_by.date:
        # A plan for a season whose rank lists are in: "submit now" would lead nowhere.
        out.append(
            Action(
                "apply_early",
                "high",
                "This season's rank order list deadline has passed, so applications sent now "
                "cannot be ranked in its Match: make a new plan for the next season.",
                f"Deadline: {season_day_words(ranked_by)}.",
                "apply_early",
                ranked_by.source,
            )
        )
        platforms_used = {}
    for platform, codes in platforms_used.items():
        listed = ", ".join(codes)
        rcas = platform == PLATFORM_RCAS
        # The timeline's submit-by day (Liaison: "submit by ... for the best chance" on
        # ResidencyCAS), not the release day itself.
        by = key_date(facts, year, "rcas_deadline" if rcas else "eras_programs")
        by_words = season_day_words(by)
        source = (
            f"{SRC_BOTH}; {_cite(facts, 'liaison_residencycas_quickstart', SRC_ASSUMPTION)}"
            if rcas
            else SRC_BOTH
        )
        if today is not None and today > by.date:
            # A plan made after the day: "submit in September" would be advice for the past.
            reading = key_date(facts, year, "rcas_programs") if rcas else by
            out.append(
                Action(
                    "apply_early",
                    "high",
                    f"Submit your {platform} application for {listed} now if it is not in yet, "
                    f"to {targets_words(profile.visa)}: programs have had applications since "
                    f"{season_day_words(reading)} and read the early ones "
                    "first."
                    + (" Assign your letters and SLOEs to each program by hand." if rcas else ""),
                    f"The submit-by day, {by_words}, has passed: as soon as you can.",
                    "apply_early",
                    source,
                )
            )
        elif rcas:
            out.append(
                Action(
                    "apply_early",
                    "low",
                    f"Submit your ResidencyCAS application for {listed} in September, before it "
                    f"is released to programs, to {targets_words(profile.visa)}. Assign your "
                    "letters and SLOEs to each program by hand.",
                    f"Application complete by {by_words}.",
                    "apply_early",
                    source,
                )
            )
        else:
            out.append(
                Action(
                    "apply_early",
                    "low",
                    f"Submit ERAS for {listed} on the day it opens to programs, to "
                    f"{targets_words(profile.visa)}.",
                    f"Application complete by {by_words}.",
                    "apply_early",
                    source,
                )
            )
    if profile.visa in ("j1", "either"):
        specs = [names.get(p.code, p.code) for p in plans]
        out.append(
            Action(
                "j1_statement_of_need",
                "medium",
                "Ask your home country's Ministry of Health early for the Statement of Need that "
                "ECFMG requires for a J-1: it must name exactly the specialty you will train in"
                + (
                    " (with more than one specialty, the one you match into: "
                    + ", ".join(specs[:-1])
                    + f" or {specs[-1]})."
                    if len(specs) > 1
                    else f" ({specs[0]})."
                ),
                "One letter per specialty you may match into; ECFMG sponsorship also needs your "
                "certificate and a program contract.",
                "j1_statement_of_need",
                _cite(facts, "ecfmg_son", SRC_VISA),
            )
        )
    if profile.visa == "h1b":
        out.append(
            Action(
                "h1b_212e",
                "low",
                "Keep the reason for the H-1B in mind: an ECFMG-sponsored J-1 carries the "
                "two-year home-country requirement (section 212(e)) before most changes of "
                "status; the H-1B avoids it but needs ECFMG certification, then Step 3, before "
                "the petition, and fewer programs offer it.",
                "Certification and Step 3 done: the petition comes after the Match."
                if profile.ecfmg_certified and profile.step3.result == "pass"
                else "Certification done: Step 3 soon, the petition after the Match."
                if profile.ecfmg_certified
                else "Certification by the end of October, Step 3 soon after, petition after the "
                "Match.",
                "h1b_212e",
                f"{_cite(facts, 'ecfmg_evsp_general', SRC_VISA)}; "
                f"{_cite(facts, 'step3_after_certification', SRC_VISA)}",
            )
        )
    if profile.observership_months and hands_on_months(profile) <= 0:
        out.append(
            Action(
                "observership_not_usce",
                "medium",
                "Your observerships show the US system, but programs count only hands-on work "
                "(externships, sub-internships) as US clinical experience, and observers' "
                "letters weigh less: add a hands-on rotation if you can.",
                f"{profile.observership_months:g} month"
                f"{'s' if profile.observership_months != 1 else ''} of observership; "
                f"{rules.usce_target_months} months hands-on is the target.",
                "observership",
                _cite(facts, "observership_no_patient_care", SRC_ASSUMPTION),
            )
        )
    order = {s: i for i, s in enumerate(IMPACTS)}
    return tuple(sorted(out, key=lambda a: order[a.impact]))
