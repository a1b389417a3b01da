"""Forms of the specialty explorer: the what-if values and count filters (one GET form), the
pair of specialties to compare, and the "make primary" / "add as backup" choice."""

from __future__ import annotations

from typing import Any

from django import forms

from assessments.plan_forms import SCORE_ERRORS, VISA_ERRORS, VISA_WORDS
from assessments.profile import MAX_SCORE, MIN_SCORE, VISAS


class ExplorerForm(forms.Form):
    """What-if values and count filters (a GET form; an invalid field counts as not set)."""

    step2ck_score = forms.IntegerField(
        label="Step 2 CK score (what if)",
        required=False,
        min_value=MIN_SCORE,
        max_value=MAX_SCORE,
        help_text="Empty: your answer. A score not taken yet counts as taken today.",
        # The plan's what-if form's words, not Django's defaults.
        error_messages=SCORE_ERRORS,
    )
    visa = forms.ChoiceField(
        label="Visa need (what if)",
        required=False,
        choices=[("", "As answered"), *((v, VISA_WORDS[v]) for v in VISAS)],
        error_messages=VISA_ERRORS,
    )
    sponsor = forms.BooleanField(
        label="Count only programs that sponsor my visa",
        required=False,
    )
    preferred = forms.BooleanField(
        label="Count only programs in my preferred states", required=False
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, preferred_states: tuple[str, ...] = (), **kwargs: Any):
        super().__init__(data, **kwargs)
        self.fields["step2ck_score"].widget.attrs.update({"inputmode": "numeric"})
        if preferred_states:
            self.fields[
                "preferred"
            ].label = f"Count only programs in my preferred states ({', '.join(preferred_states)})"
        else:
            self.fields["preferred"].disabled = True
            self.fields["preferred"].help_text = "You have not chosen preferred states."

    def values(self) -> dict[str, Any]:
        """The valid fields' values; invalid ones count as not set (their errors show)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "step2ck_score": data.get("step2ck_score"),
            "visa": data.get("visa") or None,
            "sponsor": bool(data.get("sponsor")),
            "preferred": bool(data.get("preferred")),
        }


class CompareForm(forms.Form):
    a = forms.ChoiceField(label="Compare")
    b = forms.ChoiceField(label="with")

    def __init__(self, data: Any = None, *, choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(data, **kwargs)
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("a") and cleaned.get("a") == cleaned.get("b"):
            self.add_error("b", "Choose two different specialties.")
        return cleaned


class PickForm(forms.Form):
    """A row's "make a plan with this as primary" / "add as backup" button: ``pick`` is
    ``CODE:primary`` or ``CODE:backup`` (one form holds every row's buttons)."""

    pick = forms.RegexField(regex=r"^[A-Za-z0-9_-]{1,20}:(primary|backup)$", max_length=30)

    def choice(self) -> tuple[str, str]:
        code, role = self.cleaned_data["pick"].split(":")
        return code, role
