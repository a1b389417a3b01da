"""Default season facts (platforms, fees, signals, NRMP, key dates), as pure data with their
sources.

What migrations 0007 and 0012 install (they keep their own frozen copies) and what the engine
uses when no season table is passed in (tests, benchmark). Every figure names the primary source it was read
from and the season it was confirmed for; all were checked on 7 December 2026. Where a figure is
only a lead (not found on the primary source), its SourceRef has ``confirmed=False`` and the plan
says so. docs/rules.md ("Season facts") lists them.
"""

from __future__ import annotations

import datetime as dt

from assessments.engine import (
    PLATFORM_ERAS,
    PLATFORM_RCAS,
    KeyDate,
    NrmpFees,
    PlatformFees,
    SeasonFacts,
    SignalRule,
    SourceRef,
)

CHECKED = dt.date(2026, 12, 7)


def _src(key: str, title: str, publisher: str, season: str, url: str, **kw: object) -> SourceRef:
    return SourceRef(key, title, publisher, season, url, CHECKED, **kw)  # type: ignore[arg-type]


SOURCES: dict[str, SourceRef] = {
    s.key: s
    for s in (
        _src(
            "aamc_eras_fees_2026",
            "Fees for 2026 ERAS Season",
            "AAMC",
            "ERAS 2026 season",
            "https://students-residents.aamc.org/applying-residencies-eras/publication-chapters/fees-2025-eras-season",
            note="$11 per program for 1-30, $30 from the 31st; cost is per specialty and resets "
            "with each additional specialty.",
        ),
        _src(
            "aamc_eras_fees_transcript",
            "Fees for ERAS Residency Applications",
            "AAMC",
            "ERAS 2024 season",
            "https://students-residents.aamc.org/applying-residencies-eras/fees-eras-residency-applications",
            note="USMLE transcript $80, assessed once per season (the latest AAMC page we found "
            "that states it).",
        ),
        _src(
            "ecfmg_eras_token",
            "ERAS Support Services",
            "ECFMG",
            "ERAS 2024 season",
            "https://ecfmg.org/eras/",
            note="Graduates of foreign schools request their ERAS token from ECFMG: $165, "
            "non-refundable (stated for ERAS 2024).",
        ),
        _src(
            "saem_residencycas",
            "RAMS ResidencyCAS Information (AEROS ResidencyCAS infographics)",
            "SAEM RAMS with CORD, EMRA, AAEM/RSA and ACOEP RSO",
            "2025-26 cycle (2026 Match)",
            "https://www.saem.org/about-saem/academies-interest-groups-affiliates2/rams/rams-resources/aeros-residencycas-infographics",
            note="ResidencyCAS pricing: $99 flat for programs 1-18, $18 each for 19-30, $23 each "
            "from 31; a one-time $80 USMLE transcript fee; applications released to programs "
            "on 1 October 2025; up to 3 geographic connections.",
        ),
        _src(
            "cord_residencycas",
            "ResidencyCAS 2025: Emergency Medicine Application Update",
            "CORD",
            "2025-26 cycle (2026 Match)",
            "https://www.cordem.org/resources/ascem",
            note="From the 2025-26 cycle all EM applications, combined programs included, go "
            "through ResidencyCAS; applicants register with ResidencyCAS and the NRMP.",
        ),
        _src(
            "liaison_residencycas_quickstart",
            "ResidencyCAS Applicant Quick Start Guide",
            "Liaison (ResidencyCAS Applicant Help Center)",
            "2025-26 cycle",
            "https://help.liaisonedu.com/ResidencyCAS_Applicant_Help_Center/Starting_Your_ResidencyCAS_Application/Getting_Started_with_Your_ResidencyCAS_Application/01_Quick_Start_Guide",
            note="Letters of recommendation and SLOEs must be assigned to each program by hand; "
            "IMGs need an ECFMG status report. Key dates of the 2025-26 cycle: opens 4 June "
            "2025; submit from 3 September; submit by 24 September for the best chance; "
            "programs can view applications from 1 October 2025.",
        ),
        _src(
            "aamc_eras_timeline_2026",
            "ERAS Timeline (2026 ERAS season)",
            "AAMC",
            "ERAS 2026 season",
            "https://students-residents.aamc.org/applying-residencies-eras/publication-chapters/eras-timeline",
            note="The 2026 ERAS season begins on 4 June 2025; residency applicants may submit to "
            "programs from 3 September 2025; programs may begin reviewing applications on 24 "
            "September 2025.",
        ),
        _src(
            "nrmp_2026_welcome",
            "Medical School Welcome Newsletter (2026 Main Residency Match)",
            "NRMP",
            "2026 Main Residency Match",
            "https://www.nrmp.org/about/news/2025/09/medical-school-welcome-newsletter-2",
            note="Registration opens on Monday 15 September 2025; Match Week and SOAP run 16-20 "
            "March 2026, with Match Day on 20 March 2026. The rank order list deadline is not in "
            "this text: plans estimate it as 16 days before Match Day.",
        ),
        _src(
            "nrmp_supplemental_rol",
            "About Supplemental Rank Order Lists",
            "NRMP",
            "Main Residency Match (current page)",
            "https://www.nrmp.org/residency-applicants/rank-your-programs-main/about-supplemental-rank-order-lists/",
            note="Advanced programs start at PGY-2; applicants who rank them can attach "
            "supplemental lists of preliminary (PGY-1) programs, used only if they match to the "
            "linked advanced program. Matching to an advanced program without a first year "
            "leaves the applicant to find one in SOAP or after it.",
        ),
        _src(
            "umaryland_advanced_positions",
            "Residency Application Manual: Glossary of Terms (advanced positions)",
            "University of Maryland School of Medicine, Office of Student Affairs",
            "undated",
            "https://www.medschool.umaryland.edu/osa/residency-application-manual-/glossary-of-terms/",
            confirmed=False,
            note="Secondary source: lists anesthesiology, neurology and radiology among the "
            "specialties that offer advanced (PGY-2) positions, some of them also categorical "
            "ones. No AAMC or NRMP list of advanced specialties was found in our search.",
        ),
        _src(
            "aamc_signals_2025",
            "Program Signaling for the 2025 MyERAS Application Season",
            "AAMC",
            "ERAS 2025 season",
            "https://students-residents.aamc.org/applying-residencies-eras/program-signaling-2025-myeras-application-season",
            note="Signals per specialty; emergency medicine's guidance is not to signal home and "
            "away rotation sites.",
        ),
        _src(
            "aaim_signals_2026",
            "2025-26 Tiered Program Signals for IM Residency Programs",
            "Alliance for Academic Internal Medicine (AAIM)",
            "2025-26 cycle (ERAS 2026 season)",
            "https://www.im.org/resources/tiered-signaling",
            note="Internal medicine keeps 3 gold and 12 silver signals for 2025-26; signals are "
            "sent per institution for the field, so one signal covers a categorical and a "
            "preliminary IM program at the same institution.",
        ),
        _src(
            "nrmp_match_fees",
            "Match Fees",
            "NRMP",
            "2017 Main Residency Match",
            "http://www.nrmp.org/match-process/match-fees/",
            note="$75 registration with 20 ranks, $30 per extra rank, $50 late fee after the "
            "30 November standard registration deadline. The newest NRMP fee table we could "
            "open is this one; later seasons' figures are not confirmed.",
        ),
        _src(
            "nrmp_pr_is_non_us_img",
            "I am green card holder/U.S. permanent resident who graduated from an international "
            "medical school. What user type will I be in the Match?",
            "NRMP (help and support)",
            "2026 Main Residency Match",
            "https://www.nrmp.org/search/R+program/page/6/?category_name=registration",
            note="Permanent residents register as non-US citizen IMGs; only US citizens register "
            "as US citizen IMGs.",
        ),
        _src(
            "usmle_attempt_limit",
            "Attempt Limit Common Questions",
            "USMLE",
            "since 1 July 2021",
            "https://www.usmle.org/common-questions/attempt-limit",
            note="Four attempts per Step; an examinee with four or more unpassed attempts on any "
            "Step is ineligible to apply for any USMLE Step.",
        ),
        _src(
            "ecfmg_oet_pathways",
            "Requirements for ECFMG Certification: Assessment of Communication Skills (OET "
            "Medicine)",
            "ECFMG",
            "2022 Match",
            "https://www.ecfmg.org/certification-requirements-2022-match/oet.html",
            note="Pathway applicants must also pass OET Medicine (350, grade B, on each of the "
            "four sub-tests in one sitting). The latest season's page was not found: check "
            "ECFMG's current requirements.",
        ),
        _src(
            "ecfmg_eras_match_eligibility",
            "ERAS Support Services: ERAS and NRMP eligibility",
            "ECFMG",
            "2022 Match",
            "https://ecfmg.org/eras/applicants-eligibility.html",
            note="To take part in the Match, the exams required for certification must be "
            "passed and reported by the NRMP rank order list certification deadline; for "
            "Pathway applicants ECFMG verifies the Pathway and Step 1 and Step 2 CK to the NRMP.",
        ),
        _src(
            "nrmp_applicant_faq",
            "Applicant FAQs",
            "NRMP",
            "undated",
            "http://www.nrmp.org/faq-sections/applicants-faqs/",
            note="An IMG without ECFMG confirmation of passed exams by the rank order list "
            "deadline is withdrawn from the Match.",
        ),
        _src(
            "ecfmg_son",
            "Exchange Visitor Sponsorship Program: Statement of Need",
            "ECFMG",
            "current",
            "https://www.ecfmg.org/evsp/applying-general-statement-need.html",
            note="The Statement of Need must name a need that exactly matches the training "
            "specialty.",
        ),
        _src(
            "ecfmg_evsp_general",
            "Exchange Visitor Sponsorship Program: General Requirements",
            "ECFMG",
            "current",
            "https://www.ecfmg.org/evsp/applying-general.html",
            note="Every ECFMG-sponsored J-1 physician is subject to the two-year home-country "
            "physical presence requirement of section 212(e).",
        ),
        _src(
            "step3_after_certification",
            "USMLE Step 3 eligibility (graduates of schools outside the US and Canada need ECFMG "
            "certification first)",
            "USMLE Bulletin of Information, as quoted by secondary sources",
            "undated",
            "",
            confirmed=False,
            note="Lead from MatchPlan's domain notes; the primary USMLE page was not found in our "
            "search. Secondary reports (for example doctorsimmigrationlaw.com, 'USMLE "
            "Eligibility') quote the Bulletin's rule.",
        ),
        _src(
            "observership_no_patient_care",
            "Observerships: no hands-on patient care for B-1 visitors",
            "Temple University International Student and Scholar Services, 'Medical Activities'",
            "undated",
            "https://global.temple.edu/isss/faculty-staff-and-researchers/temple-links/medical-activities",
            confirmed=False,
            note="Secondary source (a university's international office citing federal "
            "regulations); no ECFMG or State Department page was found in our search.",
        ),
        _src(
            "eras_prelim_fee_tier",
            "Whether categorical and preliminary positions share one ERAS fee tier",
            "AAMC",
            "not found",
            "",
            confirmed=False,
            note="AAMC's fee page counts fees 'per specialty' without saying whether a "
            "preliminary track is its own specialty. We price them separately (the higher "
            "estimate) until this is confirmed.",
        ),
    )
}

_AAMC_SIG = SOURCES["aamc_signals_2025"]
# (specialty, kinds, rule text, confirmed season, source)
_SIGNALS: tuple[tuple[str, tuple[tuple[str, int], ...], str, int, SourceRef], ...] = (
    ("ANES", (("gold", 5), ("silver", 10)), "", 2025, _AAMC_SIG),
    ("RAD", (("gold", 6), ("silver", 6)), "", 2025, _AAMC_SIG),
    (
        "EM",
        (("signal", 5),),
        "Do not signal programs where you did a home or away rotation.",
        2025,
        _AAMC_SIG,
    ),
    ("FM", (("signal", 5),), "", 2025, _AAMC_SIG),
    ("GS", (("signal", 15),), "", 2025, _AAMC_SIG),
    (
        "IM",
        (("gold", 3), ("silver", 12)),
        "One signal covers the categorical and the preliminary program of the same institution.",
        2026,
        SOURCES["aaim_signals_2026"],
    ),
    ("NEURO", (("signal", 8),), "", 2025, _AAMC_SIG),
    ("PATH", (("signal", 5),), "", 2025, _AAMC_SIG),
    ("PEDS", (("signal", 5),), "", 2025, _AAMC_SIG),
    ("PSYCH", (("signal", 10),), "", 2025, _AAMC_SIG),
    ("TY", (("signal", 12),), "", 2025, _AAMC_SIG),
)

# Key dates read on the primary sources, per season (SeasonDate). Only dates confirmed on the
# platform's or the NRMP's own page: the 2027 season's were not published there when checked,
# so plans estimate them with the usual rules (engine.SEASON_EVENTS) and say so. The NRMP
# rank order list deadline of 2026 was not in the texts found either.
# (season, event, date, source key, note)
_KEY_DATES: tuple[tuple[int, str, dt.date, str, str], ...] = (
    (2026, "eras_opens", dt.date(2025, 6, 4), "aamc_eras_timeline_2026", ""),
    (2026, "eras_submit", dt.date(2025, 9, 3), "aamc_eras_timeline_2026", ""),
    (2026, "eras_programs", dt.date(2025, 9, 24), "aamc_eras_timeline_2026", ""),
    (2026, "rcas_opens", dt.date(2025, 6, 4), "liaison_residencycas_quickstart", ""),
    (2026, "rcas_submit", dt.date(2025, 9, 3), "liaison_residencycas_quickstart", ""),
    (2026, "rcas_deadline", dt.date(2025, 9, 24), "liaison_residencycas_quickstart", ""),
    (2026, "rcas_programs", dt.date(2025, 10, 1), "liaison_residencycas_quickstart", ""),
    (2026, "nrmp_registration", dt.date(2025, 9, 15), "nrmp_2026_welcome", ""),
    (2026, "soap_starts", dt.date(2026, 3, 16), "nrmp_2026_welcome", ""),
    (2026, "match_day", dt.date(2026, 3, 20), "nrmp_2026_welcome", ""),
)
KEY_DATES: dict[int, dict[str, KeyDate]] = {}
for _season, _event, _date, _key, _note in _KEY_DATES:
    KEY_DATES.setdefault(_season, {})[_event] = KeyDate(
        _season, _event, _date, SOURCES[_key], _note
    )

SEASON = 2026

DEFAULT_SEASON = SeasonFacts(
    season=SEASON,
    platforms={
        PLATFORM_ERAS: PlatformFees(
            platform=PLATFORM_ERAS,
            season=SEASON,
            confirmed_season=2026,
            base_fee=0,
            base_programs=0,
            mid_fee=11,
            mid_until=30,
            after_fee=30,
            transcript_fee=80,
            token_fee=165,
            transcript_confirmed_season=2024,
            token_confirmed_season=2024,
            source=SOURCES["aamc_eras_fees_2026"],
            transcript_source=SOURCES["aamc_eras_fees_transcript"],
            token_source=SOURCES["ecfmg_eras_token"],
        ),
        PLATFORM_RCAS: PlatformFees(
            platform=PLATFORM_RCAS,
            season=SEASON,
            confirmed_season=2026,
            base_fee=99,
            base_programs=18,
            mid_fee=18,
            mid_until=30,
            after_fee=23,
            transcript_fee=80,
            source=SOURCES["saem_residencycas"],
            transcript_source=SOURCES["saem_residencycas"],
        ),
    },
    specialty_platform={"EM": PLATFORM_RCAS},
    signals={
        code: SignalRule(code, SEASON, confirmed, kinds, text, src)
        for code, kinds, text, confirmed, src in _SIGNALS
    },
    nrmp=NrmpFees(
        season=SEASON,
        confirmed_season=2017,
        registration_fee=75,
        included_ranks=20,
        extra_rank_fee=30,
        late_fee=50,
        standard_deadline_month_day=(11, 30),
        source=SOURCES["nrmp_match_fees"],
    ),
    sources=SOURCES,
    key_dates=KEY_DATES,
)

DEFAULT_SEASONS: dict[int, SeasonFacts] = {SEASON: DEFAULT_SEASON}
