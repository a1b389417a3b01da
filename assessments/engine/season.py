"""Eligibility, signals, the comparison group, the PGY-1 year and the season choice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from assessments.engine.calendar import _cite, key_date, season_day_words
from assessments.engine.constants import (
    IMG_FEW_SHARE,
    SRC_ASSUMPTION,
    SRC_EM,
    SRC_NRMP,
    SRC_NRMP_CALENDAR,
    SRC_USMLE_ATTEMPTS,
    TIER_LABELS,
    USMLE_MAX_ATTEMPTS,
    targets_words,
)
from assessments.engine.exams import (
    ExamHistory,
    years_since_graduation,
    yog_grade_for,
)
from assessments.engine.inputs import (
    PLATFORM_RCAS,
    Fees,
    PlatformFees,
    ProgramFacts,
    SeasonFacts,
    SignalRule,
    SpecialtyRules,
    season_of,
)
from assessments.engine.outputs import (
    Applications,
    ProgramEntry,
    Reason,
    RedFlag,
    ScoreUsed,
    SpecialtyPlan,
    _iso,
)
from assessments.engine.strategy import specialty_plan
from assessments.profile import Profile

# --- eligibility, signals, comparison group ----------------------------------------------------


def eligibility(
    profile: Profile, history: ExamHistory, facts: SeasonFacts | None
) -> dict[str, Any]:
    """USMLE eligibility: four or more unpassed attempts on any Step end eligibility for every
    Step, and with it ECFMG certification and the Match."""
    blocked = []
    if profile.step1.result == "fail" and profile.step1.attempts >= USMLE_MAX_ATTEMPTS:
        blocked.append("Step 1")
    s2 = profile.step2ck
    if s2.score is not None and not history.step2_passed and s2.attempts >= USMLE_MAX_ATTEMPTS:
        blocked.append("Step 2 CK")
    if profile.step3.result == "fail" and profile.step3.attempts >= USMLE_MAX_ATTEMPTS:
        blocked.append("Step 3")
    source = _cite(facts, "usmle_attempt_limit", SRC_USMLE_ATTEMPTS)
    if not blocked:
        return {"eligible": True, "steps": [], "text": "", "next_steps": [], "source": source}
    steps = " and ".join(blocked)
    return {
        "eligible": False,
        "steps": blocked,
        "text": (
            f"Four attempts on {steps} have not led to a pass. Under the USMLE attempt limit, "
            "that makes you ineligible to apply for any USMLE Step, so ECFMG certification, and "
            "with it a US residency through the Match, is not open to you now. We are sorry: "
            "this is not the plan you hoped for, and it is better to know it before spending "
            "on applications."
        ),
        "next_steps": [
            "Ask USMLE and ECFMG directly whether any exception or review applies to your "
            "record before you plan anything else.",
            "Look at clinical careers that do not need USMLE eligibility: licensure and "
            "training in your home country or another country whose exams you can take.",
            "Consider research, public health or other non-clinical roles in the US, which do "
            "not need a residency.",
        ],
        "source": source,
    }


def _visa_ok(f: ProgramFacts, visa: str) -> bool:
    if visa == "none":
        return True
    if visa == "j1":
        return f.j1 == "yes"
    if visa == "h1b":
        return f.h1b == "yes"
    return f.j1 == "yes" or f.h1b == "yes"


def signal_season_words(
    rule: SignalRule, code: str, platform: str, applying: int
) -> tuple[str, str]:
    """How far a specialty's signal numbers can be trusted for the season of ``applying``,
    as (note, caveat): the note says the season they were confirmed for, and that a
    specialty now on ResidencyCAS has no confirmed number there (the plan and the specialty
    explorer say it in these words); the caveat is its short form for a table cell, "" when
    the number is confirmed for that season on that platform."""
    confirmed = rule.confirmed_season
    if confirmed is None:
        note, caveat = (
            "The number of signals is not confirmed for any season.",
            ("not confirmed for any season"),
        )
    elif confirmed >= applying:
        note, caveat = f"Signal numbers of the {confirmed} season.", ""
    else:
        note = (
            f"Signal numbers of the {confirmed} season, the latest we could confirm; you "
            f"apply in the {applying} season: check the current numbers."
        )
        caveat = f"{confirmed} season's number"
    if platform == PLATFORM_RCAS:
        note += (
            f" {code} now applies through ResidencyCAS; its signal number there is not confirmed."
        )
        caveat = "not confirmed on ResidencyCAS"
    return note, caveat


def signal_plans(
    profile: Profile,
    plans: Sequence[SpecialtyPlan],
    entries: Sequence[ProgramEntry],
    facts: SeasonFacts | None,
) -> tuple[dict[str, Any], ...]:
    """Per specialty: its signals (count and kinds) and where to spend them from the plan's own
    program list: target programs that sponsor the applicant's visa and train IMGs (not reach
    programs far above the profile, not likely ones that would answer anyway)."""
    if facts is None:
        return ()
    applying = season_of(profile.application_year)
    out = []
    for plan in plans:
        rule = facts.signals.get(plan.code)
        if rule is None:
            continue
        candidates = [
            e
            for e in entries
            if e.facts.specialty_code == plan.code
            and e.fit == "target"
            and _visa_ok(e.facts, profile.visa)
            and e.facts.img_share is not None
            and e.facts.img_share >= IMG_FEW_SHARE
        ]
        candidates.sort(key=lambda e: e.rank or 0)
        proposed = []
        kinds = list(rule.kinds)
        slots = [label for label, n in kinds for _ in range(n)]
        for e, label in zip(candidates, slots, strict=False):
            f = e.facts
            visa_word = {"none": "", "j1": "sponsors the J-1, ", "h1b": "sponsors the H-1B, "}.get(
                profile.visa, "sponsors a J-1 or an H-1B, "
            )
            proposed.append(
                {
                    "program_id": f.id,
                    "name": f.name,
                    "kind": label,
                    "reason": f"A target for your profile; {visa_word}"
                    f"{f.img_share}% of its residents are IMGs.",
                }
            )
        confirmed = rule.confirmed_season
        season_text = signal_season_words(rule, plan.code, plan.platform, applying)[0]
        count_text = " and ".join(
            f"{n} {label}" if label != "signal" else f"{n}" for label, n in kinds
        )
        text = (
            f"{plan.name}: {count_text} signal{'s' if rule.total != 1 else ''}. A signal tells a "
            "program you are truly interested; it helps most where your profile is close to "
            f"what the program takes. So we propose them for target {targets_words(profile.visa)}"
            ", not for long shots far above your profile and not for programs likely to answer "
            "you anyway."
        )
        if rule.rule_text:
            text += f" Rule of the specialty: {rule.rule_text}"
        shortfall = ""
        if not proposed:
            shortfall = (
                "No program in your list fits that description yet: spend your signals on the "
                "closest targets you would really join, after checking their visa and IMG facts."
            )
        elif len(proposed) < rule.total:
            shortfall = (
                f"Only {len(proposed)} program{'s' if len(proposed) != 1 else ''} in your list "
                "fit that description; spend the rest on the closest targets you would really "
                "join, after checking their visa and IMG facts."
            )
        out.append(
            {
                "specialty": plan.code,
                "platform": plan.platform,
                "kinds": [{"label": label, "count": n} for label, n in kinds],
                "total": rule.total,
                "rule_text": rule.rule_text,
                "confirmed_season": confirmed,
                "season_note": season_text,
                "text": text,
                "shortfall": shortfall,
                "proposed": proposed,
                "source": rule.source.cite() if rule.source else SRC_ASSUMPTION,
                "source_key": rule.source.key if rule.source else "",
                "source_url": rule.source.url if rule.source else "",
            }
        )
    return tuple(out)


def comparison_group(profile: Profile, facts: SeasonFacts | None) -> Reason:
    """Which applicant group the reference figures describe, said plainly."""
    if profile.citizenship == "us_citizen":
        return Reason(
            "comparison_group",
            "You are a US citizen who studied abroad: the NRMP counts you as a US citizen IMG, a "
            "group that matches more often than non-US IMGs. MatchPlan holds the medians of "
            "non-US IMGs only, so your tiers are compared with that group and are, if anything, "
            "cautious; check NRMP's Charting Outcomes for US citizen IMGs in your specialty.",
            f"{SRC_NRMP}; {_cite(facts, 'nrmp_pr_is_non_us_img', SRC_NRMP)}",
        )
    if profile.citizenship == "permanent_resident":
        return Reason(
            "comparison_group",
            "As a permanent resident you register with the NRMP as a non-US IMG, so the non-US "
            "IMG figures used here are your group; you need no visa.",
            _cite(facts, "nrmp_pr_is_non_us_img", SRC_NRMP),
        )
    return Reason(
        "comparison_group",
        "Your tiers are compared with non-US IMGs (the figures MatchPlan holds).",
        SRC_NRMP,
    )


def program_shortfall(apps: Applications, entries: Sequence[ProgramEntry]) -> Reason | None:
    """When the recommended number of applications exceeds the fitting programs in the list."""
    listed = sum(1 for e in entries if e.facts.specialty_code == apps.specialty)
    if listed >= apps.min:
        return None
    return Reason(
        "program_shortfall",
        f"The plan recommends {apps.min}-{apps.max} {apps.specialty} applications, but only "
        f"{listed} {apps.specialty} program{'s' if listed != 1 else ''} in our list fit your "
        "answers (the programs of your backups are counted apart). Widen "
        "your preferred states or program types, add a backup specialty, or revisit the visa "
        "you need; programs missing from our list can also be added by hand after checking "
        "their visa and IMG facts.",
        SRC_ASSUMPTION,
    )


# The PGY-1 tracks an advanced specialty's first year is applied for in, in order of
# preference (prelim medicine first: it takes more IMGs than transitional years). Which
# specialties have advanced positions is each specialty's ``start_level`` (SpecialtyRule).
PGY1_TRACKS = ("IM-PRELIM", "TY")


def pgy1_plan(
    profile: Profile,
    primary: SpecialtyPlan,
    rules: Mapping[str, SpecialtyRules],
    score: ScoreUsed,
    history: ExamHistory,
    fees: Fees,
    platform_fees: PlatformFees | None,
) -> SpecialtyPlan | None:
    """For a specialty with advanced (PGY-2) positions, the PGY-1 track to apply for as well,
    costed like a specialty. Its ranks go on supplemental lists, which have their own 20
    included ranks, so it adds none here."""
    own = rules.get(primary.code)
    if own is None or not own.has_advanced_positions:
        return None
    tracks = [c for c in PGY1_TRACKS if c in rules]
    if not tracks:
        return None
    plan = specialty_plan(profile, rules[tracks[0]], "pgy1", score, history, fees, platform_fees)
    return replace(plan, ranks=0)


def pgy1_year(
    primary: SpecialtyPlan,
    plan: SpecialtyPlan | None,
    rules: Mapping[str, SpecialtyRules],
    facts: SeasonFacts | None,
) -> dict[str, Any] | None:
    """The PGY-1 year explained: which tracks, how many applications, the cost (already in the
    plan's totals) and the supplemental rank order list."""
    if plan is None:
        return None
    tracks = [c for c in PGY1_TRACKS if c in rules]
    names = " or ".join(rules[c].name for c in tracks)
    low, high = plan.applications_min, plan.applications_max
    level = rules[primary.code].start_level
    if level == "pgy2":
        opening = (
            f"Most {primary.name} positions start in the second year (PGY-2), so you also need "
            "a first year"
        )
    else:
        opening = (
            f"Many {primary.name} programs offer positions that start in the second year "
            "(PGY-2, advanced); for those you also need a first year (categorical programs "
            "include it, so you can skip this if you apply only to them)"
        )
    sources = "; ".join(
        dict.fromkeys(
            (
                _cite(facts, "nrmp_supplemental_rol", SRC_NRMP_CALENDAR),
                _cite(facts, "umaryland_advanced_positions", SRC_ASSUMPTION),
                _cite(facts, "nrmp_match_fees", SRC_NRMP_CALENDAR),
            )
        )
    )
    return {
        "needed": True,
        "start_level": level,
        "tracks": tracks,
        "specialty": plan.code,
        "tier": plan.tier,
        "applications": {"min": low, "max": high},
        "cost_usd": {"min": plan.eras_cost_min, "max": plan.eras_cost_max},
        "text": (
            f"{opening}: apply to {names} programs as well ({low}-{high} {plan.code} "
            f"applications for a profile that is {TIER_LABELS[plan.tier]} there, "
            f"${plan.eras_cost_min:,}-${plan.eras_cost_max:,} on {plan.platform}, included in "
            f"the cost above). Rank them on supplemental rank order lists attached to the "
            f"{primary.code} programs you rank; the NRMP registration includes 20 programs on "
            "all supplemental lists together."
        ),
        "source": sources,
    }


# --- apply this season or next? -----------------------------------------------------------------


def season_choice_triggers(
    profile: Profile,
    primary: SpecialtyPlan,
    score: ScoreUsed,
    flags: Sequence[RedFlag],
    today: dt.date,
) -> tuple[str, ...]:
    """Why the plan should weigh applying next season instead: the Step 2 CK score will not be
    in when programs start reading (``score_late``), the projected score is under the score
    the plan needs, the viable bound (``projected_below_target``), or there is no practice
    score from June of the application year (``no_practice_score``). Empty once the real
    score is in."""
    s2 = profile.step2ck
    if s2.score is not None:
        return ()
    codes = {f.code for f in flags}
    out = []
    if "step2ck_late" in codes:
        out.append("score_late")
    if score.kind == "projected" and score.value is not None:
        if score.value < primary.bands["viable"]:
            out.append("projected_below_target")
    elif today >= dt.date(profile.application_year, 6, 1):
        out.append("no_practice_score")
    return tuple(out)


def _fees_note(facts: SeasonFacts | None, season: int) -> tuple[int | None, bool, str]:
    """(season of the fees used, whether they are that season's own, the words)."""
    if facts is None:
        return None, False, "Priced with the built-in fee schedule."
    if facts.season >= season:
        return facts.season, True, f"Priced with the {season} season's fees."
    return (
        facts.season,
        False,
        f"Priced with the {facts.season} season's fees, the latest we have: the {season} "
        "season's are not confirmed yet, so check the current schedule before you pay.",
    )


_GRADE_NAMES = {"just_past": "just past", "well_past": "well past", "far_past": "far past"}


def _yog_words(years: int, limit: int, grade: str) -> str:
    if grade == "within":
        return f"within the common cutoff of about {limit} years"
    past = years - limit
    return (
        f"{past} year{'s' if past != 1 else ''} past the common cutoff of about {limit} years "
        f"(graded '{_GRADE_NAMES[grade]}')"
    )


def season_choice(
    profile: Profile,
    primary: SpecialtyPlan,
    rules: SpecialtyRules,
    score: ScoreUsed,
    triggers: Sequence[str],
    now: tuple[Applications, SeasonFacts | None],
    next_: tuple[Applications, SeasonFacts | None],
) -> dict[str, Any] | None:
    """'Apply this season or next?': the two options side by side, each priced from its own
    season's data (or the latest confirmed, said so), with what each changes: the score
    needed, and one more year since graduation on the graded years-since-graduation flag."""
    if not triggers:
        return None
    year = profile.application_year
    (apps, facts), (next_apps, next_facts) = now, next_
    needed, strong = primary.bands["viable"], primary.bands["strong"]
    projected = score.value if score.kind == "projected" else None
    event = "rcas_programs" if primary.platform == PLATFORM_RCAS else "eras_programs"
    reading_now = key_date(facts, year, event)
    reading_next = key_date(next_facts or facts, year + 1, event)
    years = years_since_graduation(profile)
    limit = rules.yog_limit_years
    grade_now, grade_next = yog_grade_for(years, rules), yog_grade_for(years + 1, rules)

    why = []
    if "score_late" in triggers:
        why.append(
            "your Step 2 CK score will not be in when programs start reading on "
            + season_day_words(reading_now)
        )
    if "projected_below_target" in triggers:
        why.append(
            f"your latest practice score ({projected}) is {needed - (projected or 0)} points "
            f"under the {needed} this plan needs for a viable {primary.code} application"
        )
    if "no_practice_score" in triggers:
        why.append("you have no practice score yet, with the exam weeks away")

    if projected is not None:
        score_now = (
            f"You apply with a projected {projected}: {TIER_LABELS[primary.tier]} in "
            f"{primary.code}"
            + (
                f", {needed - projected} points under a viable {needed}."
                if projected < needed
                else "."
            )
        )
    else:
        score_now = "You apply without knowing your score: take an NBME self-assessment first."
    yog_now = (
        f"Years since graduation when you apply: {years}, {_yog_words(years, limit, grade_now)}."
    )
    if grade_next == grade_now:
        yog_next = (
            f"One more year since graduation: {years + 1} instead of {years}, "
            f"{_yog_words(years + 1, limit, grade_next)}, the same grade as now."
        )
    else:
        yog_next = (
            f"One more year since graduation: {years + 1} instead of {years}, which puts you "
            f"{_yog_words(years + 1, limit, grade_next)}"
            + (
                ": a red flag some programs screen on."
                if grade_now == "within"
                else f" instead of '{_GRADE_NAMES[grade_now]}': programs that state a limit "
                "screen harder."
            )
        )

    def option(
        key: str, title: str, season: int, a: Applications, f: SeasonFacts | None, **text: Any
    ) -> dict[str, Any]:
        fees_season, own, fees_text = _fees_note(f, season)
        return {
            "key": key,
            "title": title,
            "season": season,
            "cost": {"min": a.cost_min, "max": a.cost_max},
            "fees_season": fees_season,
            "fees_confirmed": own,
            "fees_note": fees_text,
            **text,
        }

    return {
        "why": " and ".join(why),
        "triggers": list(triggers),
        "projected_score": projected,
        "score_needed": {"viable": needed, "strong": strong},
        "options": [
            option(
                "now",
                f"Apply this season (Match {year + 1})",
                year + 1,
                apps,
                facts,
                what=(
                    "Apply with what you have, sending applications before programs start "
                    f"reading on {season_day_words(reading_now)} and the score when it is in. Many "
                    "programs will not review you without it, and a rushed low score stays on "
                    "your transcript for good."
                ),
                changes=" ".join(
                    (
                        score_now,
                        yog_now,
                        "An earlier start if it works; a weaker first application if not.",
                    )
                ),
                years_since_graduation=years,
                yog_grade=grade_now,
            ),
            option(
                "next",
                f"Strengthen and apply next season (Match {year + 2})",
                year + 2,
                next_apps,
                next_facts,
                what=(
                    f"Take Step 2 CK when your practice scores reach {needed} or more ({strong} "
                    f"or more for a strong {primary.code} application), add US clinical "
                    f"experience and letters, and apply in September {year + 1}: programs "
                    f"start reading on {season_day_words(reading_next)}. The fees are paid once, a "
                    "year later."
                ),
                changes=" ".join(
                    (
                        f"The score to aim for: {needed} for a viable application, {strong} for "
                        "a strong one; the plan is redone with your real score.",
                        yog_next,
                        "A complete application read from the first day.",
                    )
                ),
                years_since_graduation=years + 1,
                yog_grade=grade_next,
            ),
        ],
        "rule": "season_choice",
        "source": (
            f"{SRC_EM} (Step 2 CK by June-July; reschedule when practice is 15+ under); "
            f"years-since-graduation grades: {SRC_ASSUMPTION}"
        ),
    }


def _sources(facts: SeasonFacts | None) -> tuple[dict[str, Any], ...]:
    if facts is None:
        return ()
    return tuple(
        {
            "key": r.key,
            "title": r.title,
            "publisher": r.publisher,
            "season": r.season,
            "url": r.url,
            "checked_on": _iso(r.checked_on),
            "confirmed": r.confirmed,
            "note": r.note,
        }
        for r in facts.sources.values()
    )
