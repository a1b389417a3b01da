"""Default rule parameters and fees, as pure data (no Django).

These are what migration 0003 installs (it keeps its own frozen copy; a test checks that both
agree) and what the engine tests and the benchmark use without a database. docs/rules.md
explains every number.
"""

from __future__ import annotations

from assessments.engine import (
    SRC_ASSUMPTION,
    SRC_CORD,
    SRC_EM,
    SRC_FEES,
    SRC_GS,
    SRC_NRMP,
    Fees,
    SpecialtyRules,
)

# Offsets from the NRMP matched median M that reproduce the EM article's table from EM's
# M = 243 exactly (245 / 238 / 225); see domain.md.
STRONG_OFFSET = 2
VIABLE_OFFSET = -5
RISK_OFFSET = -18
# The Step 2 CK passing standard from 1 July 2025: no band starts under it.
PASSING_FLOOR = 218
# IM-PRELIM has no NRMP row; we place it 10 points under categorical IM (assumption).
IM_PRELIM_OFFSET_FROM_IM = -10

# Applications per tier for specialties the articles do not cover (assumption).
DERIVED_APPS = {
    "strong": (30, 45),
    "viable": (50, 70),
    "risk": (70, 100),
    "high_risk": (100, 130),
}

# (code, name, track, matched, unmatched, ranks matched, ranks unmatched, match rate %)
NRMP_2026: dict[str, tuple[int, int, float, float, int]] = {
    "EM": (243, 236, 4, 1, 54),
    "GS": (256, 247, 3, 1, 29),
    "IM": (251, 243, 5, 2, 49),
    "FM": (230, 231, 3, 1, 54),
    "PEDS": (240, 233, 6, 1, 69),
    "PSYCH": (241, 237, 5, 2, 58),
    "ANES": (255, 247, 4, 2, 39),
    "NEURO": (252, 244, 6, 2, 42),
    "PATH": (244, 235, 7, 3, 45),
    "RAD": (250, 251, 5, 1.5, 58),
}

NAMES = {
    "EM": ("Emergency Medicine", "categorical"),
    "IM": ("Internal Medicine", "categorical"),
    "FM": ("Family Medicine", "categorical"),
    "PEDS": ("Pediatrics", "categorical"),
    "PSYCH": ("Psychiatry", "categorical"),
    "NEURO": ("Neurology", "categorical"),
    "ANES": ("Anesthesiology", "categorical"),
    "PATH": ("Pathology", "categorical"),
    "RAD": ("Diagnostic Radiology", "categorical"),
    "GS": ("General Surgery", "categorical"),
    "GS-PRELIM": ("General Surgery (preliminary)", "preliminary"),
    "IM-PRELIM": ("Internal Medicine (preliminary)", "preliminary"),
    "TY": ("Transitional Year", "transitional"),
}

# Dual-application partners, in order of preference. EM and GS-PRELIM are from the articles;
# the others are assumptions: a broader specialty that values the same clinical background.
PARTNERS: dict[str, tuple[str, ...]] = {
    "EM": ("IM", "FM"),
    "GS-PRELIM": ("IM-PRELIM", "IM"),
    "GS": ("GS-PRELIM", "IM"),
    "IM": ("FM",),
    "FM": ("IM",),
    "PEDS": ("FM",),
    "PSYCH": ("FM", "IM"),
    "NEURO": ("IM",),
    "ANES": ("IM", "IM-PRELIM"),
    "PATH": ("IM", "FM"),
    "RAD": ("IM", "IM-PRELIM"),
    "IM-PRELIM": ("TY", "IM"),
    "TY": ("IM-PRELIM",),
}


# Where training starts (SpecialtyRule.start_level): radiology mostly advanced (PGY-2),
# anesthesiology and neurology both categorical and advanced; the others categorical.
START_LEVELS = {"ANES": "mixed", "NEURO": "mixed", "RAD": "pgy2"}
START_LEVEL_NOTE = {
    "pgy2": (
        "Most {name} positions are advanced: they start at PGY-2, so the plan adds a "
        "preliminary or transitional first year, ranked on supplemental rank order lists (NRMP, "
        "'About Supplemental Rank Order Lists'). Which specialties offer advanced positions "
        "comes from a medical school's residency manual (University of Maryland School of "
        "Medicine, a secondary source)."
    ),
    "mixed": (
        "{name} programs offer both categorical positions (the first year included) and "
        "advanced ones that start at PGY-2. The plan adds a preliminary or transitional first "
        "year for the advanced positions, ranked on supplemental rank order lists (NRMP, 'About "
        "Supplemental Rank Order Lists'); applying only to categorical programs makes it "
        "unnecessary. Which specialties offer advanced positions comes from a medical school's "
        "residency manual (University of Maryland School of Medicine, a secondary source)."
    ),
}
_START_NAMES = {"ANES": "Anesthesiology", "NEURO": "Neurology", "RAD": "diagnostic radiology"}


def _start(code: str) -> dict[str, str]:
    level = START_LEVELS.get(code)
    if level is None:
        return {}
    return {
        "start_level": level,
        "start_level_note": START_LEVEL_NOTE[level].format(name=_START_NAMES[code]),
    }


def derive_bands(median: int) -> tuple[int, int, int]:
    """(strong, viable, risk) lower bounds from a matched median, never under the floor."""
    strong = max(median + STRONG_OFFSET, PASSING_FLOOR + 2)
    viable = max(median + VIABLE_OFFSET, PASSING_FLOOR + 1)
    risk = max(median + RISK_OFFSET, PASSING_FLOOR)
    return strong, viable, risk


def _stats(code: str) -> dict[str, object]:
    if code not in NRMP_2026:
        return {"stats_source": ""}
    matched, unmatched, r_matched, r_unmatched, rate = NRMP_2026[code]
    return {
        "matched_median": matched,
        "unmatched_median": unmatched,
        "matched_ranks_median": float(r_matched),
        "unmatched_ranks_median": float(r_unmatched),
        "match_rate_pct": rate,
        "stats_source": SRC_NRMP,
    }


def _apps(table: dict[str, tuple[int, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for tier, (low, high) in table.items():
        out[f"apps_{tier}_min"] = low
        out[f"apps_{tier}_max"] = high
    return out


def _derived(code: str, median: int, *, basis: str, note: str) -> SpecialtyRules:
    strong, viable, risk = derive_bands(median)
    name, track = NAMES[code]
    return SpecialtyRules(
        code=code,
        name=name,
        track=track,
        basis=basis,
        strong_min=strong,
        viable_min=viable,
        risk_min=risk,
        **_apps(DERIVED_APPS),
        dual_partners=PARTNERS[code],
        **_stats(code),  # type: ignore[arg-type]
        source_note=note,
        **_start(code),
    )


def _derived_note(code: str, median: int) -> str:
    strong, viable, risk = derive_bands(median)
    return (
        f"No source article covers this specialty. Its bands sit around the median Step 2 CK "
        f"of matched non-US IMGs ({median}, {SRC_NRMP}): strong from {strong} (median + 2), "
        f"viable from {viable} (median - 5), at risk from {risk} (median - 18, never under the "
        f"218 passing score). These offsets reproduce the EM article's table from EM's median. "
        f"Application counts and dual-application partners are our assumptions "
        f"(explained on the methodology page). Recommended ranks: 12, above the matched median."
    )


def _build() -> tuple[SpecialtyRules, ...]:
    rules: list[SpecialtyRules] = []
    name, track = NAMES["EM"]
    rules.append(
        SpecialtyRules(
            code="EM",
            name=name,
            track=track,
            basis="article",
            strong_min=245,
            viable_min=238,
            risk_min=225,
            **_apps(
                {"strong": (35, 45), "viable": (60, 80), "risk": (60, 90), "high_risk": (80, 120)}
            ),
            dual_partners=PARTNERS["EM"],
            sloes_target=2,
            **_stats("EM"),  # type: ignore[arg-type]
            source_note=(
                f"Bands from the EM article's score table ({SRC_EM}): strong from 245, viable "
                "from 238, at risk from 225, high risk under 225. The article also calls 235 "
                "'solidly viable'; we keep its table's 238 (it also sits above the 236 median "
                "of unmatched applicants), so 235-237 counts as at risk, and dual application "
                "is advised for every at-risk score, which includes the article's 'under 235' "
                "advice. Applications: 35-45 when strong and 60-80 when viable (article); at "
                "risk 60-90 and high risk 80-120 are our reading of its 'apply broadly'. "
                f"2 SLOEs and at least 12 ranks ({SRC_CORD})."
            ),
        )
    )
    name, track = NAMES["GS-PRELIM"]
    rules.append(
        SpecialtyRules(
            code="GS-PRELIM",
            name=name,
            track=track,
            basis="article",
            strong_min=245,
            viable_min=235,
            risk_min=220,
            **_apps(
                {
                    "strong": (60, 80),
                    "viable": (80, 120),
                    "risk": (100, 120),
                    "high_risk": (120, 150),
                }
            ),
            dual_partners=PARTNERS["GS-PRELIM"],
            stats_source="",
            source_note=(
                f"Bands from the prelim surgery article ({SRC_GS}): strong from 245 (academic "
                "prelims; 250+ for the most competitive), viable 235-244, at risk 220-234 at "
                "IMG-friendly prelims, high risk under 220 with a parallel plan (prelim "
                "medicine, a research year or another specialty). The article's 80-120+ "
                "applications are used for viable, at-risk (upper part) and high-risk "
                "profiles; 60-80 when strong is our assumption. NRMP publishes no separate "
                "figures for preliminary positions."
            ),
        )
    )
    for code in ("IM", "FM", "PEDS", "PSYCH", "NEURO", "ANES", "PATH", "RAD", "GS"):
        median = NRMP_2026[code][0]
        rules.append(_derived(code, median, basis="derived", note=_derived_note(code, median)))
    im_prelim_m = NRMP_2026["IM"][0] + IM_PRELIM_OFFSET_FROM_IM
    s, v, r = derive_bands(im_prelim_m)
    rules.append(
        _derived(
            "IM-PRELIM",
            im_prelim_m,
            basis="assumption",
            note=(
                "NRMP publishes no figures for preliminary medicine. We assume it screens about "
                f"10 points lower than categorical internal medicine (matched median "
                f"{NRMP_2026['IM'][0]}), so the bands are placed around {im_prelim_m}: strong "
                f"from {s}, viable from {v}, at risk from {r} ({SRC_ASSUMPTION})."
            ),
        )
    )
    ty_m = NRMP_2026["IM"][0]
    s, v, r = derive_bands(ty_m)
    rules.append(
        _derived(
            "TY",
            ty_m,
            basis="assumption",
            note=(
                "NRMP publishes no figures for transitional years. They are popular with US "
                "graduates heading to advanced specialties and take few IMGs, so we assume the "
                f"categorical internal medicine bands (matched median {ty_m}): strong from {s}, "
                f"viable from {v}, at risk from {r} ({SRC_ASSUMPTION})."
            ),
        )
    )
    return tuple(rules)


DEFAULT_RULES: tuple[SpecialtyRules, ...] = _build()


def default_rules() -> dict[str, SpecialtyRules]:
    return {rule.code: rule for rule in DEFAULT_RULES}


DEFAULT_FEES = Fees(
    season=2026,
    eras_fee_first_tier=11,
    eras_first_tier_size=30,
    eras_fee_after=30,
    usmle_transcript_fee=80,
    nrmp_registration_fee=75,
    nrmp_included_ranks=20,
    nrmp_extra_rank_fee=30,
    source_note=(
        f"{SRC_FEES}, 2025 and 2026 seasons: ERAS charges $11 per program for the first 30 "
        "programs of each specialty and $30 per program from the 31st; the USMLE transcript "
        "costs $80 once per season; NRMP registration is about $75 and covers 20 ranks, each "
        "further rank costs $30. Fees change every year: check the current schedules."
    ),
)
