"""Pure season rules: which status may follow which, interview targets and checkpoints,
the Match calendar and the NRMP rank fee. No ORM, no request: plain values in and out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.models import Status

# The forward order of the season. Waitlisted (for an interview) sits between applying and an
# offer: a waitlist can still turn into an offer. Rejected and withdrawn end an application.
RANK = {
    Status.CONSIDERING: 0,
    Status.APPLIED: 1,
    Status.SIGNAL_SENT: 2,
    Status.WAITLISTED: 3,
    Status.INTERVIEW_OFFERED: 4,
    Status.INTERVIEW_SCHEDULED: 5,
    Status.INTERVIEWED: 6,
}
FINAL = frozenset({Status.REJECTED, Status.WITHDRAWN})
OFFERED = frozenset({Status.INTERVIEW_OFFERED, Status.INTERVIEW_SCHEDULED, Status.INTERVIEWED})


def next_statuses(current: str) -> list[str]:
    """The statuses an application in `current` may move to, in season order."""
    if current in FINAL:
        return []
    later = [s for s, r in RANK.items() if r > RANK[Status(current)]]
    if current == Status.INTERVIEW_SCHEDULED:
        later.append(Status.INTERVIEW_SCHEDULED)  # programs move interviews: a new date and time
    return [*later, Status.REJECTED, Status.WITHDRAWN]


def can_move(current: str, target: str) -> bool:
    return target in next_statuses(current)


# --- Interview targets -------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewTarget:
    low: int
    high: int
    basis: str
    sourced: bool


CORD_EM = (
    "CORD (Council of Residency Directors in Emergency Medicine) advises 10-12 interviews "
    "for most EM applicants, more for applicants at risk."
)
ASSUMPTION = (
    "Assumption (MatchPlan's own, not a published figure): at least as many interviews as "
    "the plan's recommended ranks, because each interview can become at most one rank, "
    "plus a margin for a weaker tier."
)
# Extra interviews over the EM baseline by tier, used for the "more when at risk" part.
_TIER_EXTRA = {"strong": 0, "viable": 0, "risk": 2, "high_risk": 4}


def interview_target(*, specialty: str, tier: str, ranks: int | None) -> InterviewTarget:
    extra = _TIER_EXTRA.get(tier, 0)
    if specialty == "EM":
        return InterviewTarget(10 + extra, 12 + extra, CORD_EM, sourced=True)
    low = max(ranks or 6, 6) + extra
    return InterviewTarget(low, low + 2, ASSUMPTION, sourced=False)


# --- The Match calendar ------------------------------------------------------------------


def nrmp_extra_rank_cost(*, ranks: int, included: int, fee_per_rank: int) -> int:
    return max(0, ranks - included) * fee_per_rank


# --- Checkpoints -------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    date: dt.date
    title: str
    expected: int  # interview offers expected by then
    state: str  # "upcoming", "behind", "on_track", "ahead"
    advice: str


# (month, day, year offset from the Match year, share of the target expected, title)
_CHECKPOINTS = [
    (10, 15, -1, 0.25, "Mid-October: first interview offers"),
    (11, 15, -1, 0.5, "Mid-November: half of the offers"),
    (12, 15, -1, 0.75, "Mid-December: most offers are out"),
    (1, 15, 0, 1.0, "Mid-January: interview season closing"),
]
CHECKPOINT_BASIS = (
    "Checkpoint dates and shares are MatchPlan's assumption from how the season runs "
    "(programs start reading applications in late September; most offers go out from "
    "October to December), not a published rule."
)


def _advice_behind(index: int) -> str:
    if index <= 1:
        return (
            "Offers are behind: add programs that fit your plan (realistic, visa-sponsoring, "
            "IMG-friendly) while programs still review, and ask your advisor to look at your list."
        )
    if index == 2:
        return (
            "Offers are behind: ask your advisor now, send short updates or letters of interest "
            "to programs you applied to, and start preparing for SOAP."
        )
    return (
        "Offers are behind at the end of the season: prepare for SOAP (documents, a list of "
        "likely unfilled programs, your advisor's help) and rank every program you would attend."
    )


ADVICE_AHEAD = (
    "Ahead of target: stop adding programs, and withdraw politely and early from surplus "
    "interviews you would not rank, so another applicant can take the slot."
)
ADVICE_ON_TRACK = "On track: keep up, and keep your calendar and notes current."


def checkpoints(
    *, match_year: int, offers: int, target: InterviewTarget, today: dt.date
) -> list[Checkpoint]:
    rows: list[Checkpoint] = []
    for index, (month, day, offset, share, title) in enumerate(_CHECKPOINTS):
        when = dt.date(match_year + offset, month, day)
        expected = max(1, round(target.low * share))
        if when > today:
            state, advice = "upcoming", ""
        elif offers < expected:
            state, advice = "behind", _advice_behind(index)
        elif offers > round(target.high * share):
            state, advice = "ahead", ADVICE_AHEAD
        else:
            state, advice = "on_track", ADVICE_ON_TRACK
        rows.append(Checkpoint(when, title, expected, state, advice))
    return rows


def current_checkpoint(rows: list[Checkpoint]) -> Checkpoint | None:
    """The latest checkpoint already passed, if any."""
    passed = [r for r in rows if r.state != "upcoming"]
    return passed[-1] if passed else None


def behind_target(*, match_year: int, offers: int, target: InterviewTarget, today: dt.date) -> bool:
    """Behind at the latest checkpoint passed, while the interview season is still open: once
    the Match year's March has come the offers are what they are (no more warnings)."""
    if today >= dt.date(match_year, 3, 1):
        return False
    current = current_checkpoint(
        checkpoints(match_year=match_year, offers=offers, target=target, today=today)
    )
    return current is not None and current.state == "behind"


def season_years(match_year: int) -> tuple[int, int]:
    """The calendar years a season's events fall in: applications go out in the year before
    the Match (the ERAS season opens in June of it), interviews run into the Match year."""
    return match_year - 1, match_year


def default_match_year(today: dt.date) -> int:
    """The Match a season tracked today leads to: until Match Day's month (March) the season
    under way ends this year; from April on, the next one (applications go out in September)."""
    return today.year if today.month <= 3 else today.year + 1
