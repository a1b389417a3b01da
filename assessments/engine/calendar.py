"""Calendar: the season's dates, and the plan's timeline of tasks and events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from assessments.engine.constants import (
    SRC_BOTH,
    SRC_ECFMG,
    SRC_EM,
    SRC_ERAS_CALENDAR,
    SRC_FEES,
    SRC_NRMP_CALENDAR,
    SRC_USMLE_ATTEMPTS,
    SRC_VISA,
    STEP2CK_TARGET_MONTH_DAY,
    USMLE_MAX_ATTEMPTS,
)
from assessments.engine.exams import ExamHistory
from assessments.engine.inputs import (
    PLATFORM_ERAS,
    PLATFORM_RCAS,
    SeasonFacts,
    SpecialtyRules,
    season_of,
)
from assessments.engine.outputs import Milestone
from assessments.profile import Profile

# --- calendar --------------------------------------------------------------------------------


def _day(day: dt.date) -> str:
    """A date as the plan writes dates in its text: "8 October 2026"."""
    return f"{day.day} {day:%B %Y}"


def season_day_words(day: SeasonDay) -> str:
    """A key date of the season in the plan's words: "8 October 2026 (estimated)"."""
    return f"{_day(day.date)}{' (estimated)' if day.estimated else ''}"


def _date(year: int, month_day: tuple[int, int]) -> dt.date:
    return dt.date(year, *month_day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


# --- a season's key dates ----------------------------------------------------------------------
# The events of the SeasonDate table, each with the usual rule that estimates it when the
# applicant's season has no date on record (checked against the 2025-26 cycle: AAMC, Liaison,
# NRMP). For application year Y, i.e. the season Y + 1.

SRC_RCAS_CALENDAR = "ResidencyCAS calendar (dates approximate)"

SEASON_EVENTS: dict[str, tuple[str, str, str]] = {
    # event: (label, usual date, calendar cited when estimated)
    "eras_opens": ("ERAS opens to applicants", "the first Wednesday of June", SRC_ERAS_CALENDAR),
    "eras_submit": (
        "ERAS: applicants can submit",
        "the first Wednesday of September",
        SRC_ERAS_CALENDAR,
    ),
    "eras_programs": (
        "ERAS: programs start reviewing applications",
        "the fourth Wednesday of September",
        SRC_ERAS_CALENDAR,
    ),
    "rcas_opens": (
        "ResidencyCAS opens to applicants",
        "the first Wednesday of June",
        SRC_RCAS_CALENDAR,
    ),
    "rcas_submit": (
        "ResidencyCAS: applicants can submit",
        "the first Wednesday of September",
        SRC_RCAS_CALENDAR,
    ),
    "rcas_deadline": (
        "ResidencyCAS: submit by (for the best chance)",
        "the fourth Wednesday of September",
        SRC_RCAS_CALENDAR,
    ),
    "rcas_programs": (
        "ResidencyCAS releases applications to programs",
        "1 October",
        SRC_RCAS_CALENDAR,
    ),
    "nrmp_registration": ("NRMP: registration opens", "15 September", SRC_NRMP_CALENDAR),
    "nrmp_ranking": (
        "NRMP: rank order list entry opens",
        "1 February of the Match year",
        SRC_NRMP_CALENDAR,
    ),
    "nrmp_rank_deadline": (
        "NRMP: rank order list certification deadline",
        "16 days before Match Day (a Wednesday)",
        SRC_NRMP_CALENDAR,
    ),
    "soap_starts": (
        "Match Week and SOAP begin",
        "the Monday of Match Week",
        SRC_NRMP_CALENDAR,
    ),
    "match_day": ("Match Day", "the third Friday of March", SRC_NRMP_CALENDAR),
}


def eras_opens(year: int) -> dt.date:
    """The usual day programs start reading ERAS applications: the fourth Wednesday of
    September (see :func:`key_date` for a season's own date)."""
    return _nth_weekday(year, 9, 2, 4)


def match_day(application_year: int) -> dt.date:
    """The usual Match Day: the third Friday of March of the year after the application
    season (see :func:`key_date`)."""
    return _nth_weekday(application_year + 1, 3, 4, 3)


def rank_list_deadline(application_year: int) -> dt.date:
    """The usual NRMP rank order list deadline: the Wednesday 16 days before Match Day."""
    return match_day(application_year) - dt.timedelta(days=16)


@dataclass(frozen=True, slots=True)
class SeasonDay:
    """A key date as the plan uses it: the season's own date, or an estimate by the usual
    rule (``estimated``), with the citation to show."""

    event: str
    date: dt.date
    estimated: bool
    source: str
    rule: str  # the usual date, in words
    url: str = ""  # the source's address, when the date is on record with one

    def estimate_note(self, season: int) -> str:
        if not self.estimated:
            return ""
        return (
            f"Estimated ({self.rule}): the {season} season's date is not on record yet; check "
            "the official calendar."
        )


def _usual_date(event: str, year: int, facts: SeasonFacts | None) -> dt.date:
    if event in ("eras_opens", "rcas_opens"):
        return _nth_weekday(year, 6, 2, 1)
    if event in ("eras_submit", "rcas_submit"):
        return _nth_weekday(year, 9, 2, 1)
    if event in ("eras_programs", "rcas_deadline"):
        return eras_opens(year)
    if event == "rcas_programs":
        return dt.date(year, 10, 1)
    if event == "nrmp_registration":
        return dt.date(year, 9, 15)
    if event == "nrmp_ranking":
        return dt.date(year + 1, 2, 1)
    if event == "match_day":
        return match_day(year)
    # Counted back from the season's Match Day, confirmed or not.
    day = key_date(facts, year, "match_day").date
    if event == "nrmp_rank_deadline":
        return day - dt.timedelta(days=16)
    if event == "soap_starts":
        return day - dt.timedelta(days=4)
    raise KeyError(event)


def key_date(facts: SeasonFacts | None, application_year: int, event: str) -> SeasonDay:
    """``event`` of the applicant's season: the date on record for that very season (never
    another season's), else the usual rule's estimate."""
    _label, rule, calendar = SEASON_EVENTS[event]
    season = season_of(application_year)
    found = facts.key_dates.get(season, {}).get(event) if facts is not None else None
    if found is not None:
        source = found.source.cite() if found.source is not None else calendar
        url = found.source.url if found.source is not None else ""
        return SeasonDay(event, found.date, False, source, rule, url)
    return SeasonDay(
        event,
        _usual_date(event, application_year, facts),
        True,
        f"{calendar}: estimated as {rule}",
        rule,
    )


def season_date_rules() -> list[dict[str, str]]:
    """Each key date's label and usual rule, for the methodology page."""
    return [
        {"event": event, "label": label, "rule": rule}
        for event, (label, rule, _calendar) in SEASON_EVENTS.items()
    ]


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
    estimated: bool = False,
) -> Milestone:
    status = "done" if today > (end or start) else "due"
    return Milestone(code, title, start, end, "event", status, note, "calendar", source, estimated)


def _day_event(
    code: str,
    title: str,
    day: SeasonDay,
    today: dt.date,
    note: str,
    season: int,
    end: dt.date | None = None,
) -> Milestone:
    """An event on a key date of the season, saying when the date is estimated."""
    note = " ".join(part for part in (note, day.estimate_note(season)) if part)
    return _event(code, title, day.date, end, today, note, day.source, day.estimated)


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
        note = f"Done: {s2.score}" + (f" on {_day(s2.test_date)}." if s2.test_date else ".")
    elif s2.score is not None:
        note = "The last attempt did not pass: plan the retake with care, practice scores first."
    elif s2.planned_date:
        note = f"Planned for {_day(s2.planned_date)}."
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
    season = season_of(year)
    if PLATFORM_ERAS in platforms:
        submit = key_date(facts, year, "eras_submit")
        items.append(
            _day_event(
                "eras_opens",
                "ERAS opens to programs: have your application submitted",
                key_date(facts, year, "eras_programs"),
                today,
                f"Applications can be sent from {season_day_words(submit)}; apply by the day "
                "programs start reading, since early applications are read first.",
                season,
            )
        )
    if PLATFORM_RCAS in platforms:
        by = key_date(facts, year, "rcas_deadline")
        items.append(
            _day_event(
                "residencycas_release",
                "ResidencyCAS releases applications to programs",
                key_date(facts, year, "rcas_programs"),
                today,
                f"Submit your ResidencyCAS application by {season_day_words(by)}, before this "
                "date. Letters and SLOEs are assigned to each program by hand.",
                season,
            )
        )
    if facts is not None:
        n = facts.nrmp
        deadline_reg = _date(year, n.standard_deadline_month_day)
        opens = key_date(facts, year, "nrmp_registration")
        items.append(
            _task(
                "nrmp_registration",
                "Register for the Match (NRMP)",
                deadline_reg,
                False,
                today,
                f"Registration opens {season_day_words(opens)}; after this standard deadline it "
                f"costs ${n.late_fee} more.",
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
            f"Keep {'' if profile.visa == 'none' else 'visa and '}certification papers ready "
            "for interviews.",
            SRC_NRMP_CALENDAR,
        )
    )
    rank_day = key_date(facts, year, "nrmp_rank_deadline")
    deadline = rank_day.date
    day = key_date(facts, year, "match_day")
    s1 = profile.step1
    if s1.result != "pass":
        # As the step1_retake action asks: no certification and no Match without a pass.
        failed = s1.result == "fail"
        items.append(
            _task(
                "step1",
                "Step 1 passed, result reported",
                deadline,
                False,
                today,
                (
                    f"Attempt {s1.attempts + 1} of at most {USMLE_MAX_ATTEMPTS}: pass it before the rank order "
                    "list deadline at the latest, and before programs read applications if "
                    "you can."
                    if failed
                    else "Not taken yet: pass it before the rank order list deadline at the "
                    "latest, and before programs read applications if you can."
                ),
                "step1_retake",
                f"{SRC_ECFMG}; {_cite(facts, 'usmle_attempt_limit', SRC_USMLE_ATTEMPTS)}"
                if failed
                else SRC_ECFMG,
            )
        )
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
                day.date + dt.timedelta(days=3),
                dt.date(year + 1, 4, 30),
                today,
                "The program files after the Match; it needs your certificate and Step 3 result.",
                SRC_VISA,
            )
        )
    items.append(
        _day_event(
            "rank_list_opens",
            "Rank order list entry opens (NRMP)",
            key_date(facts, year, "nrmp_ranking"),
            today,
            "Enter your list once interviews are done and certify it; you can change and "
            "re-certify it until the deadline.",
            season,
        )
    )
    items.append(
        _day_event(
            "rank_list",
            "Rank order list deadline",
            rank_day,
            today,
            f"Rank at least {rules.recommended_ranks} {rules.code} programs in a row.",
            season,
        )
    )
    items.append(
        _day_event(
            "soap",
            "SOAP (Match week)",
            key_date(facts, year, "soap_starts"),
            today,
            "If unmatched, unfilled positions are offered this week.",
            season,
            end=day.date - dt.timedelta(days=1),
        )
    )
    items.append(_day_event("match_day", "Match Day", day, today, "", season))
    items.append(
        _event(
            "residency_start",
            "Residency starts",
            dt.date(year + 1, 7, 1),
            None,
            today,
            {
                "none": "Certification must be in place.",
                "j1": "Visa and certification must both be in place.",
                "h1b": "Visa, certification and Step 3 must all be in place.",
            }.get(
                profile.visa, "Visa, certification and (for an H-1B) Step 3 must all be in place."
            ),
            SRC_NRMP_CALENDAR,
        )
    )
    return tuple(sorted(items, key=lambda m: m.date))
