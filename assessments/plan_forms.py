"""Forms of the saved-plan pages: the program filters, the what-if panel and the comparison."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.utils import timezone

from assessments.models import Plan
from assessments.plans.queries import plans_of
from assessments.plans.table import SORTS, VISA_FILTERS, ProgramQuery
from assessments.plans.view import PlanView
from assessments.plans.words import FIT_WORDS, tier_word
from assessments.profile import MAX_SCORE, MIN_SCORE, VISAS

VISA_WORDS: dict[str, str] = {
    "j1": "J-1",
    "h1b": "H-1B only",
    "either": "J-1 or H-1B",
    "none": "No visa needed (US citizen, permanent resident or own work permit)",
}

# The what-if fields' errors, shared by the plan's what-if form and the explorer's.
SCORE_ERRORS = {
    "min_value": f"Enter a score from {MIN_SCORE} to {MAX_SCORE}.",
    "max_value": f"Enter a score from {MIN_SCORE} to {MAX_SCORE}.",
    "invalid": f"Enter a score as a whole number, from {MIN_SCORE} to {MAX_SCORE}.",
}
VISA_ERRORS = {"invalid_choice": "Choose one of the visa options listed."}


class PlanProgramFilterForm(forms.Form):
    """Filters and sort order of a plan's program list (a GET form; bad values are dropped)."""

    q = forms.CharField(
        label="Search programs",
        required=False,
        max_length=100,
        help_text="Program, institution or city.",
    )
    fit = forms.ChoiceField(
        label="Fit",
        required=False,
        choices=[("", "Any"), *FIT_WORDS.items()],
    )
    specialty = forms.ChoiceField(label="Specialty", required=False)
    state = forms.ChoiceField(label="State", required=False)
    visa = forms.ChoiceField(
        label="Visa sponsored",
        required=False,
        choices=[("", "Any"), *VISA_FILTERS.items()],
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SORTS.items()))
    dir = forms.ChoiceField(
        label="Order",
        required=False,
        # "Normal" is the useful direction of each sort: best fit, A to Z, highest IMG share.
        choices=[("", "Normal"), ("desc", "Reversed")],
    )

    def __init__(self, data: Any = None, *, view: PlanView, **kwargs: Any) -> None:
        # Its own ids: the what-if form on the same page also has a visa and a specialty.
        kwargs.setdefault("auto_id", "programs_%s")
        super().__init__(data, **kwargs)
        self.fields["specialty"].choices = [("", "All"), *view.specialty_choices]
        self.fields["state"].choices = [("", "All"), *((s, s) for s in view.state_choices)]
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column(Field("q"), css_class="col-12 col-md-6 col-xl-4"),
                Column("fit", css_class="col-6 col-md-3 col-xl-2"),
                Column("visa", css_class="col-6 col-md-3 col-xl-2"),
                Column("specialty", css_class="col-6 col-md-3 col-xl-2"),
                Column("state", css_class="col-6 col-md-3 col-xl-2"),
                Column("sort", css_class="col-6 col-md-3 col-xl-3"),
                Column("dir", css_class="col-6 col-md-3 col-xl-2"),
            ),
        )

    def to_query(self, page: Any = None) -> ProgramQuery:
        """The query the valid fields describe; an invalid field counts as not set."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        try:
            number = max(1, int(page or 1))
        except (TypeError, ValueError):
            number = 1
        return ProgramQuery(
            fit=data.get("fit") or "",
            specialty=data.get("specialty") or "",
            state=data.get("state") or "",
            visa=data.get("visa") or "",
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or "rank",
            desc=data.get("dir") == "desc",
            page=number,
        )


class WhatIfForm(forms.Form):
    step2ck_score = forms.IntegerField(
        label="Step 2 CK score",
        required=False,
        min_value=MIN_SCORE,
        max_value=MAX_SCORE,
        help_text=(
            f"A score from {MIN_SCORE} to {MAX_SCORE}. Leave it empty to keep your answer; "
            "a score you have not taken yet counts as taken today."
        ),
        error_messages=SCORE_ERRORS,
    )
    visa = forms.ChoiceField(
        label="Visa need",
        choices=[(v, VISA_WORDS[v]) for v in VISAS],
        error_messages=VISA_ERRORS,
    )
    specialty = forms.ChoiceField(
        label="Primary specialty",
        error_messages={"invalid_choice": "Choose one of the specialties listed."},
    )

    def __init__(
        self, data: Any = None, *, specialty_choices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "whatif_%s")
        super().__init__(data, **kwargs)
        self.fields["specialty"].choices = specialty_choices
        self.fields["step2ck_score"].widget.attrs.update({"inputmode": "numeric"})
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("step2ck_score", css_class="col-12 col-md-4"),
                Column("visa", css_class="col-12 col-md-4"),
                Column("specialty", css_class="col-12 col-md-4"),
            )
        )

    @staticmethod
    def initial_from(profile: dict[str, Any]) -> dict[str, Any]:
        step2 = profile.get("step2ck") if isinstance(profile.get("step2ck"), dict) else {}
        return {
            "step2ck_score": step2.get("score"),
            "visa": profile.get("visa"),
            "specialty": profile.get("specialty"),
        }


def _plan_label(plan: Plan) -> str:
    when = timezone.localtime(plan.created_at).strftime("%d %b %Y, %H:%M")
    return f"{plan.specialty_code}, {tier_word(plan.tier).lower()} ({when})"


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Plan) -> str:
        return _plan_label(obj)


class CompareForm(forms.Form):
    a = PlanChoiceField(
        label="Earlier plan",
        queryset=Plan.objects.none(),
        to_field_name="token",
        empty_label=None,
    )
    b = PlanChoiceField(
        label="Later plan",
        queryset=Plan.objects.none(),
        to_field_name="token",
        empty_label=None,
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        queryset = plans_of(user)
        self.fields["a"].queryset = queryset
        self.fields["b"].queryset = queryset
        for name in ("a", "b"):
            self.fields[name].error_messages["invalid_choice"] = (
                "Choose one of your own plans from the list."
            )
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("a", css_class="col-12 col-md-6"), Column("b", css_class="col-12 col-md-6"))
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        a, b = cleaned.get("a"), cleaned.get("b")
        if a is not None and b is not None and a.pk == b.pk:
            self.add_error("b", "Choose two different plans.")
        return cleaned
