"""Each form instance has its own fields and choices: what one form shows never leaks into
another."""

from __future__ import annotations

import pytest
from crispy_forms.utils import render_crispy_form

from assessments.forms import GoalsForm
from programs.models import US_STATES

pytestmark = pytest.mark.django_db

SPECIALTIES = {"EM": "Emergency Medicine", "FM": "Family Medicine", "IM": "Internal Medicine"}


def backup_codes(form: GoalsForm) -> list[str]:
    return [value for value, _label in form.fields["backup_specialties"].widget.choices]


def test_each_form_offers_its_own_backups_and_the_class_keeps_none():
    em = GoalsForm({"specialty": "EM"}, specialties=SPECIALTIES)
    im = GoalsForm({"specialty": "IM"}, specialties=SPECIALTIES)
    plain = GoalsForm(specialties=SPECIALTIES)

    assert backup_codes(em) == ["FM", "IM"]
    assert backup_codes(im) == ["EM", "FM"]
    assert backup_codes(plain) == ["EM", "FM", "IM"]
    assert list(GoalsForm.base_fields["backup_specialties"].choices) == []


def test_state_choices_stay_whole_and_attributes_stay_each_forms_own():
    first = GoalsForm(specialties=SPECIALTIES)
    second = GoalsForm(specialties=SPECIALTIES)

    assert first.fields["preferred_states"] is not second.fields["preferred_states"]
    # Attributes stay each form's own (the htmx attributes differ between uses).
    first.fields["preferred_states"].widget.attrs["data-test"] = "x"
    assert "data-test" not in second.fields["preferred_states"].widget.attrs
    assert "data-test" not in GoalsForm.base_fields["preferred_states"].widget.attrs
    assert len(list(second.fields["preferred_states"].choices)) == len(US_STATES)
    html = render_crispy_form(second)
    assert 'value="NY"' in html
    assert 'value="WY"' in html


def test_a_state_outside_the_list_is_refused():
    form = GoalsForm({"preferred_states": ["NY", "XX"]}, specialties=SPECIALTIES)

    form.is_valid()

    assert "preferred_states" in form.errors
    assert "XX" in form.errors["preferred_states"][0]
