"""Installs the season facts (platforms, fees, signals, NRMP) with their sources.

A frozen copy of assessments/season_data.py at the time of writing (checked 7 December 2026);
later edits to the defaults need a new migration (tests/engine/test_seasons.py checks they agree).
"""

from __future__ import annotations

import datetime as dt

from django.db import migrations

SOURCES = [
    {
        "key": "aamc_eras_fees_2026",
        "title": "Fees for 2026 ERAS Season",
        "publisher": "AAMC",
        "season": "ERAS 2026 season",
        "url": "https://students-residents.aamc.org/applying-residencies-eras/publication-chapters/fees-2025-eras-season",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "$11 per program for 1-30, $30 from the 31st; cost is per specialty and resets with each "
        "additional specialty.",
    },
    {
        "key": "aamc_eras_fees_transcript",
        "title": "Fees for ERAS Residency Applications",
        "publisher": "AAMC",
        "season": "ERAS 2024 season",
        "url": "https://students-residents.aamc.org/applying-residencies-eras/fees-eras-residency-applications",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "USMLE transcript $80, assessed once per season (the latest AAMC page we found that "
        "states it).",
    },
    {
        "key": "ecfmg_eras_token",
        "title": "ERAS Support Services",
        "publisher": "ECFMG",
        "season": "ERAS 2024 season",
        "url": "https://ecfmg.org/eras/",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Graduates of foreign schools request their ERAS token from ECFMG: $165, non-refundable "
        "(stated for ERAS 2024).",
    },
    {
        "key": "saem_residencycas",
        "title": "RAMS ResidencyCAS Information (AEROS ResidencyCAS infographics)",
        "publisher": "SAEM RAMS with CORD, EMRA, AAEM/RSA and ACOEP RSO",
        "season": "2025-26 cycle (2026 Match)",
        "url": "https://www.saem.org/about-saem/academies-interest-groups-affiliates2/rams/rams-resources/aeros-residencycas-infographics",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "ResidencyCAS pricing: $99 flat for programs 1-18, $18 each for 19-30, $23 each from 31; "
        "a one-time $80 USMLE transcript fee; applications released to programs on 1 October "
        "2025; up to 3 geographic connections.",
    },
    {
        "key": "cord_residencycas",
        "title": "ResidencyCAS 2025: Emergency Medicine Application Update",
        "publisher": "CORD",
        "season": "2025-26 cycle (2026 Match)",
        "url": "https://www.cordem.org/resources/ascem",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "From the 2025-26 cycle all EM applications, combined programs included, go through "
        "ResidencyCAS; applicants register with ResidencyCAS and the NRMP.",
    },
    {
        "key": "liaison_residencycas_quickstart",
        "title": "ResidencyCAS Applicant Quick Start Guide",
        "publisher": "Liaison (ResidencyCAS Applicant Help Center)",
        "season": "2025-26 cycle",
        "url": "https://help.liaisonedu.com/ResidencyCAS_Applicant_Help_Center/Starting_Your_ResidencyCAS_Application/Getting_Started_with_Your_ResidencyCAS_Application/01_Quick_Start_Guide",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Letters of recommendation and SLOEs must be assigned to each program by hand; IMGs need "
        "an ECFMG status report.",
    },
    {
        "key": "aamc_signals_2025",
        "title": "Program Signaling for the 2025 MyERAS Application Season",
        "publisher": "AAMC",
        "season": "ERAS 2025 season",
        "url": "https://students-residents.aamc.org/applying-residencies-eras/program-signaling-2025-myeras-application-season",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Signals per specialty; emergency medicine's guidance is not to signal home and away "
        "rotation sites.",
    },
    {
        "key": "aaim_signals_2026",
        "title": "2025-26 Tiered Program Signals for IM Residency Programs",
        "publisher": "Alliance for Academic Internal Medicine (AAIM)",
        "season": "2025-26 cycle (ERAS 2026 season)",
        "url": "https://www.im.org/resources/tiered-signaling",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Internal medicine keeps 3 gold and 12 silver signals for 2025-26; signals are sent per "
        "institution for the field, so one signal covers a categorical and a preliminary IM "
        "program at the same institution.",
    },
    {
        "key": "nrmp_match_fees",
        "title": "Match Fees",
        "publisher": "NRMP",
        "season": "2017 Main Residency Match",
        "url": "http://www.nrmp.org/match-process/match-fees/",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "$75 registration with 20 ranks, $30 per extra rank, $50 late fee after the 30 November "
        "standard registration deadline. The newest NRMP fee table we could open is this one; "
        "later seasons' figures are not confirmed.",
    },
    {
        "key": "nrmp_pr_is_non_us_img",
        "title": "I am green card holder/U.S. permanent resident who graduated from an international "
        "medical school. What user type will I be in the Match?",
        "publisher": "NRMP (help and support)",
        "season": "2026 Main Residency Match",
        "url": "https://www.nrmp.org/search/R+program/page/6/?category_name=registration",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Permanent residents register as non-US citizen IMGs; only US citizens register as US "
        "citizen IMGs.",
    },
    {
        "key": "usmle_attempt_limit",
        "title": "Attempt Limit Common Questions",
        "publisher": "USMLE",
        "season": "since 1 July 2021",
        "url": "https://www.usmle.org/common-questions/attempt-limit",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Four attempts per Step; an examinee with four or more unpassed attempts on any Step is "
        "ineligible to apply for any USMLE Step.",
    },
    {
        "key": "ecfmg_oet_pathways",
        "title": "Requirements for ECFMG Certification: Assessment of Communication Skills (OET "
        "Medicine)",
        "publisher": "ECFMG",
        "season": "2022 Match",
        "url": "https://www.ecfmg.org/certification-requirements-2022-match/oet.html",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Pathway applicants must also pass OET Medicine (350, grade B, on each of the four "
        "sub-tests in one sitting). The latest season's page was not found: check ECFMG's "
        "current requirements.",
    },
    {
        "key": "ecfmg_eras_match_eligibility",
        "title": "ERAS Support Services: ERAS and NRMP eligibility",
        "publisher": "ECFMG",
        "season": "2022 Match",
        "url": "https://ecfmg.org/eras/applicants-eligibility.html",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "To take part in the Match, the exams required for certification must be passed and "
        "reported by the NRMP rank order list certification deadline; for Pathway applicants "
        "ECFMG verifies the Pathway and Step 1 and Step 2 CK to the NRMP.",
    },
    {
        "key": "nrmp_applicant_faq",
        "title": "Applicant FAQs",
        "publisher": "NRMP",
        "season": "undated",
        "url": "http://www.nrmp.org/faq-sections/applicants-faqs/",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "An IMG without ECFMG confirmation of passed exams by the rank order list deadline is "
        "withdrawn from the Match.",
    },
    {
        "key": "ecfmg_son",
        "title": "Exchange Visitor Sponsorship Program: Statement of Need",
        "publisher": "ECFMG",
        "season": "current",
        "url": "https://www.ecfmg.org/evsp/applying-general-statement-need.html",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "The Statement of Need must name a need that exactly matches the training specialty.",
    },
    {
        "key": "ecfmg_evsp_general",
        "title": "Exchange Visitor Sponsorship Program: General Requirements",
        "publisher": "ECFMG",
        "season": "current",
        "url": "https://www.ecfmg.org/evsp/applying-general.html",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Every ECFMG-sponsored J-1 physician is subject to the two-year home-country physical "
        "presence requirement of section 212(e).",
    },
    {
        "key": "step3_after_certification",
        "title": "USMLE Step 3 eligibility (graduates of schools outside the US and Canada need ECFMG "
        "certification first)",
        "publisher": "USMLE Bulletin of Information, as quoted by secondary sources",
        "season": "undated",
        "url": "",
        "checked_on": "2026-12-07",
        "confirmed": False,
        "note": "Lead from MatchPlan's domain notes; the primary USMLE page was not found in our search. "
        "Secondary reports (for example doctorsimmigrationlaw.com, 'USMLE Eligibility') quote "
        "the Bulletin's rule.",
    },
    {
        "key": "observership_no_patient_care",
        "title": "Observerships: no hands-on patient care for B-1 visitors",
        "publisher": "Temple University International Student and Scholar Services, 'Medical Activities'",
        "season": "undated",
        "url": "https://global.temple.edu/isss/faculty-staff-and-researchers/temple-links/medical-activities",
        "checked_on": "2026-12-07",
        "confirmed": False,
        "note": "Secondary source (a university's international office citing federal regulations); no "
        "ECFMG or State Department page was found in our search.",
    },
    {
        "key": "eras_prelim_fee_tier",
        "title": "Whether categorical and preliminary positions share one ERAS fee tier",
        "publisher": "AAMC",
        "season": "not found",
        "url": "",
        "checked_on": "2026-12-07",
        "confirmed": False,
        "note": "AAMC's fee page counts fees 'per specialty' without saying whether a preliminary track "
        "is its own specialty. We price them separately (the higher estimate) until this is "
        "confirmed.",
    },
]

PLATFORMS = [
    {
        "platform": "ERAS",
        "season": 2026,
        "confirmed_season": 2026,
        "base_fee": 0,
        "base_programs": 0,
        "mid_fee": 11,
        "mid_until": 30,
        "after_fee": 30,
        "transcript_fee": 80,
        "token_fee": 165,
        "transcript_confirmed_season": 2024,
        "token_confirmed_season": 2024,
        "release_to_programs": None,
        "source": "aamc_eras_fees_2026",
        "transcript_source": "aamc_eras_fees_transcript",
        "token_source": "ecfmg_eras_token",
    },
    {
        "platform": "ResidencyCAS",
        "season": 2026,
        "confirmed_season": 2026,
        "base_fee": 99,
        "base_programs": 18,
        "mid_fee": 18,
        "mid_until": 30,
        "after_fee": 23,
        "transcript_fee": 80,
        "token_fee": 0,
        "transcript_confirmed_season": None,
        "token_confirmed_season": None,
        "release_to_programs": "2025-10-01",
        "source": "saem_residencycas",
        "transcript_source": "saem_residencycas",
        "token_source": None,
    },
]

SPECIALTIES = [
    {
        "code": "EM",
        "season": 2026,
        "platform": "ResidencyCAS",
        "signals_first": 5,
        "signals_first_label": "signal",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "Do not signal programs where you did a home or away rotation.",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "IM",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 3,
        "signals_first_label": "gold",
        "signals_second": 12,
        "signals_second_label": "silver",
        "signal_rule": "One signal covers the categorical and the preliminary program of the same "
        "institution.",
        "signals_confirmed_season": 2026,
        "source": "aaim_signals_2026",
    },
    {
        "code": "FM",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 5,
        "signals_first_label": "signal",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "PEDS",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 5,
        "signals_first_label": "signal",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "PSYCH",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 10,
        "signals_first_label": "signal",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "NEURO",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 8,
        "signals_first_label": "signal",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "ANES",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 5,
        "signals_first_label": "gold",
        "signals_second": 10,
        "signals_second_label": "silver",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "PATH",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 5,
        "signals_first_label": "signal",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "RAD",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 6,
        "signals_first_label": "gold",
        "signals_second": 6,
        "signals_second_label": "silver",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "GS",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 15,
        "signals_first_label": "signal",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
    {
        "code": "GS-PRELIM",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 0,
        "signals_first_label": "",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": None,
        "source": None,
    },
    {
        "code": "IM-PRELIM",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 0,
        "signals_first_label": "",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": None,
        "source": None,
    },
    {
        "code": "TY",
        "season": 2026,
        "platform": "ERAS",
        "signals_first": 12,
        "signals_first_label": "signal",
        "signals_second": 0,
        "signals_second_label": "",
        "signal_rule": "",
        "signals_confirmed_season": 2025,
        "source": "aamc_signals_2025",
    },
]

NRMP = {
    "season": 2026,
    "confirmed_season": 2017,
    "registration_fee": 75,
    "included_ranks": 20,
    "extra_rank_fee": 30,
    "late_fee": 50,
    "standard_deadline": "2025-11-30",
    "source": "nrmp_match_fees",
}


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def install(apps, schema_editor):
    Source = apps.get_model("assessments", "Source")
    PlatformFeeSchedule = apps.get_model("assessments", "PlatformFeeSchedule")
    SpecialtySeason = apps.get_model("assessments", "SpecialtySeason")
    NrmpSeason = apps.get_model("assessments", "NrmpSeason")
    Specialty = apps.get_model("programs", "Specialty")
    by_key = {}
    for row in SOURCES:
        data = dict(row, checked_on=_date(row["checked_on"]))
        by_key[row["key"]], _ = Source.objects.update_or_create(key=row["key"], defaults=data)
    for row in PLATFORMS:
        data = dict(row)
        data["release_to_programs"] = _date(row["release_to_programs"])
        for key in ("source", "transcript_source", "token_source"):
            data[key] = by_key.get(row[key]) if row[key] else None
        PlatformFeeSchedule.objects.update_or_create(
            platform=row["platform"], season=row["season"], defaults=data
        )
    specialties = {s.code: s for s in Specialty.objects.all()}
    for row in SPECIALTIES:
        if row["code"] not in specialties:
            continue
        data = {k: v for k, v in row.items() if k != "code"}
        data["source"] = by_key.get(row["source"]) if row["source"] else None
        SpecialtySeason.objects.update_or_create(
            specialty=specialties[row["code"]], season=row["season"], defaults=data
        )
    data = dict(
        NRMP, standard_deadline=_date(NRMP["standard_deadline"]), source=by_key[NRMP["source"]]
    )
    NrmpSeason.objects.update_or_create(season=NRMP["season"], defaults=data)


def remove(apps, schema_editor):
    for name in ("SpecialtySeason", "PlatformFeeSchedule", "NrmpSeason", "Source"):
        apps.get_model("assessments", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_season_facts"),
        ("programs", "0002_specialties"),
    ]

    operations = [migrations.RunPython(install, remove)]
