from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Layout, Row
from crispy_forms.utils import render_crispy_form
from django import forms
from django.utils.safestring import SafeString, mark_safe

from programs.models import US_STATES, ProgramType
from programs.selectors import DEFAULT_SORT, SORTS, ProgramFilters

ANY = ("", "Any")

# The filter fields in layout order, with their column classes.
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
# Separates the pieces of the form's markup skeleton (never in rendered HTML).
SLOT = "\x00"
# Longer values (more than the search field accepts) are rendered without being cached.
MAX_CACHED_VALUE = 100


class _ChoiceField(forms.ChoiceField):
    """A ChoiceField whose copy in each form shares the choice tuples (they are immutable)
    instead of deep-copying them: copying the 57 states took a visible part of a request."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _ChoiceField:
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = list(self._choices)
        return result


class ProgramFilterForm(forms.Form):
    """The browser's GET filters. Invalid values are reported and then ignored."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Part of a program name, institution or city.",
    )
    specialty = _ChoiceField(label="Specialty", required=False)
    state = _ChoiceField(label="State", required=False, choices=[("", "Any state"), *US_STATES])
    program_type = _ChoiceField(
        label="Program type",
        required=False,
        choices=[("", "Any type"), *ProgramType.choices],
    )
    j1 = _ChoiceField(
        label="J-1 visa",
        required=False,
        choices=[ANY, ("yes", "Sponsors J-1")],
        help_text="“Any” includes unknown answers.",
    )
    h1b = _ChoiceField(
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
    sort = _ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
    )

    def __init__(self, *args: Any, specialties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "Any specialty"), *specialties]

    @cached_property
    def helper(self) -> FormHelper:
        """Crispy's layout; built when the form is rendered whole, which pages seldom do."""
        return _helper(
            Layout(
                Row(*(Column(name, css_class=css_class) for name, css_class in COLUMNS)),
                Div(
                    # No name attribute: the button should not add itself to the shared URL.
                    HTML('<button type="submit" class="btn btn-primary">Apply filters</button>'),
                    HTML(
                        '<span class="small text-body-secondary">'
                        "With JavaScript on, results update as you change a filter.</span>"
                    ),
                    css_class="program-filters-actions",
                ),
            )
        )

    def to_filters(self) -> ProgramFilters:
        """The valid part of the input; a field with an error counts as "any"."""
        self.is_valid()  # runs cleaning; errors stay on the form for display
        return _filters(self.cleaned_data)


def _filters(data: Mapping[str, Any]) -> ProgramFilters:
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


@dataclass(frozen=True)
class FilterInput:
    """What ProgramFilterForm makes of some input, worked out field by field.

    Each field's cleaned value, errors and markup depend only on its own raw value (the
    form has no cross-field validation) and, for the specialty menu, on the specialties:
    so they are computed once per field, value and specialty list, and a new combination
    of filters costs neither a form nor any rendering.
    """

    data: Mapping[str, Any]
    specialties: tuple[tuple[str, str], ...]
    filters: ProgramFilters
    # (field label, message) of every error, in the form's field order
    errors: tuple[tuple[str, str], ...]

    def fields_html(self) -> SafeString:
        """The same markup as ``{% crispy form %}`` for this input."""
        skeleton = _skeleton(self.specialties)
        if skeleton is None:  # the layout could not be split: render it whole
            form = ProgramFilterForm(self.data, specialties=list(self.specialties))
            return render_crispy_form(form, form.helper)
        pieces = list(skeleton)
        # Odd pieces name a field.
        for index in range(1, len(pieces), 2):
            name = pieces[index]
            pieces[index] = _cached(_field_html, name, self.data.get(name), self.specialties)
        # Every piece was rendered (and escaped) by the template engine.
        return mark_safe("".join(pieces))  # noqa: S308  # nosec B308 B703


def filter_input(data: Mapping[str, Any], *, specialties: Sequence[tuple[str, str]]) -> FilterInput:
    """The filters and errors of ``data`` (e.g. request.GET), as the form would find them."""
    specialties = tuple(specialties)
    cleaned: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for name, _css_class in COLUMNS:
        # As the widgets read it: one value per name, the last one given.
        value, field_errors, label = _cached(_field_outcome, name, data.get(name), specialties)
        if field_errors:
            errors.extend((label, message) for message in field_errors)
        else:
            cleaned[name] = value
    return FilterInput(
        data=data, specialties=specialties, filters=_filters(cleaned), errors=tuple(errors)
    )


def _cached(function: Any, name: str, value: Any, specialties: tuple[tuple[str, str], ...]) -> Any:
    """``function`` through its cache, except for odd input (a long text, a list) that is
    computed and not kept."""
    if value is None or (isinstance(value, str) and len(value) <= MAX_CACHED_VALUE):
        return function(name, value, specialties)
    return function.__wrapped__(name, value, specialties)


@lru_cache(maxsize=4096)
def _field_outcome(
    name: str, value: str | None, specialties: tuple[tuple[str, str], ...]
) -> tuple[Any, tuple[str, ...], str]:
    """One field's cleaned value, error messages and label for one raw value."""
    form = ProgramFilterForm({} if value is None else {name: value}, specialties=list(specialties))
    form.is_valid()
    messages = tuple(str(message) for message in form.errors.get(name, ()))
    return form.cleaned_data.get(name), messages, str(form.fields[name].label)


def _helper(layout: Layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form> and its htmx attributes
    helper.disable_csrf = True
    helper.layout = layout
    return helper


@lru_cache(maxsize=4096)
def _field_html(name: str, value: str | None, specialties: tuple[tuple[str, str], ...]) -> str:
    """One field's crispy markup for one raw value (None: absent), errors included."""
    form = ProgramFilterForm({} if value is None else {name: value}, specialties=list(specialties))
    return str(render_crispy_form(form, _helper(Layout(name)))).strip()


@lru_cache(maxsize=8)
def _skeleton(specialties: tuple[tuple[str, str], ...]) -> tuple[str, ...] | None:
    """The whole form's markup split around its fields: text, name, text, name, ..., text.

    Cut from a real rendering of the form, so the layout's markup stays crispy's; None if
    a field's markup is not found exactly once in it.
    """
    form = ProgramFilterForm({}, specialties=list(specialties))
    html = str(render_crispy_form(form, form.helper))
    if SLOT in html:
        return None
    for name, _css_class in COLUMNS:
        piece = _field_html(name, None, specialties)
        if html.count(piece) != 1:
            return None
        html = html.replace(piece, f"{SLOT}{name}{SLOT}")
    return tuple(html.split(SLOT))
