"""The public methodology page, built from the rule tables and the engine's constants."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments import engine
from assessments.models import FeeSchedule, SpecialtyRule

pytestmark = pytest.mark.django_db


def page(client) -> str:
    response = client.get(reverse("assessments:methodology"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_is_public_and_shows_every_specialty_with_its_source(client):
    html = page(client)
    rules = list(SpecialtyRule.objects.select_related("specialty"))
    assert len(rules) == 13
    for rule in rules:
        assert f"({rule.specialty.code})" in html
        # On this page a note's pointer to this page is left out.
        note = rule.source_note.replace(" (explained on the methodology page)", "")
        assert note.replace("'", "&#x27;") in html
        assert f"strong from {rule.strong_min}, viable from {rule.viable_min}" in html


def test_it_shows_the_fees_and_passing_standards(client):
    html = page(client)
    fees = FeeSchedule.objects.get(active=True)
    assert f"${fees.eras_fee_first_tier}" in html and f"${fees.eras_fee_after}" in html
    assert f"({fees.season} season)" in html
    for since, score in engine.PASSING_STANDARDS:
        assert f'<td>{since.isoformat()}</td><td class="text-end">{score}</td>' in html


def test_it_explains_fit_exclusions_and_adjustments_from_the_engine_constants(client):
    html = page(client)
    assert f"at least {engine.FIT_LIKELY_MARGIN} points above" in html
    assert f"A difficulty of {engine.FIT_LIKELY_MAX} or less is" in html
    assert f"up to {engine.FIT_TARGET_MAX} " in html
    assert "university-based +1 (they screen harder)" in html
    assert f"accredited in the last {engine.FIT_NEW_PROGRAM_YEARS} years" in html
    assert f"{engine.MULTIPLE_FAILURES_HIGH_RISK} or more failed attempts" in html
    assert "Unknown never excludes." in html
    assert f"older than a season ({engine.STALE_AFTER_DAYS} days)" in html
    assert "projected" in html
    for label in (
        "Does not sponsor the visa you need",
        "Step 2 CK under the program",
        "Military program (needs US citizenship)",
        "Not accepting applications in your season",
    ):
        assert label in html


def test_an_edited_rule_shows_at_once(client):
    rule = SpecialtyRule.objects.get(specialty__code="PATH")
    rule.source_note = "Edited by an admin for this test."
    rule.strong_min = 251
    rule.save()
    html = page(client)
    assert "Edited by an admin for this test." in html
    assert "strong from 251" in html


def test_the_derived_band_offsets_and_dates_come_from_the_rule_module(client):
    from assessments import rules

    html = page(client)
    assert f"strong from the median +{rules.STRONG_OFFSET}" in html
    assert f"at risk from the median −{-rules.RISK_OFFSET}" in html
    month, day = engine.STEP2CK_TARGET_MONTH_DAY
    assert f"Take Step 2 CK by {day} " in html


def test_it_lists_every_key_date_with_its_source_and_how_missing_ones_are_estimated(client):
    html = page(client)
    assert "Key dates of each season" in html
    assert "24 September 2025" in html and "20 March 2026" in html
    assert "ERAS Timeline (2026 ERAS season)</a>, AAMC, ERAS 2026 season; checked" in html
    assert (
        'href="https://www.nrmp.org/about/news/2025/09/medical-school-welcome-newsletter-2"' in html
    )
    for rule in engine.season_date_rules():
        assert rule["rule"] in html
    assert "16 days before Match Day (a Wednesday)" in html


def test_it_shows_each_specialtys_start_level_and_years_since_graduation_grades(client):
    html = page(client)
    assert "PGY-2 (mostly advanced: a separate PGY-1 year is needed)" in html
    assert "PGY-1 or PGY-2 (categorical and advanced positions both offered)" in html
    assert "1–2, 3–5, 6 or more" in html
    assert "University of Maryland School of Medicine, a secondary source" in html


def test_it_calls_preliminary_and_transitional_specialties_one_year_positions(client):
    html = page(client)
    # Each specialty card, from its heading to the next card.
    cards = {
        code: html.split(f'id="rule-{code.lower()}-heading"')[1].split("</article>")[0]
        for code in ("GS-PRELIM", "IM-PRELIM", "TY", "EM")
    }
    for code in ("GS-PRELIM", "IM-PRELIM", "TY"):
        assert "A one-year PGY-1 position" in cards[code]
        assert "categorical: the first year is part of the training" not in cards[code]
    assert "PGY-1 (categorical: the first year is part of the training)" in cards["EM"]


def test_rule_notes_point_to_this_page_once_and_not_on_it(client):
    # 0008 reworded the inner part of "(MatchPlan assumption, see docs/rules.md)" and left
    # "are our assumptions (MatchPlan assumption (explained on the methodology page))".
    assert not SpecialtyRule.objects.filter(source_note__contains="assumptions (MatchPlan").exists()
    derived = SpecialtyRule.objects.filter(source_note__contains="are our assumptions").count()
    assert derived > 0
    html = page(client)
    assert html.count("are our assumptions. Recommended ranks") == derived
    assert "explained on the methodology page" not in html
