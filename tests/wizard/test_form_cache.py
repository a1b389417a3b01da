"""A step's form is cached in the shared cache per exact answers (served only to a request
holding the same answers); a form showing errors never is, and the cached markup follows the
specialties and the date."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.test import Client
from django.utils import timezone

from programs.models import Specialty
from tests.factories import step_post_data
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db


def fields_of(html: str) -> str:
    """The form fields' region of a step page."""
    return html.split('id="wizard-fields"')[1].split('class="wizard-nav"')[0]


def cached_fragment(response) -> str | None:
    """The form markup the shared cache holds under this page's key (None: not cached)."""
    key = response.context["form_key"]
    return cache.get(make_template_fragment_key("wizard_form", [key])) if key else None


def input_tag(html: str, id_: str) -> str:
    match = re.search(rf'<input[^>]*\bid="{id_}"[^>]*>', html)
    assert match, id_
    return match.group(0)


def test_an_empty_form_is_cached_and_served_the_same_to_the_next_visitor(client):
    first = client.get(step_url("background"))
    fragment = cached_fragment(first)
    assert fragment is not None
    assert 'id="id_country"' in fragment
    assert fragment.strip() in fields_of(first.content.decode())

    second = Client().get(step_url("background"))
    assert fields_of(second.content.decode()) == fields_of(first.content.decode())


def test_saved_answers_are_cached_for_those_answers_only(client, walk):
    walk(client, upto="background", background={"country": "Atlantis"})
    mine = client.get(step_url("background"))
    assert 'value="Atlantis"' in mine.content.decode()
    assert 'value="Atlantis"' in (cached_fragment(mine) or "")
    again = client.get(step_url("background"))
    assert fields_of(again.content.decode()) == fields_of(mine.content.decode())

    theirs = Client().get(step_url("background"))
    assert "Atlantis" not in theirs.content.decode()
    assert "Atlantis" not in (cached_fragment(theirs) or "")
    assert cached_fragment(theirs) != cached_fragment(mine)


def test_changed_answers_are_drawn_anew(client, walk):
    walk(client, upto="background", background={"country": "Atlantis"})
    assert 'value="Atlantis"' in client.get(step_url("background")).content.decode()
    walk(client, upto="background", background={"country": "Narnia"})
    html = client.get(step_url("background")).content.decode()
    assert 'value="Narnia"' in html and "Atlantis" not in html


def test_errors_of_a_post_are_not_shown_to_the_next_visitor(client):
    Client().get(step_url("background"))  # the empty form is cached
    posted = client.post(step_url("background"), {"country": "<b>Land</b>", "graduation_year": "x"})
    assert "Enter a whole number." in posted.content.decode()
    assert 'aria-invalid="true"' in posted.content.decode()

    html = Client().get(step_url("background")).content.decode()
    assert "Land" not in html
    assert "aria-invalid" not in html
    assert "is-invalid" not in html


def test_a_new_specialty_appears_on_a_cached_empty_goals_form(client, walk):
    walk(client, upto="experience")
    assert "Dermatology" not in client.get(step_url("goals")).content.decode()

    Specialty.objects.create(code="DERM", name="Dermatology")
    html = client.get(step_url("goals")).content.decode()
    assert '<option value="DERM">Dermatology (DERM)</option>' in html
    assert 'id="id_backup_specialties_DERM"' in html


def test_the_cached_form_follows_the_date(client, monkeypatch):
    def on(day: dt.date) -> str:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return Client().get(step_url("background")).content.decode()

    assert 'max="2031"' in on(dt.date(2030, 12, 31))
    assert 'max="2032"' in on(dt.date(2031, 1, 1))


def test_a_region_refresh_and_a_field_check_render_the_posted_values(client, walk):
    walk(client, upto="experience")
    client.get(step_url("goals"))  # the empty goals form is cached
    data = step_post_data("goals", specialty="IM", backup_specialties=["FM"]) | {
        "_refresh": "specialty"
    }
    region = client.post(step_url("goals"), data, headers={"HX-Request": "true"}).content.decode()
    # the primary specialty is not offered as a backup, the ticked box stays ticked and kept
    assert 'id="id_backup_specialties_IM"' not in region
    assert 'id="id_backup_specialties_FM"' in region
    kept = input_tag(region, "id_backup_specialties_FM")
    assert " checked" in kept
    assert 'hx-preserve="true"' in kept

    check = client.post(
        step_url("goals"),
        step_post_data("goals", budget_usd="-5") | {"_validate": "budget_usd"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'id="div_id_budget_usd"' in check
    assert "Enter an amount from 0 to 100,000 dollars." in check
    assert 'aria-invalid="true"' in check
    assert 'value="-5"' in check
