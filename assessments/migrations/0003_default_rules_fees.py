"""Installs the default rule parameters and the 2026 fee schedule (docs/rules.md explains them).

A frozen copy of assessments/rules.py at the time of writing: later edits to the defaults need
a new migration (tests/engine/test_migrations.py checks that the two agree).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

RULES = [
    {
        "code": "EM",
        "basis": "article",
        "strong_min": 245,
        "viable_min": 238,
        "risk_min": 225,
        "apps_strong_min": 35,
        "apps_strong_max": 45,
        "apps_viable_min": 60,
        "apps_viable_max": 80,
        "apps_risk_min": 60,
        "apps_risk_max": 90,
        "apps_high_risk_min": 80,
        "apps_high_risk_max": 120,
        "dual_partners": ["IM", "FM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 2,
        "matched_median": 243,
        "unmatched_median": 236,
        "matched_ranks_median": 4.0,
        "unmatched_ranks_median": 1.0,
        "match_rate_pct": 54,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "Bands from the EM article's score table (EM article: Step score strategies for "
        "non-US citizen IMGs in emergency medicine): strong from 245, viable from 238, at "
        "risk from 225, high risk under 225. The article also calls 235 'solidly viable'; "
        "we keep its table's 238 (it also sits above the 236 median of unmatched "
        "applicants), so 235-237 counts as at risk, and dual application is advised for "
        "every at-risk score, which includes the article's 'under 235' advice. "
        "Applications: 35-45 when strong and 60-80 when viable (article); at risk 60-90 "
        "and high risk 80-120 are our reading of its 'apply broadly'. 2 SLOEs and at "
        "least 12 ranks (CORD advice to EM applicants (2 SLOEs, at least 12 ranks)).",
    },
    {
        "code": "GS-PRELIM",
        "basis": "article",
        "strong_min": 245,
        "viable_min": 235,
        "risk_min": 220,
        "apps_strong_min": 60,
        "apps_strong_max": 80,
        "apps_viable_min": 80,
        "apps_viable_max": 120,
        "apps_risk_min": 100,
        "apps_risk_max": 120,
        "apps_high_risk_min": 120,
        "apps_high_risk_max": 150,
        "dual_partners": ["IM-PRELIM", "IM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": None,
        "unmatched_median": None,
        "matched_ranks_median": None,
        "unmatched_ranks_median": None,
        "match_rate_pct": None,
        "stats_source": "",
        "source_note": "Bands from the prelim surgery article (Prelim surgery article: Step score "
        "strategy for non-US citizen IMGs in preliminary surgery): strong from 245 "
        "(academic prelims; 250+ for the most competitive), viable 235-244, at risk "
        "220-234 at IMG-friendly prelims, high risk under 220 with a parallel plan "
        "(prelim medicine, a research year or another specialty). The article's 80-120+ "
        "applications are used for viable, at-risk (upper part) and high-risk profiles; "
        "60-80 when strong is our assumption. NRMP publishes no separate figures for "
        "preliminary positions.",
    },
    {
        "code": "IM",
        "basis": "derived",
        "strong_min": 253,
        "viable_min": 246,
        "risk_min": 233,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["FM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 251,
        "unmatched_median": 243,
        "matched_ranks_median": 5.0,
        "unmatched_ranks_median": 2.0,
        "match_rate_pct": 49,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (251, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 253 (median + 2), viable from 246 (median - 5), at risk from 233 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "FM",
        "basis": "derived",
        "strong_min": 232,
        "viable_min": 225,
        "risk_min": 218,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["IM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 230,
        "unmatched_median": 231,
        "matched_ranks_median": 3.0,
        "unmatched_ranks_median": 1.0,
        "match_rate_pct": 54,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (230, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 232 (median + 2), viable from 225 (median - 5), at risk from 218 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "PEDS",
        "basis": "derived",
        "strong_min": 242,
        "viable_min": 235,
        "risk_min": 222,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["FM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 240,
        "unmatched_median": 233,
        "matched_ranks_median": 6.0,
        "unmatched_ranks_median": 1.0,
        "match_rate_pct": 69,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (240, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 242 (median + 2), viable from 235 (median - 5), at risk from 222 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "PSYCH",
        "basis": "derived",
        "strong_min": 243,
        "viable_min": 236,
        "risk_min": 223,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["FM", "IM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 241,
        "unmatched_median": 237,
        "matched_ranks_median": 5.0,
        "unmatched_ranks_median": 2.0,
        "match_rate_pct": 58,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (241, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 243 (median + 2), viable from 236 (median - 5), at risk from 223 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "NEURO",
        "basis": "derived",
        "strong_min": 254,
        "viable_min": 247,
        "risk_min": 234,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["IM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 252,
        "unmatched_median": 244,
        "matched_ranks_median": 6.0,
        "unmatched_ranks_median": 2.0,
        "match_rate_pct": 42,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (252, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 254 (median + 2), viable from 247 (median - 5), at risk from 234 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "ANES",
        "basis": "derived",
        "strong_min": 257,
        "viable_min": 250,
        "risk_min": 237,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["IM", "IM-PRELIM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 255,
        "unmatched_median": 247,
        "matched_ranks_median": 4.0,
        "unmatched_ranks_median": 2.0,
        "match_rate_pct": 39,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (255, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 257 (median + 2), viable from 250 (median - 5), at risk from 237 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "PATH",
        "basis": "derived",
        "strong_min": 246,
        "viable_min": 239,
        "risk_min": 226,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["IM", "FM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 244,
        "unmatched_median": 235,
        "matched_ranks_median": 7.0,
        "unmatched_ranks_median": 3.0,
        "match_rate_pct": 45,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (244, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 246 (median + 2), viable from 239 (median - 5), at risk from 226 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "RAD",
        "basis": "derived",
        "strong_min": 252,
        "viable_min": 245,
        "risk_min": 232,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["IM", "IM-PRELIM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 250,
        "unmatched_median": 251,
        "matched_ranks_median": 5.0,
        "unmatched_ranks_median": 1.5,
        "match_rate_pct": 58,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (250, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 252 (median + 2), viable from 245 (median - 5), at risk from 232 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "GS",
        "basis": "derived",
        "strong_min": 258,
        "viable_min": 251,
        "risk_min": 238,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["GS-PRELIM", "IM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": 256,
        "unmatched_median": 247,
        "matched_ranks_median": 3.0,
        "unmatched_ranks_median": 1.0,
        "match_rate_pct": 29,
        "stats_source": "NRMP Charting Outcomes 2026, non-US IMGs",
        "source_note": "No source article covers this specialty. Its bands sit around the median Step 2 "
        "CK of matched non-US IMGs (256, NRMP Charting Outcomes 2026, non-US IMGs): "
        "strong from 258 (median + 2), viable from 251 (median - 5), at risk from 238 "
        "(median - 18, never under the 218 passing score). These offsets reproduce the EM "
        "article's table from EM's median. Application counts and dual-application "
        "partners are our assumptions (MatchPlan assumption, see docs/rules.md). "
        "Recommended ranks: 12, above the matched median.",
    },
    {
        "code": "IM-PRELIM",
        "basis": "assumption",
        "strong_min": 243,
        "viable_min": 236,
        "risk_min": 223,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["TY", "IM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": None,
        "unmatched_median": None,
        "matched_ranks_median": None,
        "unmatched_ranks_median": None,
        "match_rate_pct": None,
        "stats_source": "",
        "source_note": "NRMP publishes no figures for preliminary medicine. We assume it screens about "
        "10 points lower than categorical internal medicine (matched median 251), so the "
        "bands are placed around 241: strong from 243, viable from 236, at risk from 223 "
        "(MatchPlan assumption, see docs/rules.md).",
    },
    {
        "code": "TY",
        "basis": "assumption",
        "strong_min": 253,
        "viable_min": 246,
        "risk_min": 233,
        "apps_strong_min": 30,
        "apps_strong_max": 45,
        "apps_viable_min": 50,
        "apps_viable_max": 70,
        "apps_risk_min": 70,
        "apps_risk_max": 100,
        "apps_high_risk_min": 100,
        "apps_high_risk_max": 130,
        "dual_partners": ["IM-PRELIM"],
        "recommended_ranks": 12,
        "yog_limit_years": 5,
        "h1b_band_shift": 5,
        "after_failure_min_step2": 230,
        "usce_target_months": 3,
        "us_letters_target": 3,
        "sloes_target": 0,
        "matched_median": None,
        "unmatched_median": None,
        "matched_ranks_median": None,
        "unmatched_ranks_median": None,
        "match_rate_pct": None,
        "stats_source": "",
        "source_note": "NRMP publishes no figures for transitional years. They are popular with US "
        "graduates heading to advanced specialties and take few IMGs, so we assume the "
        "categorical internal medicine bands (matched median 251): strong from 253, "
        "viable from 246, at risk from 233 (MatchPlan assumption, see docs/rules.md).",
    },
]

FEES = {
    "season": 2026,
    "eras_fee_first_tier": 11,
    "eras_first_tier_size": 30,
    "eras_fee_after": 30,
    "usmle_transcript_fee": 80,
    "nrmp_registration_fee": 75,
    "nrmp_included_ranks": 20,
    "nrmp_extra_rank_fee": 30,
    "source_note": "AAMC ERAS and NRMP fee schedules, 2025 and 2026 seasons: ERAS charges $11 per "
    "program for the first 30 programs of each specialty and $30 per program from the "
    "31st; the USMLE transcript costs $80 once per season; NRMP registration is about "
    "$75 and covers 20 ranks, each further rank costs $30. Fees change every year: "
    "check the current schedules.",
}


def install(apps, schema_editor):
    Specialty = apps.get_model("programs", "Specialty")
    SpecialtyRule = apps.get_model("assessments", "SpecialtyRule")
    FeeSchedule = apps.get_model("assessments", "FeeSchedule")
    DualPartner = apps.get_model("assessments", "DualPartner")
    specialties = {s.code: s for s in Specialty.objects.all()}
    for row in RULES:
        row = dict(row)
        code = row.pop("code")
        partners = row.pop("dual_partners")
        if code not in specialties:
            continue
        for key in ("matched_ranks_median", "unmatched_ranks_median"):
            if row.get(key) is not None:
                row[key] = Decimal(str(row[key]))
        rule, _ = SpecialtyRule.objects.update_or_create(specialty=specialties[code], defaults=row)
        DualPartner.objects.filter(rule=rule).delete()
        for position, partner in enumerate(partners, start=1):
            if partner in specialties:
                DualPartner.objects.create(
                    rule=rule, specialty=specialties[partner], position=position
                )
    if not FeeSchedule.objects.filter(active=True).exists():
        FeeSchedule.objects.update_or_create(
            season=FEES["season"], defaults={**FEES, "active": True}
        )


def uninstall(apps, schema_editor):
    apps.get_model("assessments", "SpecialtyRule").objects.all().delete()
    apps.get_model("assessments", "FeeSchedule").objects.filter(season=FEES["season"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_specialty_rules_fees"),
        ("programs", "0002_specialties"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
