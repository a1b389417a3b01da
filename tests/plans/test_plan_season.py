"""The plan page shows the season facts: platforms and fees, signals, sources, the kind page
for an ineligible applicant; plans saved before the season data still display."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Plan
from tests.factories import AdvisorFactory, ShareFactory, em_programs, make_plan

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
    assert ">ResidencyCAS fees</a> of the 2026 season (RAMS ResidencyCAS Information" in html
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


def test_an_ineligible_plan_neither_advises_a_parallel_plan_nor_links_to_missing_sections(
    client, owner
):
    # The hero said "High risk ...: a parallel plan is essential", the contents linked to red
    # flags, strategy, timeline and actions that the page does not have, and the program list
    # said no program "fit", as if the catalog were the reason.
    em_programs(3)
    plan = make_plan(owner, step1={"result": "fail", "attempts": 4})
    html = page(client, owner, plan)
    assert "a parallel plan is essential" not in html
    assert "Emergency Medicine: no application plan." in html
    for anchor in ("red-flags", "strategy", "ranks-dual", "timeline", "actions"):
        assert f'href="#{anchor}"' not in html
    assert 'href="#eligibility"' in html and 'id="eligibility"' in html
    assert "No program in the catalog fit" not in html
    assert "No program list: under the USMLE attempt limit" in html
    client.force_login(owner)
    printed = client.get(reverse("assessments:plan_print", args=[plan.token])).content.decode()
    assert "No program list: under the USMLE attempt limit" in printed


def test_an_ineligible_plan_shows_no_empty_program_tables_or_controls(client, owner):
    # The page, its print view and the advisor's review showed an all-zero "Programs left
    # out" table, a CSV download and the program filters for a plan that has no list at all.
    em_programs(3)
    plan = make_plan(owner, step1={"result": "fail", "attempts": 4})
    advisor = AdvisorFactory()
    ShareFactory(applicant=owner, advisor=advisor)
    client.force_login(owner)
    pages = {
        "page": page(client, owner, plan),
        "print": client.get(reverse("assessments:plan_print", args=[plan.token])),
    }
    client.force_login(advisor)
    pages["review"] = client.get(reverse("advising:plan_review", args=[plan.pk]))
    for name, html in pages.items():
        html = html if isinstance(html, str) else html.content.decode()
        assert "No program list: under the USMLE attempt limit" in html, name
        assert "Programs left out" not in html, name
        assert 'id="excluded"' not in html, name
        assert "(CSV)" not in html, name
        assert "Apply filters" not in html, name
        assert 'name="fit"' not in html, name
        assert "Catalog:" not in html, name


def test_an_eligible_plan_still_shows_its_program_controls_and_exclusions(client, owner):
    em_programs(3)
    plan = make_plan(owner)
    html = page(client, owner, plan)
    assert "Programs left out" in html and 'href="#excluded"' in html
    assert "Download programs (CSV)" in html and "Apply filters" in html


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


def test_a_projected_score_under_target_shows_both_seasons_priced_and_what_each_changes(
    client, owner
):
    """A realistic applicant: graduated five years before the season, one NBME at 226, the
    exam booked for July of next year's application season."""
    year = timezone.localdate().year + 1
    em_programs(3)
    plan = make_plan(
        owner,
        application_year=year,
        graduation_year=year - 5,
        backup_specialties=[],
        sloes=2,
        us_letters=3,
        step2ck={
            "score": None,
            "attempts": 1,
            "planned_date": f"{year}-07-20",
            "practice_scores": [{"score": 226, "form": "NBME 12"}],
        },
    )
    choice = plan.output["season_choice"]
    assert choice["triggers"] == ["projected_below_target"]
    now, later = choice["options"]
    assert (now["season"], later["season"]) == (year + 1, year + 2)
    assert (now["yog_grade"], later["yog_grade"]) == ("within", "just_past")
    html = page(client, owner, plan)
    assert "Apply this season or next?" in html
    assert "latest practice score (226) is 12 points under the 238" in html
    assert f"Apply this season (Match {year + 1})" in html
    assert f"Strengthen and apply next season (Match {year + 2})" in html
    assert f"the {year + 2} season&#x27;s are not confirmed yet" in html
    assert "One more year since graduation: 6 instead of 5" in html
    assert "238 for a viable application, 245 for a strong one" in html
    assert "Estimated (the third Friday of March)" in html  # the timeline says so too


def test_the_signal_marks_are_read_once_per_view(monkeypatch):
    """The program table asks for every row's signal: the map is built once, not per row."""
    from assessments.plans import view as view_module

    output = {
        "signals": [
            {"proposed": [{"program_id": 7, "kind": "gold"}, {"program_id": 8}]},
            {"proposed": [{"program_id": "x"}]},
        ]
    }
    pv = view_module.build_plan_view(output)
    reads = []
    real = view_module.as_list
    monkeypatch.setattr(view_module, "as_list", lambda value: reads.append(1) or real(value))
    assert pv.signal_ids == {7: "gold", 8: "signal"}
    first = len(reads)
    for _row in range(50):
        assert pv.signal_ids.get(7) == "gold"
    assert len(reads) == first


def test_the_budget_note_says_what_the_budget_covers_once(client, owner):
    # It read "Your budget: $1,500. It is $X short of the lower end. Your budget of $1,500 is
    # $X short of the lower end of the plan ($Y)."
    em_programs(3)
    plan = make_plan(owner, budget_usd=500, backup_specialties=[])
    html = page(client, owner, plan)
    assert html.count("short of the lower end") == 2  # the key facts, and the note
    assert "Your budget of $500 is $" in html
    assert "Your budget: $500." not in html


def test_the_print_view_opens_the_sources_and_the_programs_left_out(client, owner):
    # Paper prints a closed <details> as its summary line only: the printed plan said
    # "every source is listed at the end of the plan" above a bare "Sources of this plan's
    # rules", and named the programs left out without listing them.
    em_programs(3)
    em_programs(1, name="Closed Door Program", j1="no", h1b="no")
    plan = make_plan(owner)
    client.force_login(owner)
    printed = client.get(reverse("assessments:plan_print", args=[plan.token])).content.decode()
    screen = page(client, owner, plan)

    assert '<details class="mb-2" open>' in printed
    assert '<details class="mb-2 plan-excluded-programs" open>' in printed
    assert "Closed Door Program" in printed
    assert " open>" not in screen  # the page keeps them folded
