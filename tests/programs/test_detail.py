from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProgramFactory, specialty

pytestmark = pytest.mark.django_db


def test_the_detail_page_shows_every_fact_its_source_and_date(client: Client) -> None:
    program = ProgramFactory(
        name="Lakeside Internal Medicine Program",
        acgme_id="1400000901",
        institution="Lakeside Fictional Medical Center",
        city="Lakeside",
        state="OH",
        positions=14,
        accepting_applications="yes",
        accepting_season=2027,
        application_platform="eras",
        affiliation="none",
        j1="yes",
        h1b="no",
        img_share=62,
        step2_min=225,
        step2_typical=243,
        max_yog=5,
        accepts_failures="yes",
        requires_usce="no",
        website="https://www.example.org/lakeside",
        source="Program website",
        last_verified=dt.date(2026, 1, 15),
        notes="Interviews in November.",
    )

    response = client.get(reverse("programs:detail", args=[program.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Lakeside Internal Medicine Program",
        "1400000901",
        "Lakeside Fictional Medical Center",
        "Lakeside, Ohio (OH)",
        "Community, university-affiliated",
        "14",
        "62%",
        "225",
        "243",
        "5 years",
        'href="https://www.example.org/lakeside"',
        "Program website",
        "15 January 2026",
        "Interviews in November.",
    ]:
        assert text in html, text
    assert "Unknown" not in html.split("<footer")[0].split("Program facts")[1].replace(
        "“Unknown” means", ""
    )


def test_unknown_facts_say_unknown_and_a_never_verified_program_is_flagged(client: Client) -> None:
    program = ProgramFactory(
        acgme_id=None,
        positions=None,
        accepting_applications="unknown",
        application_platform="unknown",
        affiliation="unknown",
        j1="unknown",
        h1b="unknown",
        img_share=None,
        step2_min=None,
        step2_typical=None,
        max_yog=None,
        accepts_failures="unknown",
        requires_usce="unknown",
        website="",
        source="",
        last_verified=None,
    )

    html = client.get(reverse("programs:detail", args=[program.pk])).content.decode()

    assert html.count('class="fact fact-unknown">Unknown</span>') == 15
    assert "Never verified" in html


def test_a_stale_program_carries_a_hint(client: Client) -> None:
    stale = ProgramFactory(last_verified=timezone.localdate() - dt.timedelta(days=400))
    fresh = ProgramFactory(last_verified=timezone.localdate() - dt.timedelta(days=10))

    stale_html = client.get(reverse("programs:detail", args=[stale.pk])).content.decode()
    fresh_html = client.get(reverse("programs:detail", args=[fresh.pk])).content.decode()

    assert "Not verified in the last 12 months" in stale_html
    assert "Stale" not in fresh_html


def test_a_demo_program_says_it_is_fictional(client: Client) -> None:
    program = ProgramFactory(source=settings.DEMO_SOURCE)

    html = client.get(reverse("programs:detail", args=[program.pk])).content.decode()

    assert "This program is fictional" in html
    assert "Demo data:" in html  # the site-wide notice


def test_a_missing_program_is_404(client: Client) -> None:
    assert client.get(reverse("programs:detail", args=[999999])).status_code == 404


def test_the_page_shows_the_programs_own_track_and_says_so(client: Client) -> None:
    advanced = ProgramFactory(specialty=specialty("IM"), track="advanced")
    prelim = ProgramFactory(specialty=specialty("IM-PRELIM"), track="preliminary")

    advanced_html = client.get(reverse("programs:detail", args=[advanced.pk])).content.decode()
    prelim_html = client.get(reverse("programs:detail", args=[prelim.pk])).content.decode()

    assert "Advanced (PGY-2) <span" in advanced_html
    assert "(this program's track; its specialty's is Categorical)" in advanced_html
    assert "(categorical)" not in advanced_html
    assert "Preliminary <span" in prelim_html
    assert "(this program's track)" in prelim_html


def test_the_detail_page_shows_the_facts_a_plan_can_leave_the_program_out_for(
    client: Client,
) -> None:
    # A plan lists this program as "not accepting applications in your season" (or on
    # another platform, or military) and links here: the page must show that fact.
    program = ProgramFactory(
        accepting_applications="no",
        accepting_season=2027,
        application_platform="residencycas",
        affiliation="military",
    )

    html = client.get(reverse("programs:detail", args=[program.pk])).content.decode()

    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Accepting applications No (for applications sent in 2027, the 2028 Match)" in text
    assert "Application platform ResidencyCAS" in text
    assert "Government affiliation Military" in text
