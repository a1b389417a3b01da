"""The plan page shows the season facts: platforms and fees, signals, sources, the kind page
for an ineligible applicant; plans saved before the season data still display."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Plan
from tests.plans.factories import em_programs, make_plan

pytestmark = pytest.mark.django_db


def page(client, owner, plan: Plan) -> str:
    client.force_login(owner)
    response = client.get(reverse("assessments:plan_detail", args=[plan.token]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_em_plan_shows_residencycas_fees_signals_and_sources(client, owner):
    em_programs(3, name="Target Program", step2_typical=240, img_share=40)
    plan = make_plan(owner, step2ck__score=240, backup_specialties=[])
    html = page(client, owner, plan)
    assert "applies on ResidencyCAS" in html
    assert "ResidencyCAS applications (EM)" in html
    assert "USMLE transcript on ResidencyCAS" in html
    assert "Program signals" in html and "home or away rotation" in html
    assert "Signal</span>" in html  # the proposed programs are marked in the table
    assert 'href="https://www.saem.org/' in html  # a source a user can open
    assert "not confirmed from the primary source" in html
    assert "Submit ERAS" not in html
    assert "docs/" not in html  # no user-facing text points to a repository file


def test_four_failed_step1_attempts_show_a_kind_page_without_programs(client, owner):
    em_programs(3)
    plan = make_plan(owner, step1={"result": "fail", "attempts": 4})
    html = page(client, owner, plan)
    assert "Before any application plan" in html
    assert "ineligible to apply for any USMLE Step" in html
    assert "What you can still do" in html
    assert "Estimated cost" not in html
    assert plan.output["eligibility"]["eligible"] is False


def test_a_plan_saved_before_the_season_data_still_displays(client, owner):
    em_programs(2)
    plan = make_plan(owner)
    old = dict(plan.output)
    for key in ("season", "signals", "eligibility", "sources", "pgy1", "season_choice"):
        old.pop(key, None)
    apps = dict(old["applications"])
    apps.pop("notes", None)
    apps["cost_breakdown"] = {
        "eras": {"min": 1000, "max": 1500},
        "usmle_transcript": 80,
        "nrmp": {"min": 95, "max": 95},
    }
    old["applications"] = apps
    plan.output = old
    plan.save(update_fields=["output"])
    html = page(client, owner, plan)
    assert "ERAS, every specialty" in html and "Program signals" not in html
    assert "Red flags" in html


def test_a_shortfall_of_fitting_programs_is_said_next_to_the_count(client, owner):
    em_programs(3)
    plan = make_plan(owner)
    html = page(client, owner, plan)
    keyfacts = html.split('class="plan-keyfacts"', 1)[1].split("</dl>", 1)[0]
    assert 'href="#plan-shortfall">Fewer programs in our list fit' in keyfacts
    note = html.split('id="plan-shortfall">', 1)[1].split("</p>", 1)[0]
    assert "only 3 EM programs in our list fit your answers" in note
    assert "Widen your preferred states or program types" in note
