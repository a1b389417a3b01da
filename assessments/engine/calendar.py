"""Calendar: the season's dates, and the plan's timeline of tasks and events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from assessments.engine.constants import (
    SRC_ASSUMPTION,
    SRC_BOTH,
    SRC_ECFMG,
    SRC_EM,
    SRC_ERAS_CALENDAR,
    SRC_FEES,
    SRC_NRMP_CALENDAR,
    SRC_VISA,
    STEP2CK_TARGET_MONTH_DAY,
)
from assessments.engine.exams import ExamHistory
from assessments.engine.inputs import PLATFORM_ERAS, PLATFORM_RCAS, SeasonFacts, SpecialtyRules
from assessments.engine.outputs import Milestone
from assessments.profile import Profile

# --- calendar --------------------------------------------------------------------------------


def _date(year: int, month_day: tuple[int, int]) -> dt.date:
    return dt.date(year, *month_day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def eras_opens(year: int) -> dt.date:
    """Programs start reading ERAS applications: the fourth Wednesday of September."""
    return _nth_weekday(year, 9, 2, 4)


def match_day(application_year: int) -> dt.date:
    """Match Day: the third Friday of March of the year after the application season."""
    return _nth_weekday(application_year + 1, 3, 4, 3)


def rank_list_deadline(application_year: int) -> dt.date:
    """NRMP rank order list deadline: the Wednesday 16 days before Match Day."""
    return match_day(application_year) - dt.timedelta(days=16)


def _cite(facts: SeasonFacts | None, key: str, fallback: str) -> str:
    if facts is None or key not in facts.sources:
        return fallback
    return facts.sources[key].cite()


def _task(
    code: str,
    title: str,
    due: dt.date,
    done: bool,
    today: dt.date,
    note: str,
    rule: str,
    source: str,
) -> Milestone:
    status = "done" if done else ("overdue" if today > due else "due")
    return Milestone(code, title, due, None, "task", status, note, rule, source)


def _event(
    code: str,
    title: str,
    start: dt.date,
    end: dt.date | None,
    today: dt.date,
    note: str,
    source: str,
) -> Milestone:
    status = "done" if today > (end or start) else "due"
    return Milestone(code, title, start, end, "event", status, note, "calendar", source)


def timeline(
    profile: Profile,
    rules: SpecialtyRules,
    history: ExamHistory,
    today: dt.date,
    facts: SeasonFacts | None = None,
    platforms: Sequence[str] = (PLATFORM_ERAS,),
) -> tuple[Milestone, ...]:
    year = profile.application_year
    s2 = profile.step2ck
    items: list[Milestone] = []
    if history.step2_passed:
        note = f"Done: {s2.score} on {s2.test_date}."
    elif s2.score is not None:
        note = "The last attempt did not pass: plan the retake with care, practice scores first."
    elif s2.planned_date:
        note = f"Planned for {s2.planned_date}."
    else:
        note = "Not booked yet."
    items.append(
        _task(
            "step2ck",
            "Step 2 CK taken, score in hand",
            _date(year, STEP2CK_TARGET_MONTH_DAY),
            bool(history.step2_passed),
            today,
            note,
            "step2ck_timing",
            SRC_EM,
        )
    )
    oet_done = profile.ecfmg_certified or bool(profile.oet_passed)
    pathway_done = profile.ecfmg_certified or profile.pathway == "met"
    src_pathway = _cite(facts, "ecfmg_oet_pathways", SRC_ECFMG)
    items.append(
        _task(
            "oet",
            "OET Medicine passed (for ECFMG certification)",
            dt.date(year, 8, 31),
            oet_done,
            today,
            "Needed with a Pathway for the clinical and communication requirement; take it over "
            "the summer at the latest.",
            "ecfmg_certification",
            src_pathway,
        )
    )
    if profile.pathway == "applied":
        pnote = "Applied: watch for ECFMG's decision and answer any request quickly."
    elif pathway_done:
        pnote = "Done."
    else:
        pnote = (
            "OET Medicine alone is not enough: ECFMG also needs one of its Pathways for the "
            "clinical skills part. Apply as soon as you qualify."
        )
    items.append(
        _task(
            "pathway",
            "ECFMG Pathway application submitted and accepted",
            dt.date(year, 9, 30),
            pathway_done,
            today,
            pnote,
            "ecfmg_pathway",
            src_pathway,
        )
    )
    letters_done = (
        profile.usce_months >= rules.usce_target_months
        and profile.us_letters >= rules.us_letters_target
        and profile.sloes >= rules.sloes_target
    )
    wanted = f"{rules.usce_target_months} months of US clinical experience, {rules.us_letters_target} US letters"
    if rules.sloes_target:
        wanted += f" ({rules.sloes_target} of them SLOEs)"
    items.append(
        _task(
            "rotations_letters",
            "US rotations done and letters uploaded",
            dt.date(year, 9, 15),
            letters_done,
            today,
            f"Aim: {wanted}, before programs start reading.",
            "usce_target",
            SRC_BOTH,
        )
    )
    if PLATFORM_ERAS in platforms:
        opens = eras_opens(year)
        items.append(
            _event(
                "eras_opens",
                "ERAS opens to programs: have your application submitted",
                opens,
                None,
                today,
                "Apply on the first day; early applications are read first.",
                SRC_ERAS_CALENDAR,
            )
        )
    if PLATFORM_RCAS in platforms:
        pf = facts.platforms.get(PLATFORM_RCAS) if facts is not None else None
        md = pf.release_month_day if pf is not None and pf.release_month_day else (10, 1)
        src = pf.source.cite() if pf is not None and pf.source else SRC_ASSUMPTION
        note = (
            "Submit your ResidencyCAS application in September, before this date. Letters and "
            "SLOEs are assigned to each program by hand. The date is the "
            f"{pf.confirmed_season if pf else ''} season's; check this season's calendar."
        )
        items.append(
            _event(
                "residencycas_release",
                "ResidencyCAS releases applications to programs",
                _date(year, md),
                None,
                today,
                note,
                src,
            )
        )
    if facts is not None:
        n = facts.nrmp
        deadline_reg = _date(year, n.standard_deadline_month_day)
        items.append(
            _task(
                "nrmp_registration",
                "Register for the Match (NRMP)",
                deadline_reg,
                False,
                today,
                f"Registration after this standard deadline costs ${n.late_fee} more.",
                "nrmp_fees",
                n.source.cite() if n.source else SRC_FEES,
            )
        )
    items.append(
        _event(
            "interviews",
            "Interview season",
            dt.date(year, 10, 1),
            dt.date(year + 1, 1, 31),
            today,
            "Keep visa and certification papers ready for interviews.",
            SRC_NRMP_CALENDAR,
        )
    )
    deadline = rank_list_deadline(year)
    h1b = profile.visa in ("h1b", "either")
    # For an H-1B, Step 3 can be taken only after certification, and the petition needs Step 3:
    # certification first (by the end of October), Step 3 next, the petition after Match Day.
    cert_due = dt.date(year, 10, 31) if h1b else deadline
    items.append(
        _task(
            "ecfmg_certification",
            "ECFMG certification complete",
            cert_due,
            profile.ecfmg_certified,
            today,
            (
                "Early, because Step 3 (needed for the H-1B) can be taken only after it."
                if h1b
                else "Best by the time programs start reading; programs want it, or a firm date, "
                "before ranking."
            ),
            "ecfmg_certification",
            f"{SRC_ECFMG}; {_cite(facts, 'step3_after_certification', SRC_VISA)}"
            if h1b
            else SRC_ECFMG,
        )
    )
    items.append(
        _task(
            "nrmp_verification",
            "Step 1, Step 2 CK and the Pathway verified to the NRMP",
            deadline,
            profile.ecfmg_certified,
            today,
            "What must be verified by the rank order list deadline; without it you are "
            "withdrawn from the Match (the full certificate is needed before residency starts).",
            "ecfmg_match_deadline",
            f"{_cite(facts, 'ecfmg_eras_match_eligibility', SRC_ECFMG)}; "
            f"{_cite(facts, 'nrmp_applicant_faq', SRC_NRMP_CALENDAR)}",
        )
    )
    if h1b:
        note = (
            "Needed for the H-1B petition before a July start; book it as soon as you are "
            "certified (results take a few weeks)."
            if profile.visa == "h1b"
            else "Optional: it keeps H-1B-only programs open to you. Only after certification."
        )
        step3_due = max(dt.date(year + 1, 1, 31), cert_due + dt.timedelta(days=60))
        items.append(
            _task(
                "step3_h1b",
                "Step 3 passed (for an H-1B), after ECFMG certification",
                step3_due,
                profile.step3.result == "pass",
                today,
                note,
                "h1b_step3",
                f"{SRC_VISA}; {_cite(facts, 'step3_after_certification', SRC_VISA)}",
            )
        )
        items.append(
            _event(
                "h1b_petition",
                "H-1B petition filed by the matched program",
                match_day(year) + dt.timedelta(days=3),
                dt.date(year + 1, 4, 30),
                today,
                "The program files after the Match; it needs your certificate and Step 3 result.",
                SRC_VISA,
            )
        )
    items.append(
        _event(
            "rank_list",
            "Rank order list deadline",
            deadline,
            None,
            today,
            f"Rank at least {rules.recommended_ranks} {rules.code} programs in a row.",
            SRC_NRMP_CALENDAR,
        )
    )
    day = match_day(year)
    items.append(
        _event(
            "soap",
            "SOAP (Match week)",
            day - dt.timedelta(days=4),
            day - dt.timedelta(days=1),
            today,
            "If unmatched, unfilled positions are offered this week.",
            SRC_NRMP_CALENDAR,
        )
    )
    items.append(_event("match_day", "Match Day", day, None, today, "", SRC_NRMP_CALENDAR))
    items.append(
        _event(
            "residency_start",
            "Residency starts",
            dt.date(year + 1, 7, 1),
            None,
            today,
            "Visa, certification and (for an H-1B) Step 3 must all be in place.",
            SRC_NRMP_CALENDAR,
        )
    )
    return tuple(sorted(items, key=lambda m: m.date))
