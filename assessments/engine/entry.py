"""The entry point: :func:`assess` (one plan) and :func:`standings` (every specialty)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from assessments.engine.calendar import timeline
from assessments.engine.citations import _own_plan, _own_sources, own_source
from assessments.engine.constants import (
    ENGINE_VERSION,
    EXCLUSION_REASONS,
    SRC_FEES,
    _matching_platforms,
)
from assessments.engine.exams import _score_used, exam_history, years_since_graduation
from assessments.engine.flags import red_flags
from assessments.engine.inputs import (
    Fees,
    PlatformFees,
    ProgramFacts,
    SeasonFacts,
    SpecialtyRules,
    platform_for,
    season_facts_for,
    season_of,
)
from assessments.engine.matching import (
    catalog_coverage,
    catalog_note,
    fit_note,
    fit_tally,
    match_programs,
)
from assessments.engine.next_steps import actions
from assessments.engine.outputs import (
    PlanResult,
    Reason,
    RedFlag,
    ScoreUsed,
    SpecialtyPlan,
    _reason,
)
from assessments.engine.season import (
    PGY1_TRACKS,
    _sources,
    comparison_group,
    eligibility,
    pgy1_plan,
    pgy1_year,
    program_shortfall,
    season_choice,
    season_choice_triggers,
    signal_plans,
)
from assessments.engine.strategy import applications, dual_apply, specialty_plan
from assessments.engine.tiers import _rules_source
from assessments.profile import Profile

# --- entry point -------------------------------------------------------------------------------


def assess(
    profile: Profile,
    *,
    rules: Mapping[str, SpecialtyRules],
    fees: Fees,
    programs: Sequence[ProgramFacts],
    today: dt.date,
    name_ranks: Mapping[str, Mapping[int, int]] | None = None,
    seasons: Mapping[int, SeasonFacts] | None = None,
) -> PlanResult:
    """Compute the plan. ``rules`` must hold the profile's specialty (KeyError otherwise);
    backups without rules are skipped. Only programs of the primary and backup specialties
    are considered.

    ``seasons`` (season -> facts): application platforms, their fees, signals and NRMP fees;
    without it the built-in defaults of assessments.season_data are used. An empty mapping
    prices everything with ``fees`` on ERAS, as plans were priced before season data existed.

    ``name_ranks`` (optional, only for speed; :func:`name_ranks` gives it): per specialty
    code, each of its programs' position when they are sorted by name and id; it must cover
    every program of the specialties it names. The result is the same with or without it.

    Programs on an application platform other than the one the season data gives a
    specialty are left out (``platform`` exclusion; ``DEFAULT_PLATFORMS`` without season
    data)."""
    if seasons is None:
        from assessments.season_data import DEFAULT_SEASONS  # pure data; avoids an import cycle

        seasons = DEFAULT_SEASONS
    applying = season_of(profile.application_year)
    facts = season_facts_for(seasons, applying) if seasons else None

    def _pf(code: str) -> PlatformFees | None:
        if facts is None:
            return None
        return facts.platforms[platform_for(code, applying, seasons)]

    primary_rules = rules[profile.specialty]
    history = exam_history(profile)
    score = _score_used(profile, history)
    primary = specialty_plan(
        profile, primary_rules, "primary", score, history, fees, _pf(profile.specialty)
    )
    flags = red_flags(profile, primary_rules, history, score, primary.bands, today, facts)
    dual = dual_apply(profile, primary, primary_rules, flags, rules, score, history)
    backup_codes = profile.backup_specialties or (dual.specialties if dual.recommended else ())
    backups = tuple(
        specialty_plan(profile, rules[code], "backup", score, history, fees, _pf(code))
        for code in backup_codes
        if code in rules and code != profile.specialty
    )
    # Backups the plan calls unnecessary are shown but not costed.
    costed = backups if dual.recommended else ()
    first_year = pgy1_plan(profile, primary, rules, score, history, fees, _pf(PGY1_TRACKS[0]))
    if first_year is not None:
        costed = (*costed, first_year)
    apps, ranks = applications(profile, primary, costed, fees, facts, today)
    triggers = season_choice_triggers(profile, primary, score, flags, today)
    choice = None
    if triggers:
        # The same plan a year later, priced from next season's data (or the latest stored).
        later = replace(profile, application_year=profile.application_year + 1)
        next_facts = season_facts_for(seasons, applying + 1) if seasons else None

        def _next_pf(code: str) -> PlatformFees | None:
            if next_facts is None:
                return None
            return next_facts.platforms[platform_for(code, applying + 1, seasons)]

        next_primary = specialty_plan(
            later, primary_rules, "primary", score, history, fees, _next_pf(primary.code)
        )
        next_costed = tuple(
            replace(
                specialty_plan(
                    later, rules[c.code], c.role, score, history, fees, _next_pf(c.code)
                ),
                ranks=c.ranks,
            )
            for c in costed
        )
        next_apps, _ = applications(later, next_primary, next_costed, fees, next_facts, today)
        choice = season_choice(
            profile,
            primary,
            primary_rules,
            score,
            triggers,
            (apps, facts),
            (next_apps, next_facts),
        )
    elig = eligibility(profile, history, facts)
    if elig["eligible"]:
        entries, excluded_programs, counts, considered = match_programs(
            profile,
            (primary, *backups),
            history,
            score,
            programs,
            today,
            name_ranks,
            flags=flags,
            platforms=_matching_platforms((primary, *backups)) if facts is not None else None,
        )
    else:
        # No application plan for a profile that cannot take part in the Match.
        entries, excluded_programs, counts, considered = (
            (),
            (),
            dict.fromkeys(EXCLUSION_REASONS, 0),
            0,
        )
    notes = [
        score.reason,
        Reason("rule_basis", primary_rules.source_note, _rules_source(primary_rules)),
        Reason("fees", apps.fee_source, SRC_FEES),
        comparison_group(profile, facts),
    ]
    catalog = catalog_coverage(programs, primary.code, today)
    notes.append(catalog_note(catalog))
    shortfall = program_shortfall(apps, entries) if elig["eligible"] and programs else None
    if shortfall is not None:
        notes.append(shortfall)
    plans = (primary, *costed)
    signals = signal_plans(profile, plans, entries, facts) if elig["eligible"] else ()
    season_block = None
    if facts is not None:
        season_block = {
            "applying_season": applying,
            "data_season": facts.season,
            "platforms": {p.code: p.platform for p in (primary, *backups)},
            "notes": [_reason(r) for r in apps.notes],
        }
    return _own_sources(
        PlanResult(
            engine_version=ENGINE_VERSION,
            computed_on=today,
            specialty=profile.specialty,
            tier=primary.tier,
            projected=primary.projected,
            score=score,
            tier_steps=primary.tier_steps,
            primary=primary,
            backups=backups,
            red_flags=flags,
            applications=apps,
            ranks=ranks,
            dual_apply=dual,
            timeline=timeline(
                profile,
                primary_rules,
                history,
                today,
                facts,
                tuple(dict.fromkeys(p.platform for p in plans)),
            ),
            actions=actions(
                profile,
                primary_rules,
                primary,
                history,
                score,
                flags,
                dual,
                facts,
                plans,
                {code: r.name for code, r in rules.items()},
                today,
            ),
            programs=entries,
            excluded_programs=excluded_programs,
            excluded=counts,
            programs_considered=considered,
            failed_attempts=history.total,
            years_since_graduation=years_since_graduation(profile),
            notes=tuple(notes),
            season=season_block,
            signals=signals,
            eligibility=elig,
            sources=_sources(facts),
            pgy1=pgy1_year(primary, first_year, rules, facts),
            season_choice=choice,
            catalog=catalog,
            fit_note=fit_note(primary, entries, flags) if elig["eligible"] else None,
        )
    )


@dataclass(frozen=True, slots=True)
class Standing:
    """One specialty as if it were the primary: what :func:`assess` would say of it."""

    plan: SpecialtyPlan
    red_flags: tuple[RedFlag, ...]
    # the programs a plan would list, counted by (label, sponsors the visa, state, count)
    tally: tuple[tuple[str, bool, str, int], ...]
    excluded: int
    considered: int
    score: ScoreUsed
    rules_source: str


def standings(
    profile: Profile,
    *,
    rules: Mapping[str, SpecialtyRules],
    fees: Fees,
    programs: Sequence[ProgramFacts],
    today: dt.date,
    seasons: Mapping[int, SeasonFacts] | None = None,
) -> tuple[Standing, ...]:
    """Every specialty in ``rules`` with the tier, red flags, costs and program fits that
    :func:`assess` gives it when it is the profile's primary (``profile.specialty`` itself is
    not read), in one pass over ``programs`` (the specialty explorer). ``seasons`` as for
    :func:`assess`. The programs are counted (``tally``), not listed with reasons and order."""
    if seasons is None:
        from assessments.season_data import DEFAULT_SEASONS  # pure data; avoids an import cycle

        seasons = DEFAULT_SEASONS
    applying = season_of(profile.application_year)
    facts = season_facts_for(seasons, applying) if seasons else None
    history = exam_history(profile)
    score = _score_used(profile, history)
    # Cited as a plan of each specialty cites (own_source).
    plans = tuple(
        _own_plan(
            specialty_plan(
                profile,
                r,
                "primary",
                score,
                history,
                fees,
                None if facts is None else facts.platforms[platform_for(r.code, applying, seasons)],
            )
        )
        for r in rules.values()
    )
    eligible = eligibility(profile, history, facts)["eligible"]  # as assess: no list otherwise
    by_code: dict[str, list[ProgramFacts]] = {plan.code: [] for plan in plans}
    for program in programs:
        found = by_code.get(program.specialty_code)
        if found is not None:
            found.append(program)
    out = []
    for plan in plans:
        flags = red_flags(profile, rules[plan.code], history, score, plan.bands, today, facts)
        tally: dict[tuple[str, bool, str], int] = {}
        left_out = 0
        if eligible:
            # As assess with this specialty as the primary: its red flags, its platform.
            tally, left_out = fit_tally(
                profile,
                plan,
                history,
                score,
                by_code[plan.code],
                today,
                flags=flags,
                platforms=_matching_platforms((plan,)) if facts is not None else None,
            )
        out.append(
            Standing(
                plan=plan,
                red_flags=tuple(replace(f, source=own_source(f.source, plan.code)) for f in flags),
                tally=tuple((fit, sp, state, n) for (fit, sp, state), n in tally.items()),
                excluded=left_out,
                considered=len(by_code[plan.code]),
                score=score,
                rules_source=own_source(_rules_source(rules[plan.code]), plan.code),
            )
        )
    return tuple(out)
