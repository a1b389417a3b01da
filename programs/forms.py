from __future__ import annotations

from typing import Any

from django import forms

from programs.models import US_STATES, ProgramType
from programs.selectors import DEFAULT_SORT, SORTS, ProgramFilters

ANY = ("", "Any")
STATE_CHOICES = [("", "Any state"), *US_STATES]

# The filter fields in layout order, with their column classes (programs/_filters.html).
COLUMNS = (
    ("q", "col-12 col-lg-4"),
    ("specialty", "col-12 col-sm-6 col-lg-3"),
    ("state", "col-6 col-sm-6 col-lg-2"),
    ("program_type", "col-6 col-sm-6 col-lg-3"),
    ("j1", "col-6 col-lg-2"),
    ("h1b", "col-6 col-lg-2"),
    ("min_img", "col-6 col-lg-3"),
    ("sort", "col-6 col-lg-3"),
)


class ProgramFilterForm(forms.Form):
    """The browser's GET filters. Invalid values are reported and then ignored."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Part of a program name, institution or city.",
    )
    specialty = forms.ChoiceField(label="Specialty", required=False)
    # A list, not a callable: the field's cached fragment (includes/cached_field.html) is
    # keyed by its choices, and a callable's would be a new object every time.
    state = forms.ChoiceField(label="State", required=False, choices=STATE_CHOICES)
    program_type = forms.ChoiceField(
        label="Program type",
        required=False,
        choices=[("", "Any type"), *ProgramType.choices],
    )
    j1 = forms.ChoiceField(
        label="J-1 visa",
        required=False,
        choices=[ANY, ("yes", "Sponsors J-1")],
        help_text="“Any” includes unknown answers.",
    )
    h1b = forms.ChoiceField(
        label="H-1B visa",
        required=False,
        choices=[ANY, ("yes", "Sponsors H-1B")],
    )
    min_img = forms.IntegerField(
        label="Minimum IMG share (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Leaves out programs whose share is unknown.",
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
    )

    def __init__(self, *args: Any, specialties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "Any specialty"), *specialties]

    def columns(self) -> list[tuple[forms.BoundField, str]]:
        """(bound field, column classes) in layout order, for the template."""
        return [(self[name], css_class) for name, css_class in COLUMNS]

    def to_filters(self) -> ProgramFilters:
        """The valid part of the input; a field with an error counts as "any"."""
        if not self.is_bound:
            return ProgramFilters()
        self.is_valid()  # runs cleaning; errors stay on the form for display
        data = self.cleaned_data
        return ProgramFilters(
            specialty=data.get("specialty") or "",
            state=data.get("state") or "",
            j1=data.get("j1") == "yes",
            h1b=data.get("h1b") == "yes",
            min_img_share=data.get("min_img"),
            program_type=data.get("program_type") or "",
            text=(data.get("q") or "").strip(),
            sort=data.get("sort") or DEFAULT_SORT,
        )

    def error_list(self) -> list[tuple[str, str]]:
        """(field label, message) of every error, in field order."""
        return [
            (str(self.fields[name].label), str(message))
            for name in self.fields
            for message in self.errors.get(name, ())
        ]
