"""Installs the seasons' key dates, the start level of advanced specialties and the graded
years-since-graduation thresholds, with their sources.

A frozen copy of assessments/season_data.py (KEY_DATES and the new SOURCES) and
assessments/rules.py (START_LEVELS, START_LEVEL_NOTE) at the time of writing (checked 7 December
2026); tests/engine/test_db.py checks that they agree. Only dates read on a primary source are
installed: the 2027 season's dates were not published on one when checked, so plans for it use
the weekday rules and say the dates are estimated.
"""

from __future__ import annotations

import datetime as dt

from django.db import migrations

SOURCES = [
    {
        "key": "aamc_eras_timeline_2026",
        "title": "ERAS Timeline (2026 ERAS season)",
        "publisher": "AAMC",
        "season": "ERAS 2026 season",
        "url": "https://students-residents.aamc.org/applying-residencies-eras/publication-chapters/eras-timeline",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "The 2026 ERAS season begins on 4 June 2025; residency applicants may submit to "
        "programs from 3 September 2025; programs may begin reviewing applications on 24 "
        "September 2025.",
    },
    {
        "key": "nrmp_2026_welcome",
        "title": "Medical School Welcome Newsletter (2026 Main Residency Match)",
        "publisher": "NRMP",
        "season": "2026 Main Residency Match",
        "url": "https://www.nrmp.org/about/news/2025/09/medical-school-welcome-newsletter-2",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Registration opens on Monday 15 September 2025; Match Week and SOAP run 16-20 "
        "March 2026, with Match Day on 20 March 2026. The rank order list deadline is not in "
        "this text: plans estimate it as 16 days before Match Day.",
    },
    {
        "key": "nrmp_supplemental_rol",
        "title": "About Supplemental Rank Order Lists",
        "publisher": "NRMP",
        "season": "Main Residency Match (current page)",
        "url": "https://www.nrmp.org/residency-applicants/rank-your-programs-main/about-supplemental-rank-order-lists/",
        "checked_on": "2026-12-07",
        "confirmed": True,
        "note": "Advanced programs start at PGY-2; applicants who rank them can attach "
        "supplemental lists of preliminary (PGY-1) programs, used only if they match to the "
        "linked advanced program. Matching to an advanced program without a first year leaves "
        "the applicant to find one in SOAP or after it.",
    },
    {
        "key": "umaryland_advanced_positions",
        "title": "Residency Application Manual: Glossary of Terms (advanced positions)",
        "publisher": "University of Maryland School of Medicine, Office of Student Affairs",
        "season": "undated",
        "url": "https://www.medschool.umaryland.edu/osa/residency-application-manual-/glossary-of-terms/",
        "checked_on": "2026-12-07",
        "confirmed": False,
        "note": "Secondary source: lists anesthesiology, neurology and radiology among the "
        "specialties that offer advanced (PGY-2) positions, some of them also categorical "
        "ones. No AAMC or NRMP list of advanced specialties was found in our search.",
    },
]

# The ResidencyCAS guide's note now also names its dates.
RCAS_GUIDE_NOTE = (
    "Letters of recommendation and SLOEs must be assigned to each program by hand; IMGs need "
    "an ECFMG status report. Key dates of the 2025-26 cycle: opens 4 June 2025; submit from 3 "
    "September; submit by 24 September for the best chance; programs can view applications "
    "from 1 October 2025."
)

# (season, event, date, source key, note)
KEY_DATES = [
    (2026, "eras_opens", "2025-06-04", "aamc_eras_timeline_2026", ""),
    (2026, "eras_submit", "2025-09-03", "aamc_eras_timeline_2026", ""),
    (2026, "eras_programs", "2025-09-24", "aamc_eras_timeline_2026", ""),
    (2026, "rcas_opens", "2025-06-04", "liaison_residencycas_quickstart", ""),
    (2026, "rcas_submit", "2025-09-03", "liaison_residencycas_quickstart", ""),
    (2026, "rcas_deadline", "2025-09-24", "liaison_residencycas_quickstart", ""),
    (2026, "rcas_programs", "2025-10-01", "liaison_residencycas_quickstart", ""),
    (2026, "nrmp_registration", "2025-09-15", "nrmp_2026_welcome", ""),
    (2026, "soap_starts", "2026-03-16", "nrmp_2026_welcome", ""),
    (2026, "match_day", "2026-03-20", "nrmp_2026_welcome", ""),
]

# Radiology mostly advanced; anesthesiology and neurology offer both (as the explorer had it).
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
NAMES = {"ANES": "Anesthesiology", "NEURO": "Neurology", "RAD": "diagnostic radiology"}


def install(apps, schema_editor):
    Source = apps.get_model("assessments", "Source")
    SeasonDate = apps.get_model("assessments", "SeasonDate")
    PlatformFeeSchedule = apps.get_model("assessments", "PlatformFeeSchedule")
    SpecialtyRule = apps.get_model("assessments", "SpecialtyRule")
    for row in SOURCES:
        data = dict(row, checked_on=dt.date.fromisoformat(row["checked_on"]))
        Source.objects.update_or_create(key=row["key"], defaults=data)
    Source.objects.filter(key="liaison_residencycas_quickstart").update(note=RCAS_GUIDE_NOTE)
    by_key = {s.key: s for s in Source.objects.all()}
    for season, event, date, key, note in KEY_DATES:
        if key not in by_key:
            continue
        SeasonDate.objects.update_or_create(
            season=season,
            event=event,
            defaults={"date": dt.date.fromisoformat(date), "source": by_key[key], "note": note},
        )
    # Release dates an admin entered on a fee schedule move to the key dates.
    for fees in PlatformFeeSchedule.objects.exclude(release_to_programs=None):
        if fees.platform == "ResidencyCAS":
            SeasonDate.objects.get_or_create(
                season=fees.season,
                event="rcas_programs",
                defaults={"date": fees.release_to_programs, "source": fees.source},
            )
    for code, level in START_LEVELS.items():
        SpecialtyRule.objects.filter(specialty__code=code).update(
            start_level=level, start_level_note=START_LEVEL_NOTE[level].format(name=NAMES[code])
        )


def remove(apps, schema_editor):
    SeasonDate = apps.get_model("assessments", "SeasonDate")
    PlatformFeeSchedule = apps.get_model("assessments", "PlatformFeeSchedule")
    for row in SeasonDate.objects.filter(event="rcas_programs"):
        PlatformFeeSchedule.objects.filter(platform="ResidencyCAS", season=row.season).update(
            release_to_programs=row.date
        )
    SeasonDate.objects.all().delete()
    apps.get_model("assessments", "Source").objects.filter(
        key="liaison_residencycas_quickstart"
    ).update(note=RCAS_GUIDE_NOTE.split(" Key dates")[0])
    apps.get_model("assessments", "SpecialtyRule").objects.update(
        start_level="pgy1", start_level_note=""
    )
    apps.get_model("assessments", "Source").objects.filter(
        key__in=[row["key"] for row in SOURCES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_season_dates_start_level_yog_grades"),
        ("programs", "0002_specialties"),
    ]

    operations = [migrations.RunPython(install, remove)]
