"""Form instances share their fields' choice lists (no deep copy per form): what one form
shows never leaks into another."""

from __future__ import annotations

import pytest
from crispy_forms.utils import render_crispy_form

from assessments.forms import GoalsForm

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


def test_shared_state_choices_are_the_same_list_and_stay_whole():
    first = GoalsForm(specialties=SPECIALTIES)
    second = GoalsForm(specialties=SPECIALTIES)

    assert first.fields["preferred_states"] is not second.fields["preferred_states"]
    assert first.fields["preferred_states"].choices is second.fields["preferred_states"].choices
    first_widget = first.fields["preferred_states"].widget
    second_widget = second.fields["preferred_states"].widget
    assert first_widget.choices is second_widget.choices
    # Attributes stay each form's own (the htmx attributes differ between uses).
    first_widget.attrs["data-test"] = "x"
    assert "data-test" not in second_widget.attrs
    assert "data-test" not in GoalsForm.base_fields["preferred_states"].widget.attrs
    assert len(second.fields["preferred_states"].choices) == len(
        GoalsForm.base_fields["preferred_states"].choices
    )
    assert 'value="NY"' in render_crispy_form(second)
