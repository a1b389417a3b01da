"""Application strategy: specialty plans, dual application, applications and ranks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from assessments.engine.calendar import _date
from assessments.engine.constants import (
    ACADEMIC_SHARE,
    GS_CATEGORICAL_SHARE,
    SRC_ASSUMPTION,
    SRC_BMC,
    SRC_BOTH,
    SRC_CORD,
    SRC_EM,
    SRC_FEES,
    SRC_GS,
    SRC_NRMP,
    TIER_LABELS,
    targets_words,
)
from assessments.engine.exams import ExamHistory
from assessments.engine.inputs import (
    PLATFORM_ERAS,
    Fees,
    PlatformFees,
    SeasonFacts,
    SourceRef,
    SpecialtyRules,
    season_of,
)
from assessments.engine.outputs import (
    Applications,
    Budget,
    DualApply,
    MixItem,
    Ranks,
    Reason,
    RedFlag,
    ScoreUsed,
    SpecialtyPlan,
)
from assessments.engine.tiers import _TIER_INDEX, tier_for
from assessments.profile import Profile

# --- application strategy --------------------------------------------------------------------


def _split(low: int, high: int, share: float) -> tuple[int, int]:
    return round(low * share), round(high * share)


def _mix(rules: SpecialtyRules, tier: str, low: int, high: int, visa: str) -> tuple[MixItem, ...]:
    items: list[MixItem] = []
    if rules.code == "GS-PRELIM" and GS_CATEGORICAL_SHARE[tier]:
        cat_low, cat_high = _split(low, high, GS_CATEGORICAL_SHARE[tier])
        items.append(
            MixItem(
                "categorical general surgery",
                cat_low,
                cat_high,
                (),
                Reason(
                    "mix_gs_categorical",
                    "With this score a few categorical surgery applications are worth it, if the "
                    "budget allows, beside the prelim positions.",
                    SRC_GS,
                ),
            )
        )
        low, high = low - cat_low, high - cat_high
    acad_low, acad_high = _split(low, high, ACADEMIC_SHARE[tier])
    source = (
        SRC_EM if (rules.code == "EM" and tier == "strong") else f"{SRC_BOTH}; {SRC_ASSUMPTION}"
    )
    items.append(
        MixItem(
            "academic (university-based) programs that take IMGs",
            acad_low,
            acad_high,
            ("university",),
            Reason(
                "mix_academic",
                f"About {round(ACADEMIC_SHARE[tier] * 100)}% academic when {TIER_LABELS[tier]}: "
                "university programs screen harder, so the share shrinks as the tier drops.",
                source,
            ),
        )
    )
    items.append(
        MixItem(
            "community and affiliated programs with many IMGs",
            low - acad_low,
            high - acad_high,
            ("community", "community_university"),
            Reason(
                "mix_community",
                f"The rest at community and university-affiliated {targets_words(visa)}.",
                SRC_BOTH,
            ),
        )
    )
    return tuple(items)


def specialty_plan(
    profile: Profile,
    rules: SpecialtyRules,
    role: str,
    score: ScoreUsed,
    history: ExamHistory,
    fees: Fees,
    platform_fees: PlatformFees | None = None,
) -> SpecialtyPlan:
    tier, steps, bands = tier_for(rules, profile, score, history)
    low, high = rules.apps_for(tier)
    cost = platform_fees.cost if platform_fees is not None else fees.eras_cost
    return SpecialtyPlan(
        code=rules.code,
        name=rules.name,
        role=role,
        tier=tier,
        projected=score.kind != "actual",
        bands=bands,
        tier_steps=steps,
        applications_min=low,
        applications_max=high,
        eras_cost_min=cost(low),
        eras_cost_max=cost(high),
        mix=_mix(rules, tier, low, high, profile.visa),
        ranks=rules.recommended_ranks,
        basis=rules.basis,
        source_note=rules.source_note,
        matched_median=rules.matched_median,
        unmatched_median=rules.unmatched_median,
        match_rate_pct=rules.match_rate_pct,
        stats_source=rules.stats_source,
        platform=platform_fees.platform if platform_fees is not None else PLATFORM_ERAS,
    )


FLAG_WORDS = {
    "step1_failure": "a failed Step 1 attempt",
    "step2ck_failure": "a failed Step 2 CK attempt",
    "multiple_attempts": "several failed attempts",
    "no_usce": "no hands-on US clinical experience",
    "no_us_letters": "no US letters",
    "no_sloe": "no SLOE",
    "yog_old": "time since graduation",
    "step2ck_late": "a late Step 2 CK",
    "practice_below_target": "practice scores under the target",
}


def _flag_words(codes: Sequence[str]) -> str:
    words = [FLAG_WORDS.get(c, c.replace("_", " ")) for c in codes]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def partner_tiers(
    profile: Profile,
    primary: SpecialtyPlan,
    rules: SpecialtyRules,
    available: Mapping[str, SpecialtyRules],
    score: ScoreUsed,
    history: ExamHistory,
) -> list[tuple[str, str]]:
    """The candidate partner specialties with the tier the applicant would have in each, best
    tier first (the configured order breaks ties)."""
    out = []
    for position, code in enumerate(rules.dual_partners):
        if code not in available or code == primary.code:
            continue
        tier, _, _ = tier_for(available[code], profile, score, history)
        out.append((position, code, tier))
    out.sort(key=lambda t: (_TIER_INDEX[t[2]], t[0]))
    return [(code, tier) for _, code, tier in out]


def dual_apply(
    profile: Profile,
    primary: SpecialtyPlan,
    rules: SpecialtyRules,
    flags: Sequence[RedFlag],
    available: Mapping[str, SpecialtyRules],
    score: ScoreUsed | None = None,
    history: ExamHistory | None = None,
) -> DualApply:
    major = [f.code for f in flags if f.major]
    uncertain = primary.tier in ("risk", "high_risk")
    evidence = (
        "Applying to fewer specialties is associated with better match odds (BMC Med Educ "
        "2024): a second specialty splits your letters, statement and budget, so it is worth it "
        "only when the first choice is uncertain."
    )
    if not (uncertain or major):
        listed = ", ".join(profile.backup_specialties)
        extra = (
            f" You listed {listed}: its plan is shown, but it is left out of the cost, and the "
            f"money may do more as extra {primary.code} applications."
            if listed
            else ""
        )
        return DualApply(
            False,
            (),
            f"Your {primary.code} profile is {TIER_LABELS[primary.tier]}"
            f"{' (projected)' if primary.projected else ''} with no major red flag, so one "
            f"specialty is the better bet. {evidence}{extra}",
            "single_specialty",
            f"{SRC_BMC}; {SRC_EM}",
        )
    if score is not None and history is not None:
        ranked = partner_tiers(profile, primary, rules, available, score, history)
        # Never advise a backup where the applicant would stand worse than in the primary.
        better = [(c, t) for c, t in ranked if _TIER_INDEX[t] <= _TIER_INDEX[primary.tier]]
        partners = tuple(c for c, _ in better)
        worse = [(c, t) for c, t in ranked if (c, t) not in better]
    else:
        partners = tuple(c for c in rules.dual_partners if c in available and c != primary.code)
        better, worse = [], []
    specialties = profile.backup_specialties or partners[:1]
    why = []
    if uncertain:
        why.append(f"your {primary.code} tier is {TIER_LABELS[primary.tier]}")
    if major:
        why.append(("because of " if why else "of ") + _flag_words(major))
    # The partners not suggested: the suggested one is not its own alternative.
    alternatives = " or ".join(
        available[c].name if c in available else c for c in partners if c not in specialties
    )
    text = f"Apply to a second specialty or track as well, because {' and '.join(why)}. {evidence}"
    if specialties:
        text += f" Suggested: {', '.join(specialties)}"
        if not profile.backup_specialties and len(partners) > 1:
            text += f" (alternatives: {alternatives})"
        text += "."
        if better and not profile.backup_specialties:
            text += (
                " Partners are ranked by the tier you would have in each: "
                + ", ".join(f"{c} {TIER_LABELS[t]}" for c, t in better)
                + "."
            )
    elif worse:
        text = (
            f"A second specialty would usually be worth it, because {' and '.join(why)}, but "
            "none of the usual partner specialties would give you better odds ("
            + ", ".join(f"{c} would be {TIER_LABELS[t]}" for c, t in worse)
            + "), so no backup is added: strengthen the application (Step 2 CK, US experience, "
            "letters) or weigh applying next season."
        )
    if worse and specialties:
        text += (
            " Not suggested, because you would stand worse there than in "
            f"{primary.code}: " + ", ".join(f"{c} ({TIER_LABELS[t]})" for c, t in worse) + "."
        )
    if rules.code in ("GS-PRELIM", "GS"):
        text += (
            " For surgery this is a parallel plan: a preliminary medicine year, a research "
            "year or another specialty, kept ready beside the surgical applications."
        )
    if primary.tier == "high_risk":
        text += f" Also weigh whether {primary.code} should stay the first choice."
    rule = "dual_apply_tier" if uncertain else "dual_apply_red_flag"
    source = f"{SRC_GS if rules.code in ('GS-PRELIM', 'GS') else SRC_EM}; {SRC_BMC}"
    return DualApply(bool(specialties), tuple(specialties), text, rule, source)


def _affordable(fees: Fees, available: int) -> int:
    if available <= 0:
        return 0
    size, first, after = fees.eras_first_tier_size, fees.eras_fee_first_tier, fees.eras_fee_after
    n1 = size if first <= 0 else min(size, available // first)
    if n1 < size:
        return n1
    rest = available - size * first
    return size + (rest // after if after > 0 else 400)


def _season_word(season: int) -> str:
    return f"{season} season"


def _priced_note(what: str, confirmed: int, applying: int, src: SourceRef | None) -> str:
    cite = f" ({src.cite()})" if src is not None else ""
    if confirmed >= applying:
        return f"{what}: figures of the {_season_word(confirmed)}{cite}."
    return (
        f"{what}: figures of the {_season_word(confirmed)}, the latest we could confirm{cite}; "
        f"you apply in the {_season_word(applying)}: check the current schedule."
    )


def nrmp_late(profile: Profile, facts: SeasonFacts, today: dt.date) -> bool:
    """True when the NRMP standard registration deadline of this season has passed."""
    deadline = _date(profile.application_year, facts.nrmp.standard_deadline_month_day)
    return today > deadline


def applications(
    profile: Profile,
    primary: SpecialtyPlan,
    backups: Sequence[SpecialtyPlan],
    fees: Fees,
    facts: SeasonFacts | None = None,
    today: dt.date | None = None,
) -> tuple[Applications, Ranks]:
    """Applications, ranks and cost. ``backups`` are the specialties that are costed (backups
    the plan calls unnecessary are left out by the caller). With ``facts`` the cost follows each
    specialty's platform, its transcript fee once per platform, the ECFMG token for ERAS, and
    the NRMP fees of the season (late fee when the standard deadline has passed)."""
    plans = (primary, *backups)
    by_specialty = tuple((p.code, p.ranks) for p in plans if p.ranks)
    total_ranks = sum(r for _, r in by_specialty)
    app_min = sum(p.eras_cost_min for p in plans)
    app_max = sum(p.eras_cost_max for p in plans)
    platform_rows: list[dict[str, Any]] = []
    notes: list[Reason] = []
    token = late = extra_ranks = 0
    if facts is None:
        transcript = fees.usmle_transcript_fee
        nrmp = fees.nrmp_cost(total_ranks)
        eras_min, eras_max = app_min, app_max
        fee_season, fee_source = fees.season, fees.source_note or SRC_FEES
        primary_fees: PlatformFees | None = None
    else:
        applying = season_of(profile.application_year)
        used: dict[str, list[SpecialtyPlan]] = {}
        for p in plans:
            used.setdefault(p.platform, []).append(p)
        transcript = 0
        eras_min = eras_max = 0
        for name, members in used.items():
            pf = facts.platforms[name]
            row_min = sum(p.eras_cost_min for p in members)
            row_max = sum(p.eras_cost_max for p in members)
            transcript += pf.transcript_fee
            if name == PLATFORM_ERAS:
                eras_min, eras_max = row_min, row_max
                token = pf.token_fee
            platform_rows.append(
                {
                    "platform": name,
                    "specialties": [p.code for p in members],
                    "application_fees": {"min": row_min, "max": row_max},
                    "transcript_fee": pf.transcript_fee,
                    "token_fee": pf.token_fee if name == PLATFORM_ERAS else 0,
                    "tiers": pf.tiers_text(),
                    "confirmed_season": pf.confirmed_season,
                    "source": pf.source.cite() if pf.source else "",
                    "source_key": pf.source.key if pf.source else "",
                    "source_url": pf.source.url if pf.source else "",
                }
            )
            text = _priced_note(
                f"{name} fees for {', '.join(p.code for p in members)} ({pf.tiers_text()})",
                pf.confirmed_season,
                applying,
                pf.source,
            )
            tseason = pf.transcript_confirmed_season or pf.confirmed_season
            text += " " + _priced_note(
                f"USMLE transcript on {name} (${pf.transcript_fee})",
                tseason,
                applying,
                pf.transcript_source if pf.transcript_source is not pf.source else None,
            )
            notes.append(Reason("platform_fees", text, pf.source.cite() if pf.source else SRC_FEES))
        if len(used) > 1:
            notes.append(
                Reason(
                    "two_platforms",
                    f"Your specialties use {len(used)} application platforms "
                    f"({' and '.join(used)}): each has its own application, its own fees and its "
                    "own USMLE transcript fee, so the transcript is paid once per platform.",
                    "; ".join(
                        facts.platforms[n].source.cite()  # type: ignore[union-attr]
                        for n in used
                        if facts.platforms[n].source is not None
                    ),
                )
            )
        if token:
            tsrc = facts.platforms[PLATFORM_ERAS].token_source
            notes.append(
                Reason(
                    "ecfmg_token",
                    _priced_note(
                        f"ERAS needs a token from ECFMG for graduates of foreign schools "
                        f"(${token})",
                        facts.platforms[PLATFORM_ERAS].token_confirmed_season
                        or facts.platforms[PLATFORM_ERAS].confirmed_season,
                        applying,
                        tsrc,
                    ),
                    tsrc.cite() if tsrc else SRC_FEES,
                )
            )
        if any(p.code.endswith("-PRELIM") for p in plans):
            psrc = facts.sources.get("eras_prelim_fee_tier")
            notes.append(
                Reason(
                    "prelim_fee_tier",
                    "Preliminary and categorical programs are priced as separate specialties "
                    "(the higher estimate): whether ERAS counts them in one fee tier is not "
                    "confirmed.",
                    psrc.cite() if psrc else SRC_ASSUMPTION,
                )
            )
        n = facts.nrmp
        extra_ranks = max(0, total_ranks - n.included_ranks)
        late = n.late_fee if (today is not None and nrmp_late(profile, facts, today)) else 0
        nrmp = n.registration_fee + extra_ranks * n.extra_rank_fee + late
        what = (
            f"NRMP: ${n.registration_fee} registration with {n.included_ranks} ranks, "
            f"${n.extra_rank_fee} per extra rank"
        )
        if extra_ranks:
            what += f" ({extra_ranks} extra for your {total_ranks} ranks)"
        if late:
            what += (
                f", and a ${late} late fee because the standard registration deadline "
                f"({_date(profile.application_year, n.standard_deadline_month_day):%d %B %Y}) "
                "has passed"
            )
        notes.append(
            Reason(
                "nrmp_fees",
                _priced_note(what, n.confirmed_season, applying, n.source),
                n.source.cite() if n.source else SRC_FEES,
            )
        )
        fee_season = min(
            [facts.platforms[name].confirmed_season for name in used] + [n.confirmed_season]
        )
        fee_source = " ".join(r.text for r in notes)
        primary_fees = facts.platforms[primary.platform]
    fixed = transcript + token + nrmp
    cost_min, cost_max = app_min + fixed, app_max + fixed
    budget = None
    if profile.budget_usd is not None:
        b = profile.budget_usd
        primary_nrmp = (
            fees.nrmp_cost(primary.ranks)
            if facts is None
            else facts.nrmp.registration_fee
            + max(0, primary.ranks - facts.nrmp.included_ranks) * facts.nrmp.extra_rank_fee
            + late
        )
        primary_fixed = (
            transcript
            if primary_fees is None
            else primary_fees.transcript_fee + (token if primary.platform == PLATFORM_ERAS else 0)
        )

        def _afford(available: int) -> int:
            if primary_fees is None:
                return _affordable(fees, available)
            return primary_fees.affordable(available)

        affordable = _afford(b - primary_fixed - primary_nrmp)
        with_backups = _afford(b - fixed - sum(p.eras_cost_min for p in backups))
        covers = "max" if b >= cost_max else "min" if b >= cost_min else "below_min"
        if covers == "max":
            text = f"Your budget of ${b:,} covers the whole plan at its upper end (${cost_max:,})."
        elif covers == "min":
            text = (
                f"Your budget of ${b:,} covers the lower end (${cost_min:,}) but not the upper "
                f"end (${cost_max:,})."
            )
        else:
            text = (
                f"Your budget of ${b:,} is ${cost_min - b:,} short of the lower end of the plan "
                f"(${cost_min:,})."
            )
        text += (
            f" After the fixed fees (transcript, NRMP{', ECFMG token' if token else ''}) it pays "
            f"for {affordable} {primary.code} applications"
        )
        if backups:
            text += (
                f", or {with_backups} {primary.code} applications beside the minimum for "
                + ", ".join(f"{p.code} ({p.applications_min})" for p in backups)
            )
        text += "."
        budget = Budget(
            b,
            covers,
            affordable,
            with_backups,
            max(0, cost_min - b),
            Reason(
                "budget_coverage", text, fee_source if facts else (fees.source_note or SRC_FEES)
            ),
        )
    ranks = Ranks(
        recommended_contiguous=primary.ranks,
        by_specialty=by_specialty,
        total=total_ranks,
        reason=Reason(
            "recommended_ranks",
            f"Rank at least {primary.ranks} {primary.code} programs in a row: the more "
            "contiguous ranks, the better the odds, and matched non-US IMGs ranked more programs "
            "than unmatched ones.",
            f"{SRC_NRMP}; {SRC_CORD}" if primary.code == "EM" else f"{SRC_NRMP}; {SRC_ASSUMPTION}",
        ),
    )
    where = (
        "each specialty's application fees on its platform, the USMLE transcript once per "
        "platform, the ECFMG token for ERAS, and NRMP registration"
        if facts is not None
        else "ERAS fees per specialty, the USMLE transcript once and NRMP registration"
    )
    apps = Applications(
        specialty=primary.code,
        min=primary.applications_min,
        max=primary.applications_max,
        cost_min=cost_min,
        cost_max=cost_max,
        total_min=sum(p.applications_min for p in plans),
        total_max=sum(p.applications_max for p in plans),
        eras_min=eras_min,
        eras_max=eras_max,
        transcript=transcript,
        nrmp_min=nrmp,
        nrmp_max=nrmp,
        mix=primary.mix,
        budget=budget,
        fee_season=fee_season,
        fee_source=fee_source,
        reason=Reason(
            "applications_by_tier",
            f"{primary.applications_min}-{primary.applications_max} {primary.code} applications "
            f"for a profile that is {TIER_LABELS[primary.tier]}. The cost counts {where} with "
            f"{total_ranks} ranks.",
            primary.source_note and _rules_source_short(primary),
        ),
        platforms=tuple(platform_rows),
        application_fees_min=app_min,
        application_fees_max=app_max,
        ecfmg_token=token,
        nrmp_late_fee=late,
        nrmp_extra_ranks=extra_ranks,
        notes=tuple(notes),
    )
    return apps, ranks


def _rules_source_short(plan: SpecialtyPlan) -> str:
    if plan.basis == "article":
        return SRC_EM if plan.code == "EM" else SRC_GS
    return SRC_ASSUMPTION
