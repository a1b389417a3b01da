"""Program matching: which programs are listed, their fit and order; catalog coverage."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assessments.engine.constants import (
    DEFAULT_PLATFORM,
    DEFAULT_PLATFORMS,
    EXCLUSION_REASONS,
    FIT_FEW_TARGETS,
    FIT_IMG_PERCENTILE_POINTS,
    FIT_LARGE_POSITIONS,
    FIT_LIKELY_MARGIN,
    FIT_LIKELY_MAX,
    FIT_NEW_PROGRAM_YEARS,
    FIT_RANK_POINTS,
    FIT_SCREEN_FLAG_MAX,
    FIT_SCREEN_FLAGS,
    FIT_SMALL_POSITIONS,
    FIT_TARGET_MARGIN,
    FIT_TARGET_MAX,
    FIT_TIER_POINTS,
    FIT_TYPE_POINTS,
    FITS,
    PLATFORM_NAMES,
    RANK_BONUS_STATE,
    RANK_BONUS_TYPE,
    SRC_ASSUMPTION,
    SRC_PROGRAM,
    STALE_AFTER_DAYS,
    TIER_LABELS,
    YOG_VERIFY_AFTER,
)
from assessments.engine.exams import ExamHistory, years_since_graduation
from assessments.engine.inputs import ProgramFacts
from assessments.engine.outputs import (
    Catalog,
    ExcludedProgram,
    ProgramEntry,
    Reason,
    RedFlag,
    ScoreUsed,
    SpecialtyPlan,
)
from assessments.profile import Profile

# --- program matching ------------------------------------------------------------------------
# The loop below runs once per program (50,000 in the benchmark). Reasons are shared objects,
# built once per distinct combination of what they say (a key of small numbers), so a plan
# with thousands of programs holds a few dozen distinct reason tuples.

_R_NO_SCORE = Reason(
    "fit_no_score",
    "No Step 2 CK or practice score yet, so every program is a reach for now.",
    SRC_ASSUMPTION,
)
_R_J1 = Reason("visa_sponsored", "Sponsors the J-1 visa.", SRC_PROGRAM)
_R_H1B = Reason("visa_sponsored", "Sponsors the H-1B visa.", SRC_PROGRAM)
_R_EITHER = Reason("visa_sponsored", "Sponsors a J-1 or an H-1B.", SRC_PROGRAM)
_R_STATE = Reason("preference_state", "In one of your preferred states.", "your preferences")
_R_TYPE = Reason("preference_type", "A program type you prefer.", "your preferences")
_V_J1 = Reason("j1", "J-1 sponsorship not stated: verify with the program.", SRC_PROGRAM)
_V_H1B = Reason("h1b", "H-1B sponsorship not stated: verify with the program.", SRC_PROGRAM)
_V_EITHER = Reason("visa", "Visa sponsorship not stated: verify with the program.", SRC_PROGRAM)
_V_VISA_STALE = Reason(
    "visa_stale",
    f"Its visa sponsorship was last verified over a season ago ({STALE_AFTER_DAYS} days): "
    "verify it still holds.",
    SRC_PROGRAM,
)
_V_YOG = Reason(
    "max_yog",
    "Limit on years since graduation not stated, and you are past the common cutoffs: "
    "verify with the program.",
    SRC_PROGRAM,
)
_V_FAIL = Reason(
    "accepts_failures",
    "Unknown whether it considers applicants with a failed attempt: verify with the program.",
    SRC_PROGRAM,
)
_V_USCE = Reason(
    "requires_usce",
    "Unknown whether US clinical experience is required: verify with the program.",
    SRC_PROGRAM,
)
_V_CITIZEN = Reason(
    "military_citizenship",
    "A military program: residents serve as commissioned officers, which needs US "
    "citizenship; verify you qualify.",
    SRC_ASSUMPTION,
)
_EX_VISA = {
    "j1": Reason("visa", "Does not sponsor the J-1 you need.", SRC_PROGRAM),
    "h1b": Reason("visa", "Does not sponsor the H-1B you need.", SRC_PROGRAM),
    "either": Reason("visa", "Sponsors neither a J-1 nor an H-1B.", SRC_PROGRAM),
}
_EX_FAIL = Reason(
    "exam_failures", "Does not consider applicants with a failed exam attempt.", SRC_PROGRAM
)
_EX_USCE = Reason(
    "usce_required", "Requires US clinical experience, and you have none yet.", SRC_PROGRAM
)
_EX_MILITARY = Reason(
    "military",
    "A military program: residents serve as commissioned officers, which needs US "
    "citizenship, and you are not a US citizen.",
    SRC_ASSUMPTION,
)
_EX_NO_POSITIONS = Reason(
    "no_positions", "Offers no first-year position in this listing.", SRC_PROGRAM
)
_CONFIDENCE_TEXT = {
    "high": "How sure: high. The program states the Step 2 CK of the applicants it interviews.",
    "medium": "How sure: medium. No stated Step 2 CK figure; judged from the share of IMG "
    "residents, the program type and size.",
    "low": "How sure: low. No stated Step 2 CK figure and no IMG share; judged from the "
    "program type and your standing only.",
}
_CONFIDENCE_REASONS = {
    level: Reason("fit_confidence", text, SRC_ASSUMPTION)
    for level, text in _CONFIDENCE_TEXT.items()
}
_CONFIDENCE_INDEX = {"high": 0, "medium": 1, "low": 2}
_FLAG_WORDS = {
    "yog_old": "years since graduation",
    "no_usce": "no US clinical experience",
    "no_us_letters": "no US letters",
    "no_sloe": "no SLOE",
}
_TYPE_WORDS = {
    "university": "university-based (screens harder)",
    "community_university": "community, university-affiliated",
    "community": "community-based (screens less)",
    "military": "military",
    "unknown": "type not stated",
}


def img_percentiles(programs: Sequence[ProgramFacts], codes: Iterable[str]) -> dict[str, list[int]]:
    """Per specialty, the sorted IMG shares its programs state (for the percentile rule)."""
    wanted = set(codes)
    shares: dict[str, list[int]] = {code: [] for code in wanted}
    for p in programs:
        if p.specialty_code in wanted and p.img_share is not None:
            shares[p.specialty_code].append(p.img_share)
    for values in shares.values():
        values.sort()
    return shares


def _img_points(share: int, ordered: list[int]) -> tuple[int, float]:
    """Selectivity points of an IMG share, and its percentile among the specialty's."""
    # Mid-rank: programs with the same share count half below, half above, so a catalog where
    # every program has one share puts each in the middle.
    below = bisect.bisect_left(ordered, share)
    same = bisect.bisect_right(ordered, share) - below
    percentile = (below + same / 2) / len(ordered) if ordered else 0.5
    for upper, points in FIT_IMG_PERCENTILE_POINTS:
        if percentile < upper:
            return points, percentile
    return FIT_IMG_PERCENTILE_POINTS[-1][1], percentile


def _screen_points(flags: Sequence[RedFlag]) -> tuple[int, tuple[str, ...]]:
    codes = tuple(f.code for f in flags if f.code in FIT_SCREEN_FLAGS)
    return min(len(codes), FIT_SCREEN_FLAG_MAX), codes


def _fit_of(difficulty: int) -> int:
    return 0 if difficulty <= FIT_LIKELY_MAX else 1 if difficulty <= FIT_TARGET_MAX else 2


@dataclass(slots=True)
class _Matching:
    """What the program loop needs to know about the applicant and the plan, worked out once,
    and the reasons built so far: programs that say the same thing share one Reason (or one
    tuple of them), so a plan with thousands of programs holds a few dozen distinct ones."""

    order: dict[str, int]  # specialty code -> its plan's position (primary first)
    tiers: dict[str, str]  # specialty code -> the applicant's tier there
    shares_by_code: dict[str, list[int]]  # sorted IMG shares, for the percentile rule
    screen: int  # points the screened red flags add (at most FIT_SCREEN_FLAG_MAX)
    flag_words: str  # those red flags in words, for the fit reasons
    uses: dict[str, frozenset[str]]  # specialty code -> the platforms its plan applies through
    needs_visa: bool
    check_j1: bool
    check_h1b: bool
    check_either: bool
    sponsored: Reason | None  # "sponsors the visa you need"
    ex_visa: Reason | None  # "does not sponsor the visa you need"
    not_citizen: bool
    citizen_unknown: bool
    season: int
    years: int  # years since graduation
    has_failures: bool
    value: int | None  # the score the plan uses
    projected: bool
    word: str  # how the fit reasons name that score
    no_usce: bool
    states: frozenset[str]
    types: frozenset[str]
    stale_before: dt.date
    new_since: int
    img_first: bool  # IMG-friendly programs first: a visa, or a weaker standing
    fit_points: tuple[int, int, int]
    name_ranks: Mapping[str, Mapping[int, int]] | None
    verify_sets: list[tuple[Reason, ...]]  # bits (see _verify) -> what to verify
    fit_cache: dict[tuple[Any, ...], Reason] = field(default_factory=dict)
    season_reasons: dict[int | None, Reason] = field(default_factory=dict)
    verify_cache: dict[tuple[Reason, ...], tuple[Reason, ...]] = field(default_factory=dict)
    reason_cache: dict[tuple[Any, ...], tuple[Reason, ...]] = field(default_factory=dict)
    why_cache: dict[tuple[Any, ...], tuple[Reason, ...]] = field(default_factory=dict)
    # (specialty code, IMG share) -> _img_points: a specialty's programs state a few dozen
    # distinct shares, so each percentile is worked out once, not once per program. The
    # explorer's standings, minimum CPU without and with it: 4.70-4.90 -> 4.59-4.71 ms at
    # 5,000 generated programs, 45.5-49.5 -> 38.4-45.9 ms at 50,000 (scripts/bench_engine.py).
    img_cache: dict[tuple[str, int], tuple[int, float]] = field(default_factory=dict)


def _matching(
    profile: Profile,
    plans: Sequence[SpecialtyPlan],
    history: ExamHistory,
    score: ScoreUsed,
    programs: Sequence[ProgramFacts],
    today: dt.date,
    name_ranks: Mapping[str, Mapping[int, int]] | None,
    flags: Sequence[RedFlag],
    platforms: Mapping[str, frozenset[str]],
) -> _Matching:
    """Everything :func:`match_programs` asks of every program, worked out once per plan."""
    order = {plan.code: index for index, plan in enumerate(plans)}
    screen, screen_codes = _screen_points(flags)
    visa = profile.visa
    needs_visa = visa != "none"
    # Military programs need US citizenship: the stated citizenship decides; without it, a
    # visa need says the applicant is not a citizen.
    citizenship = getattr(profile, "citizenship", None)
    check_j1, check_h1b, check_either = visa == "j1", visa == "h1b", visa == "either"
    sponsored, unknown_visa = (
        (_R_J1, _V_J1)
        if check_j1
        else (_R_H1B, _V_H1B)
        if check_h1b
        else (_R_EITHER, _V_EITHER)
        if check_either
        else (None, None)
    )
    verify_bits = (
        (1, unknown_visa),
        (2, _V_VISA_STALE),
        (4, _V_YOG),
        (8, _V_FAIL),
        (16, _V_USCE),
        (32, _V_CITIZEN),
    )
    projected = score.kind == "projected"
    return _Matching(
        order=order,
        tiers={plan.code: plan.tier for plan in plans},
        shares_by_code=img_percentiles(programs, order),
        screen=screen,
        flag_words=(
            f" and red flags programs screen on ({', '.join(_FLAG_WORDS[c] for c in screen_codes)}"
            f"{f'; {FIT_SCREEN_FLAG_MAX} counted' if len(screen_codes) > FIT_SCREEN_FLAG_MAX else ''})"
            if screen
            else ""
        ),
        uses={
            code: platforms.get(code) or DEFAULT_PLATFORMS.get(code) or DEFAULT_PLATFORM
            for code in order
        },
        needs_visa=needs_visa,
        check_j1=check_j1,
        check_h1b=check_h1b,
        check_either=check_either,
        sponsored=sponsored,
        ex_visa=_EX_VISA.get(visa),
        not_citizen=citizenship in ("permanent_resident", "other")
        or (citizenship is None and needs_visa),
        citizen_unknown=citizenship is None and not needs_visa,
        season=profile.application_year,
        years=years_since_graduation(profile),
        has_failures=history.total > 0,
        value=score.value,
        projected=projected,
        word="projected score" if projected else "Step 2 CK",
        no_usce=profile.usce_months <= 0,
        states=frozenset(profile.preferred_states),
        types=frozenset(profile.program_types),
        stale_before=today - dt.timedelta(days=STALE_AFTER_DAYS),
        new_since=profile.application_year - FIT_NEW_PROGRAM_YEARS,
        img_first=needs_visa or any(plan.tier in ("risk", "high_risk") for plan in plans),
        fit_points=(
            FIT_RANK_POINTS["likely"],
            FIT_RANK_POINTS["target"],
            FIT_RANK_POINTS["reach"],
        ),
        name_ranks=name_ranks,
        verify_sets=[
            tuple(r for bit, r in verify_bits if bits & bit)  # type: ignore[misc]
            for bits in range(64)
        ],
    )


def match_programs(
    profile: Profile,
    plans: Sequence[SpecialtyPlan],
    history: ExamHistory,
    score: ScoreUsed,
    programs: Sequence[ProgramFacts],
    today: dt.date,
    name_ranks: Mapping[str, Mapping[int, int]] | None = None,
    *,
    flags: Sequence[RedFlag] = (),
    platforms: Mapping[str, frozenset[str]] | None = None,
) -> tuple[tuple[ProgramEntry, ...], tuple[ExcludedProgram, ...], dict[str, int], int]:
    """List, label and order the programs of the plan's specialties (docs/rules.md,
    "Program fit"). ``flags``: the applicant's red flags (the screened ones lower every fit);
    ``platforms``: per specialty code, the application platforms its plan uses this season
    (``DEFAULT_PLATFORMS`` otherwise).

    Returns the listed programs (ranked), the excluded ones, how many were excluded for each
    reason, and how many programs of the plan's specialties were considered."""
    m = _matching(
        profile, plans, history, score, programs, today, name_ranks, flags, platforms or {}
    )
    counts = dict.fromkeys(EXCLUSION_REASONS, 0)
    excluded: list[ExcludedProgram] = []
    rows: list[tuple[Any, ...]] = []
    considered = 0
    for p in programs:
        if p.specialty_code not in m.order:
            continue
        considered += 1
        verified = p.last_verified
        stale = verified is None or verified < m.stale_before
        why = _exclusions(p, m)
        if why:
            excluded.append(_excluded_program(p, why, stale, m, counts))
        else:
            rows.append(_listed_row(p, stale, m))
    rows.sort()  # ids are unique: the entries themselves are never compared
    entries = tuple([row[-1] for row in rows])
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank
    return entries, tuple(excluded), counts, considered


def fit_tally(
    profile: Profile,
    plan: SpecialtyPlan,
    history: ExamHistory,
    score: ScoreUsed,
    programs: Sequence[ProgramFacts],
    today: dt.date,
    *,
    flags: Sequence[RedFlag] = (),
    platforms: Mapping[str, frozenset[str]] | None = None,
) -> tuple[dict[tuple[str, bool, str], int], int]:
    """How many programs of ``plan``'s specialty :func:`match_programs` would list, by
    (label, sponsors the applicant's visa, state), and how many it would leave out: the same
    rules, without wording reasons or ordering a list (the specialty explorer counts every
    specialty for every what-if). Arguments as for :func:`match_programs`."""
    m = _matching(profile, (plan,), history, score, programs, today, None, flags, platforms or {})
    visa = profile.visa
    tally: dict[tuple[str, bool, str], int] = {}
    left_out = 0
    for p in programs:
        if p.specialty_code != plan.code:
            continue
        if _exclusions(p, m):
            left_out += 1
            continue
        fit = _fit_only(p, m)
        step2_min = p.step2_min
        if m.projected and step2_min is not None and m.value < step2_min:  # type: ignore[operator]
            fit = 2  # as _listed_row: a reach until the real score reaches the minimum
        key = (FITS[fit], _sponsors_visa(p, visa), p.state)
        tally[key] = tally.get(key, 0) + 1
    return tally, left_out


def _sponsors_visa(p: ProgramFacts, visa: str) -> bool:
    """Whether ``p`` states it sponsors the visa an applicant needs (False without a need)."""
    if visa == "j1":
        return p.j1 == "yes"
    if visa == "h1b":
        return p.h1b == "yes"
    if visa == "either":
        return p.j1 == "yes" or p.h1b == "yes"
    return False


def _is_military(p: ProgramFacts) -> bool:
    return p.program_type == "military" or p.affiliation == "military"


def _exclusions(p: ProgramFacts, m: _Matching) -> list[Any]:
    """Why ``p`` is left out for this applicant, empty when it is listed: shared Reasons, or
    ``(kind, detail)`` pairs that :func:`_exclusion_reason` words."""
    why: list[Any] = []
    j1, h1b = p.j1, p.h1b
    if (
        (m.check_j1 and j1 == "no")
        or (m.check_h1b and h1b == "no")
        or (m.check_either and j1 == "no" and h1b == "no")
    ):
        why.append(m.ex_visa)
    max_yog = p.max_yog
    if max_yog is not None and m.years > max_yog:
        why.append(("yog", max_yog))
    if m.has_failures and p.accepts_failures == "no":
        why.append(_EX_FAIL)
    step2_min, value = p.step2_min, m.value
    if step2_min is not None and value is not None and not m.projected and value < step2_min:
        why.append(("score_below_minimum", step2_min))
    if m.no_usce and p.requires_usce == "yes":
        why.append(_EX_USCE)
    if m.not_citizen and _is_military(p):
        why.append(_EX_MILITARY)
    accepting_season = p.accepting_season
    if p.accepting_applications == "no" and accepting_season in (m.season, None):
        why.append(("not_accepting", accepting_season))
    platform = p.application_platform
    if platform != "unknown" and platform not in m.uses[p.specialty_code]:
        why.append(("platform", platform))
    if p.positions == 0:
        why.append(_EX_NO_POSITIONS)
    return why


def _excluded_program(
    p: ProgramFacts, why: list[Any], stale: bool, m: _Matching, counts: dict[str, int]
) -> ExcludedProgram:
    """``p`` as an excluded program, its reasons worded (and counted in ``counts``)."""
    code = p.specialty_code
    key = tuple(why)
    reasons = m.why_cache.get(key)
    if reasons is None:
        reasons = m.why_cache[key] = tuple(
            _exclusion_reason(item, m.years, m.value, m.season, m.uses[code]) for item in why
        )
    for reason in reasons:
        counts[reason.rule] += 1
    return ExcludedProgram(p.id, p.name, code, reasons, p.last_verified, stale)


def _listed_row(p: ProgramFacts, stale: bool, m: _Matching) -> tuple[Any, ...]:
    """``p``'s entry, behind the keys that order the list: within a plan's specialty, by
    label, then the stated visa first, the stronger evidence, the easier program, the higher
    IMG share (when the applicant needs IMG-friendly programs), the preferences; names only
    break exact ties."""
    code = p.specialty_code
    fit, first, confidence, difficulty = _fit(p, m)
    verify, visa_state = _verify(p, stale, m)
    in_state = p.state in m.states
    in_type = p.program_type in m.types
    points = m.fit_points[fit]  # ranking points of the label before the check below
    if in_state:
        points += RANK_BONUS_STATE
    if in_type:
        points += RANK_BONUS_TYPE
    third = None
    step2_min = p.step2_min
    if m.projected and step2_min is not None and m.value < step2_min:  # type: ignore[operator]
        fit = 2
        third = Reason(
            "projected_below_minimum",
            f"Your projected score is under its minimum of {step2_min}: a reach "
            "until your real score reaches it.",
            SRC_PROGRAM,
        )
    reasons = _listed_reasons(m, first, confidence, third, visa_state == 2, in_state, in_type)
    entry = ProgramEntry(p, FITS[fit], points, in_state, in_type, reasons, verify, 0, confidence)
    names = m.name_ranks
    tiebreak = names[code][p.id] if names and code in names else p.name
    return (
        m.order[code],
        fit,
        -visa_state,
        _CONFIDENCE_INDEX[confidence],
        difficulty,
        -(p.img_share or 0) if m.img_first else 0,
        -points,
        tiebreak,
        p.id,
        entry,
    )


def _fit(p: ProgramFacts, m: _Matching) -> tuple[int, Reason, str, int]:
    """``p``'s fit (an index into FITS), the reason that explains it, the confidence and the
    difficulty (lower is easier): from its typical Step 2 CK when it states one, else from the
    evidence (IMG share, type, size, age) and the applicant's standing."""
    value = m.value
    if value is None:
        return 2, _R_NO_SCORE, "low", 99
    typical = p.step2_typical
    if typical is not None:
        return _fit_by_score(value, typical, m)
    return _fit_by_evidence(p, m)


def _score_fit(diff: int, m: _Matching) -> tuple[int, bool]:
    """The fit of a score ``diff`` points above the program's typical one, and whether the
    screened red flags moved it one step down (a likely or target program only)."""
    fit = 0 if diff >= FIT_LIKELY_MARGIN else 1 if diff > -FIT_TARGET_MARGIN else 2
    down = m.screen >= FIT_SCREEN_FLAG_MAX and fit < 2
    return fit + 1 if down else fit, down


def _fit_by_score(value: int, typical: int, m: _Matching) -> tuple[int, Reason, str, int]:
    """Fit from the applicant's score against the program's typical one; the screened red
    flags move a likely or target program one step down."""
    diff = value - typical
    fit, down = _score_fit(diff, m)
    key = ("score", typical, diff, down)
    reason = m.fit_cache.get(key)
    if reason is None:
        text = f"Your {m.word} {value} against its typical {typical} ({diff:+d})."
        if down:
            text += f" One step down for{m.flag_words[4:]}."
        reason = m.fit_cache[key] = Reason("fit_score", text, SRC_PROGRAM)
    return fit, reason, "high", -diff


def _fit_by_evidence(p: ProgramFacts, m: _Matching) -> tuple[int, Reason, str, int]:
    """Fit without a stated score: difficulty points from the applicant's tier and screened
    red flags, the program's IMG share percentile, type, size and age."""
    points, pct, size, new = _evidence_points(p, m)
    fit = _fit_of(points)
    share = p.img_share
    key = (
        "evidence",
        p.specialty_code,
        share,
        round(pct, 2),
        p.program_type,
        size,
        new,
        points,
        fit,
    )
    reason = m.fit_cache.get(key)
    if reason is None:
        reason = m.fit_cache[key] = _evidence_reason(key, m)
    return fit, reason, "medium" if share is not None else "low", points


def _evidence_points(p: ProgramFacts, m: _Matching) -> tuple[int, float, int, bool]:
    """The difficulty points of :func:`_fit_by_evidence`, with what its reason names: the IMG
    share percentile, the size step (-1 many places, 1 few) and whether the program is new."""
    code = p.specialty_code
    share = p.img_share
    points = FIT_TIER_POINTS[m.tiers[code]] + m.screen
    pct = 0.5
    if share is not None:
        img = m.img_cache.get((code, share))
        if img is None:
            img = m.img_cache[code, share] = _img_points(share, m.shares_by_code[code])
        img_points, pct = img
        points += img_points
    points += FIT_TYPE_POINTS.get(p.program_type, 0)
    positions = p.positions
    size = 0
    if positions is not None:
        # Many places make a community program easier to enter; a large academic
        # program is as selective as a small one.
        if positions >= FIT_LARGE_POSITIONS and p.program_type != "university":
            size = -1
        elif 0 < positions <= FIT_SMALL_POSITIONS:
            size = 1
    points += size
    new = p.first_accredited is not None and p.first_accredited >= m.new_since
    if new:
        points -= 1
    return points, pct, size, new


def _fit_only(p: ProgramFacts, m: _Matching) -> int:
    """:func:`_fit`'s label alone, without wording its reason (for counting): the same rules
    (_score_fit, _evidence_points)."""
    value = m.value
    if value is None:
        return 2
    typical = p.step2_typical
    if typical is None:
        return _fit_of(_evidence_points(p, m)[0])
    return _score_fit(value - typical, m)[0]


def _evidence_reason(key: tuple[Any, ...], m: _Matching) -> Reason:
    """The words of :func:`_fit_by_evidence`'s fit (``key`` holds what they depend on)."""
    _, code, share, pct, type_, size, new, total, fit = key
    parts = []
    if share is None:
        parts.append("IMG share not stated")
    elif pct >= 0.5:
        parts.append(
            f"{share}% IMG residents, a higher share than {round(pct * 100)}% of {code} programs"
        )
    else:
        parts.append(
            f"{share}% IMG residents, a lower share than {round((1 - pct) * 100)}% of "
            f"{code} programs"
        )
    parts.append(_TYPE_WORDS.get(type_, type_))
    if size == -1:
        parts.append("many first-year places")
    elif size == 1:
        parts.append("few first-year places")
    if new:
        parts.append("accredited in the last few years (new programs take more IMGs)")
    return Reason(
        "fit_evidence",
        f"No stated Step 2 CK figure. {'; '.join(parts)}. With your "
        f"'{TIER_LABELS[m.tiers[code]]}' standing in {code}{m.flag_words}: {FITS[fit]} "
        f"(difficulty {total:+d}).",
        SRC_ASSUMPTION,
    )


def _verify(p: ProgramFacts, stale: bool, m: _Matching) -> tuple[tuple[Reason, ...], int]:
    """What to verify with ``p`` (only unknowns that gate this applicant), and its visa state:
    2 when it states sponsorship of the visa the applicant needs, 1 when it does not say, 0
    when no visa is needed."""
    bits = 0  # the bits of _Matching.verify_sets, in the order they are listed
    visa_state = 0
    if m.needs_visa:
        j1, h1b = p.j1, p.h1b
        if (
            j1 == "yes"
            if m.check_j1
            else h1b == "yes"
            if m.check_h1b
            else j1 == "yes" or h1b == "yes"
        ):
            visa_state = 2
            if stale:
                bits = 2
        else:
            visa_state = 1
            bits = 1
    if p.max_yog is None and m.years > YOG_VERIFY_AFTER:
        bits |= 4
    if m.has_failures and p.accepts_failures == "unknown":
        bits |= 8
    if m.no_usce and p.requires_usce == "unknown":
        bits |= 16
    if m.citizen_unknown and _is_military(p):
        bits |= 32
    verify = m.verify_sets[bits]
    if p.accepting_applications == "no":  # about another season than the applicant's
        accepting_season = p.accepting_season
        reason = m.season_reasons.get(accepting_season)
        if reason is None:
            reason = m.season_reasons[accepting_season] = Reason(
                "accepting_applications",
                f"Was not accepting applications for the {accepting_season} season: "
                f"verify for {m.season}.",
                SRC_PROGRAM,
            )
        key = (*verify, reason)
        verify = m.verify_cache.get(key) or m.verify_cache.setdefault(key, key)
    return verify, visa_state


def _listed_reasons(
    m: _Matching,
    first: Reason,
    confidence: str,
    third: Reason | None,
    visa_stated: bool,
    in_state: bool,
    in_type: bool,
) -> tuple[Reason, ...]:
    """A listed program's reasons: its fit, the confidence, the projected-score check, the
    stated visa and the preferences it meets (one shared tuple per combination)."""
    key = (first, confidence, third, visa_stated, in_state, in_type)
    reasons = m.reason_cache.get(key)
    if reasons is None:
        items = [first, _CONFIDENCE_REASONS[confidence]]
        if third is not None:
            items.append(third)
        if visa_stated:
            items.append(m.sponsored)  # type: ignore[arg-type]
        if in_state:
            items.append(_R_STATE)
        if in_type:
            items.append(_R_TYPE)
        reasons = m.reason_cache[key] = tuple(items)
    return reasons


def _exclusion_reason(
    item: Any, years: int, value: int | None, season: int, uses: frozenset[str]
) -> Reason:
    if isinstance(item, Reason):
        return item
    kind, detail = item
    if kind == "yog":
        return Reason(
            "yog",
            f"Takes applicants up to {detail} years after graduation; you will be at {years}.",
            SRC_PROGRAM,
        )
    if kind == "score_below_minimum":
        return Reason(
            "score_below_minimum",
            f"Its minimum Step 2 CK is {detail}; yours is {value}.",
            SRC_PROGRAM,
        )
    if kind == "not_accepting":
        which = f"the {detail} season" if detail else "this season"
        return Reason(
            "not_accepting",
            f"Not accepting applications for {which} (your season: {season}).",
            SRC_PROGRAM,
        )
    names = " or ".join(PLATFORM_NAMES.get(u, u) for u in sorted(uses))
    return Reason(
        "platform",
        f"Takes applications through {PLATFORM_NAMES.get(detail, detail)}; your plan for this "
        f"specialty uses {names}.",
        SRC_PROGRAM,
    )


def catalog_coverage(programs: Sequence[ProgramFacts], code: str, today: dt.date) -> Catalog:
    """How much the catalog says about ``code``'s programs."""
    mine = [p for p in programs if p.specialty_code == code]
    dates = [p.last_verified for p in mine if p.last_verified is not None]
    stale_before = today - dt.timedelta(days=STALE_AFTER_DAYS)
    return Catalog(
        specialty=code,
        programs=len(mine),
        last_updated=max(dates) if dates else None,
        no_visa_stated=sum(1 for p in mine if p.j1 == "unknown" and p.h1b == "unknown"),
        no_img_share=sum(1 for p in mine if p.img_share is None),
        with_step2=sum(1 for p in mine if p.step2_typical is not None),
        stale=sum(1 for p in mine if p.last_verified is None or p.last_verified < stale_before),
    )


def catalog_note(catalog: Catalog) -> Reason:
    if not catalog.programs:
        return Reason(
            "catalog_coverage",
            f"The catalog had no {catalog.specialty} programs when this plan was made.",
            SRC_PROGRAM,
        )
    when = f"{catalog.last_updated:%B %Y}" if catalog.last_updated else "never verified"
    return Reason(
        "catalog_coverage",
        f"{catalog.specialty} programs last updated {when}; {catalog.no_visa_stated} of "
        f"{catalog.programs} do not state visa sponsorship, {catalog.no_img_share} do not state "
        f"their IMG share, {catalog.with_step2} state a typical Step 2 CK, and {catalog.stale} "
        "were not verified within a season.",
        SRC_PROGRAM,
    )


def fit_note(
    plan: SpecialtyPlan, entries: Sequence[ProgramEntry], flags: Sequence[RedFlag]
) -> Reason | None:
    """What the labels mean when few programs are realistic for this applicant."""
    mine = [e for e in entries if e.facts.specialty_code == plan.code]
    good = sum(1 for e in mine if e.fit != "reach")
    if good >= FIT_FEW_TARGETS or not mine:
        return None
    _, codes = _screen_points(flags)
    why = f"your '{TIER_LABELS[plan.tier]}' standing"
    if codes:
        why += f" and the red flags programs screen on ({', '.join(_FLAG_WORDS[c] for c in codes)})"
    return Reason(
        "fit_few_targets",
        f"Only {good} of the {len(mine)} {plan.code} programs listed are targets or likely for "
        f"you, because of {why}. A reach here means programs like it rarely interview "
        "applicants with this profile: apply to the IMG-heavy reach programs at the top of the "
        "list first, fix what the red flags and actions above name, and weigh the "
        "dual-application advice before spending on the rest.",
        SRC_ASSUMPTION,
    )


def name_ranks(programs: Sequence[ProgramFacts]) -> dict[int, int]:
    """Each program's position when ``programs`` (one specialty's) are sorted by name and id:
    :func:`assess`'s ``name_ranks`` for that specialty (callers keep it with the programs)."""
    ordered = sorted(programs, key=lambda p: (p.name, p.id))
    return {p.id: rank for rank, p in enumerate(ordered)}
