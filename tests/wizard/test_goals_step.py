"""The goals step: errors next to their fields, and specialties offered as plain choices
read once per request (a new specialty is offered at once, a removed one refused)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Specialty
from tests.factories import step_post_data
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db


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


def test_the_application_year_names_its_season_as_the_plan_does(client, walk):
    # The plan says "you apply in the 2028 season (the Match of March 2028)" for answers
    # sent in 2027: the wizard called 2027 itself "the ERAS season".
    walk(client, upto="goals")
    year = step_post_data("goals")["application_year"]
    html = client.get(step_url("goals")).content.decode()
    assert "(ERAS season)" not in html
    assert f"{year} (the {int(year) + 1} season, Match in March {int(year) + 1})" in html
    review = client.get(step_url("review")).content.decode()
    assert f"{year} (the {int(year) + 1} season, Match in March {int(year) + 1})" in review


def test_the_budget_help_names_every_fee_the_plan_counts(client, walk):
    # The plan's cost counts the platform (ResidencyCAS for EM), the USMLE transcript, the
    # ECFMG token and the NRMP; the help asked only for "ERAS and NRMP fees".
    walk(client, upto="experience")
    html = client.get(step_url("goals")).content.decode()
    help_text = html.split('id="id_budget_usd_helptext"', 1)[1].split("</div>", 1)[0]
    for fee in ("ResidencyCAS", "USMLE transcript", "ECFMG token", "NRMP registration"):
        assert fee in help_text
