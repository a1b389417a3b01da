"""The wizard's Python-built form markup (assessments/form_html.py) is crispy's markup.

Every step's form is rendered both ways, in the states a visitor meets (unbound, saved,
invalid, a region refreshed without errors, with and without the htmx attributes), and the
two must parse to the same HTML (attribute order and whitespace aside).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from crispy_forms.utils import render_crispy_form
from django.db import connection
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext

from assessments.forms import BackgroundForm, ExamsForm, ExperienceForm, GoalsForm, WizardForm
from programs.models import Specialty
from tests.wizard.conftest import step_url
from tests.wizard.factories import complete_answers, step_post_data

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
FORMS: dict[str, type[WizardForm]] = {
    "background": BackgroundForm,
    "exams": ExamsForm,
    "experience": ExperienceForm,
    "goals": GoalsForm,
}

STATES: list[tuple[str, dict[str, Any] | None]] = [
    ("background", None),
    ("background", step_post_data("background")),
    ("background", {"country": "<b>Land</b>", "graduation_year": "x", "ecfmg_certified": "yes"}),
    ("background", step_post_data("background", ecfmg_certified="yes", oet="no")),
    ("exams", None),
    ("exams", step_post_data("exams")),
    ("exams", {"step1_result": "pass", "step2ck_taken": "yes", "step2ck_test_date": "2001-1-1"}),
    ("exams", {"step1_result": "not_taken", "step2ck_taken": "no", "step3_result": "pass"}),
    ("experience", None),
    ("experience", step_post_data("experience")),
    ("experience", {"usce_hands_on_months": "-1", "observership_months": "1.55", "sloes": "4"}),
    ("goals", None),
    ("goals", step_post_data("goals")),
    ("goals", step_post_data("goals", specialty="IM", backup_specialties=["IM", "FM"])),
    (
        "goals",
        {"specialty": "nope", "backup_specialties": ["EM", "IM", "FM", "X"], "budget_usd": "a"},
    ),
]


def _same_html(ours: str, crispys: str) -> None:
    assert parse_html(ours) == parse_html(crispys)


def _pair(step: str, data: dict[str, Any] | None, **kwargs: Any) -> tuple[WizardForm, WizardForm]:
    answers = complete_answers(TODAY)
    form_class = FORMS[step]
    return (
        form_class(data, answers=answers, today=TODAY, **kwargs),
        form_class(data, answers=answers, today=TODAY, **kwargs),
    )


@pytest.mark.parametrize("htmx_url", [None, "/assessment/step/"])
@pytest.mark.parametrize(("step", "data"), STATES)
def test_a_step_form_renders_as_crispy_renders_it(step, data, htmx_url):
    ours, crispys = _pair(step, data, htmx_url=htmx_url)
    html = ours.as_html()
    _same_html(html, render_crispy_form(crispys))
    _same_html(ours.as_html(), html)  # a second render is the same (crispy edits widget classes)


@pytest.mark.parametrize(("step", "data"), [s for s in STATES if s[1] is not None])
def test_a_refreshed_region_renders_as_crispy_renders_it(step, data):
    ours, crispys = _pair(step, data, htmx_url="/assessment/step/")
    for form in (ours, crispys):
        form.helper.form_show_errors = False
        form.preserve_inputs()
    _same_html(ours.as_html(), render_crispy_form(crispys))


@pytest.mark.parametrize(("step", "data"), [s for s in STATES if s[1] is not None])
def test_a_checked_field_renders_as_crispy_renders_it(step, data):
    ours, crispys = _pair(step, data, htmx_url="/assessment/step/")
    for name in ours.fields:
        _same_html(ours.field_html(name), as_crispy_field(crispys[name]))


def test_the_goals_step_shows_errors_next_to_their_fields(client, walk):
    walk(client, upto="experience")
    data = step_post_data("goals", backup_specialties=["IM", "FM", "PEDS", "PSYCH"])
    html = client.post(step_url("goals"), data).content.decode()
    assert 'id="id_backup_specialties_error"' in html
    assert "Choose at most 3 backups." in html
    assert 'aria-describedby="id_backup_specialties_helptext id_backup_specialties_error"' in html
    assert "{% " not in html and "{{" not in html


# --- specialties as plain choices -------------------------------------------------------


def test_a_new_specialty_is_offered_and_accepted_at_once(client, walk):
    walk(client, upto="experience")
    Specialty.objects.create(code="DERM", name="Dermatology")

    html = client.get(step_url("goals")).content.decode()
    assert '<option value="DERM">Dermatology (DERM)</option>' in html
    assert 'value="DERM"' in html.split('id="div_id_backup_specialties"')[1]

    response = client.post(
        step_url("goals"), step_post_data("goals", specialty="DERM", backup_specialties=["EM"])
    )
    assert response.status_code == 302


def test_a_removed_specialty_is_no_longer_accepted(client, walk):
    walk(client, upto="experience")
    derm = Specialty.objects.create(code="DERM", name="Dermatology")
    assert "Dermatology (DERM)" in client.get(step_url("goals")).content.decode()
    derm.delete()
    response = client.post(step_url("goals"), step_post_data("goals", specialty="DERM"))
    assert response.status_code == 200
    assert "Choose a specialty from the list." in response.content.decode()


def test_backups_are_saved_once_each_in_name_order(client, walk):
    from assessments.models import AssessmentDraft

    walk(client, upto="experience")
    data = step_post_data("goals", specialty="EM", backup_specialties=["PEDS", "IM", "PEDS"])
    assert client.post(step_url("goals"), data).status_code == 302
    assert AssessmentDraft.objects.get().answers["backup_specialties"] == ["IM", "PEDS"]


def test_the_review_names_the_specialties_without_their_codes(client, walk):
    walk(client)
    html = client.get(step_url("review")).content.decode()
    assert "<dd>Emergency Medicine</dd>" in html
    assert "<dd>Internal Medicine</dd>" in html


@pytest.mark.parametrize("step", ["goals", "review"])
def test_the_specialties_are_read_once_per_request(client, walk, step):
    walk(client)
    with CaptureQueriesContext(connection) as context:
        assert client.get(step_url(step)).status_code == 200
    table = Specialty._meta.db_table
    reads = [q["sql"] for q in context.captured_queries if table in q["sql"]]
    assert len(reads) == 1, reads
    assert "CURSOR" not in reads[0].upper()


@pytest.mark.parametrize("step", ["background", "exams", "experience"])
def test_the_other_steps_do_not_read_the_specialties_after_the_goals_are_done(client, walk, step):
    walk(client, upto="experience")
    with CaptureQueriesContext(connection) as context:
        assert client.get(step_url(step)).status_code == 200
    table = Specialty._meta.db_table
    assert not [q for q in context.captured_queries if table in q["sql"]]
