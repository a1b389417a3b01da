"""The wizard forms' markup, built in Python: the same HTML as crispy-forms' bootstrap5 pack.

crispy renders every field through a stack of templates, and every radio button or checkbox
through its own (the goals step has 56 state boxes and two specialty lists): about 7-25 ms
a page. This module walks the same crispy ``Layout`` (Fieldset, Div, field names) and writes
the markup bootstrap5's ``field.html``, ``radio_checkbox_select.html``,
``help_text_and_errors.html``, ``fieldset.html`` and ``div.html`` write, with Django's own
widget attributes (``BoundField.build_widget_attrs``, ``ChoiceWidget.optgroups``), so labels,
ids, legends, help text, ``aria-describedby``, ``aria-invalid``, error blocks and the htmx
attributes are those crispy renders. ``tests/wizard/test_form_html.py`` checks that the two
are the same HTML for every step in valid, invalid, unbound and refreshed states; a layout
object or widget this module does not know falls back to crispy itself.
"""

from __future__ import annotations

from html import escape as _escape
from typing import TYPE_CHECKING, Any

from crispy_forms.layout import Div, Fieldset, Layout
from crispy_forms.utils import render_field as crispy_render_field
from django import forms
from django.template import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from assessments.forms import WizardForm

_INPUTS = (forms.TextInput, forms.NumberInput, forms.DateInput)
_CHOICE_LISTS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _e(value: Any) -> str:
    """conditional_escape without the lazy-string wrapper (it is called thousands of times)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's widgets/attrs.html: True is a bare attribute, False is left out."""
    parts = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{_e(str(value))}"')
    return "".join(parts)


def _errors_block(bound: forms.BoundField, *, tag: str) -> str:
    errors = bound.errors
    items = "".join(
        f'<{tag} id="error_{number}_{bound.auto_id}"><strong>{_e(error)}</strong></{tag}>'
        for number, error in enumerate(errors, start=1)
    )
    return f'<div id="{errors.field_id}_error" class="invalid-feedback">{items}</div>'


def _help_text(bound: forms.BoundField) -> str:
    if not bound.help_text:
        return ""
    # crispy marks help text safe (|safe); ours is plain text written in forms.py.
    return f'<div id="{bound.auto_id}_helptext" class="form-text">{bound.help_text}</div>'


def _widget_class(widget: forms.Widget, extra: str) -> str:
    """What crispy's {% crispy_field field 'class' ... %} leaves in the widget's class."""
    name = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    if css:
        if css.find(name) == -1:
            css += f" {name}"
    else:
        css = name
    for part in extra.split():
        if part not in css.split():
            css += f" {part}"
    # crispy writes it back into the widget; do the same so both agree on a second render.
    widget.attrs["class"] = css
    return css


def _label(bound: forms.BoundField, *, legend: bool) -> str:
    required = bound.field.required
    star = '<span class="asteriskField">*</span>' if required else ""
    css = "form-label" + (" requiredField" if required else "") + (" fs-6" if legend else "")
    text = _e(bound.label)
    if legend:
        return f'<legend class="{css}">{text}{star}</legend>'
    target = bound.id_for_label
    for_attr = f' for="{target}"' if target else ""
    return f'<label{for_attr} class="{css}">{text}{star}</label>'


def _input(bound: forms.BoundField, widget: forms.Input) -> str:
    css = _widget_class(widget, "form-control is-invalid" if bound.errors else "form-control")
    attrs = bound.build_widget_attrs({**widget.attrs, "class": css})
    attrs.setdefault("id", bound.auto_id)
    value = widget.format_value(bound.value())
    value_attr = "" if value is None else f' value="{_e(str(value))}"'
    return f'<input type="{widget.input_type}" name="{bound.html_name}"{value_attr}{_attrs(attrs)}>'


def _select(bound: forms.BoundField, widget: forms.Select) -> str:
    css = _widget_class(widget, "form-select is-invalid" if bound.errors else "form-select")
    attrs = bound.build_widget_attrs({**widget.attrs, "class": css})
    attrs.setdefault("id", bound.auto_id)
    selected = set(widget.format_value(bound.value()))
    options = []
    for value, label in widget.choices:
        text = "" if value is None else str(value)
        mark = " selected" if text in selected else ""
        options.append(f'<option value="{_e(text)}"{mark}>{_e(label)}</option>')
    return f'<select name="{bound.html_name}"{_attrs(attrs)}>{"".join(options)}</select>'


def _choice_list(bound: forms.BoundField, widget: forms.ChoiceWidget, show_errors: bool) -> str:
    """bootstrap5/layout/radio_checkbox_select.html, one <div class="form-check"> per option.

    The options' attributes are what ``ChoiceWidget.create_option`` gives them (the widget's
    attributes, ``required``/``aria-invalid`` from the field, ``id_<n>``, ``checked``); the
    part shared by every option is built once.
    """
    id_ = widget.attrs.get("id") or bound.auto_id
    shared = widget.build_attrs(widget.attrs, bound.build_widget_attrs({}))
    shared.pop("id", None)
    shared_html = _attrs(shared)
    values = set(widget.format_value(bound.value()))
    input_class = "form-check-input is-invalid" if bound.errors else "form-check-input"
    input_type = widget.input_type
    name = bound.html_name
    choices = list(widget.choices)
    # ValueIdCheckboxSelectMultiple names each box by its value (see its docstring)
    option_id_of = getattr(widget, "option_id", None)
    parts = ["<div >"]
    last = len(choices) - 1
    for index, (value, label) in enumerate(choices):
        text = "" if value is None else str(value)
        if not id_:
            option_id = ""
        elif option_id_of is not None:
            option_id = option_id_of(id_, text)
        else:
            option_id = f"{id_}_{index}"
        id_html = f' id="{option_id}"' if option_id else ""
        checked = " checked" if text in values else ""
        errors = ""
        if index == last and show_errors and bound.errors:
            errors = _errors_block(bound, tag="p")
        parts.append(
            f'<div class="form-check"><input type="{input_type}" class="{input_class}" '
            f'name="{name}" value="{_e(text)}"{shared_html}{id_html}{checked}>'
            f'<label for="{option_id}" class="form-check-label">{_e(label)}</label>'
            f"{errors}</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def render_bound_field(bound: forms.BoundField, *, show_errors: bool = True) -> SafeString:
    """One field as bootstrap5's field.html renders it (vertical form, labels shown)."""
    widget = bound.field.widget
    if isinstance(widget, _CHOICE_LISTS):
        describedby = bound.aria_describedby
        describedby_attr = f' aria-describedby="{describedby}"' if describedby else ""
        body = (
            f"<fieldset{describedby_attr}>{_label(bound, legend=True)}"
            f"{_choice_list(bound, widget, show_errors)}{_help_text(bound)}</fieldset>"
        )
    else:
        if isinstance(widget, forms.Select):
            control = _select(bound, widget)
        else:
            control = _input(bound, widget)
        errors = _errors_block(bound, tag="span") if show_errors and bound.errors else ""
        body = f"{_label(bound, legend=False)}{control}{errors}{_help_text(bound)}"
    # Safe: every label, value, help text and error went through _e or format_html above;
    # only ids and classes that our own form and layout code name are put in unescaped.
    return mark_safe(f'<div id="div_{bound.auto_id}" class="mb-3">{body}</div>')  # noqa: S308  # nosec B308, B703


def _supported(bound: forms.BoundField) -> bool:
    widget = bound.field.widget
    return (
        bound.label
        and not widget.is_hidden
        and (
            type(widget) in _INPUTS
            or (
                (isinstance(widget, _CHOICE_LISTS) or type(widget) is forms.Select)
                # option groups: crispy's markup for them is left to crispy
                and not any(isinstance(label, list | tuple) for _value, label in widget.choices)
            )
        )
    )


def render_field(form: WizardForm, name: str) -> SafeString:
    """One field of a wizard form, e.g. for the answer to a field check."""
    bound = form[name]
    show_errors = form.helper.form_show_errors
    if _supported(bound):
        return render_bound_field(bound, show_errors=show_errors)
    # crispy renders through Django templates, which escaped it (some versions return str)
    return mark_safe(  # noqa: S308  # nosec B308, B703
        crispy_render_field(
            name,
            form,
            Context({"form_show_errors": show_errors, "form_show_labels": True}),
        )
    )


def _render_item(form: WizardForm, item: Any) -> str:
    if isinstance(item, str):
        return render_field(form, item) if item in form.fields else ""
    if isinstance(item, Fieldset):
        attrs = "".join(
            f' {name}="{value}"'
            for name, value in (("id", item.css_id), ("class", item.css_class))
            if value
        )
        legend = format_html("<legend>{}</legend>", item.legend) if item.legend else ""
        inner = "".join(_render_item(form, field) for field in item.fields)
        return f"<fieldset{attrs}{_flat(item)}>{legend}{inner}</fieldset>"
    if isinstance(item, Div) and type(item) is Div:
        attrs = "".join(
            f' {name}="{value}"'
            for name, value in (("id", item.css_id), ("class", item.css_class))
            if value
        )
        inner = "".join(_render_item(form, field) for field in item.fields)
        return f"<div{attrs}{_flat(item)}>{inner}</div>"
    raise TypeError(f"form_html cannot render {type(item).__name__}")


def _flat(item: Any) -> str:
    flat = getattr(item, "flat_attrs", "")
    return f" {flat}" if flat else ""


def render_form(form: WizardForm) -> SafeString:
    """The fields of a wizard form as `{% crispy form %}` renders them (no <form> tag)."""
    layout: Layout = form.helper.layout
    errors = ""
    if form.helper.form_show_errors and form.non_field_errors():
        items = "".join(format_html("<li>{}</li>", e) for e in form.non_field_errors())
        errors = f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
    fields = "".join(_render_item(form, item) for item in layout.fields)
    # Both parts are built from render_field's safe strings, format_html and our own layout
    return mark_safe(errors + fields)  # noqa: S308  # nosec B308, B703
