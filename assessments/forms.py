"""The self-assessment wizard's forms, one per step.

Each form reads and writes its slice of ``AssessmentDraft.answers``: the engine's input keys
(docs/assess.md, assessments/profile.py) plus a few wizard-only keys the engine never sees
(country, oet, usce_hands_on_months, observership_months, specialty_months);
``assessments.drafts.draft_profile_data`` keeps only the engine's keys.

Forms validate what one step can know, plus the cross-step rules that need earlier answers
(``answers`` is passed in): a graduation year must fit the application year, ECFMG
certification needs Step 1 passed, and so on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from assessments.engine import passing_standard
from programs.models import US_STATES, ProgramType
from programs.selectors import specialty_choices

MAX_BACKUPS = 3  # equal to assessments.profile.MAX_BACKUPS
PRACTICE_SLOTS = 3
# Step 2 CK replaced the old Step 2 in 2004; an earlier "test date" is a typo.
EARLIEST_STEP2CK_DATE = dt.date(2004, 6, 1)
# A score is released about four weeks after the exam, sometimes later: an exam sat within
# this window may still be "not taken yet" from the applicant's point of view.
SCORE_PENDING_DAYS = 60
APPLICATION_YEARS_AHEAD = 5
EARLIEST_GRADUATION_YEAR = 1960  # equal to assessments.profile.EARLIEST_GRADUATION_YEAR

YES_NO = [("yes", "Yes"), ("no", "No")]

VISA_CHOICES = [
    ("j1", "J-1: I need a J-1 exchange-visitor visa"),
    ("h1b", "H-1B only: a J-1 will not work for me"),
    ("either", "Either: I need a visa and can take a J-1 or an H-1B"),
    (
        "none",
        "None: I can train without a visa (US citizen, permanent resident or other work permit)",
    ),
]
PATHWAY_CHOICES = [
    ("met", "Done: ECFMG has accepted my Pathway"),
    ("applied", "Applied: waiting for ECFMG's decision"),
    ("not_started", "Not yet"),
]
CITIZENSHIP_CHOICES = [
    ("other", "Neither"),
    ("us_citizen", "US citizen"),
    ("permanent_resident", "US permanent resident (green card)"),
]
OET_CHOICES = [
    ("yes", "Yes, passed"),
    ("no", "No, not yet"),
    ("not_needed", "Not needed: I met the ECFMG English requirement another way"),
]
STEP1_RESULT_CHOICES = [
    ("pass", "Passed"),
    ("fail", "Not passed: I failed and have not passed since"),
    ("not_taken", "Not taken yet"),
]
STEP3_RESULT_CHOICES = [
    ("pass", "Passed"),
    ("fail", "Not passed: I failed and have not passed since"),
    ("not_taken", "Not taken yet"),
]
TAKEN_CHOICES = [("yes", "Yes, I have my score"), ("no", "No, not yet")]


def _bool_to_yes_no(value: Any) -> str | None:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return None


def _number(value: Decimal | int | None) -> int | float | None:
    """A JSON-friendly number: 3 stays 3, 2.5 stays 2.5."""
    if value is None:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def _set_range(
    field: forms.Field,
    low: int | Decimal,
    high: int | Decimal,
    *,
    low_message: str | None = None,
    high_message: str | None = None,
) -> None:
    """Bounds that depend on today's date, with messages that say what to enter."""
    field.validators = [
        v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
    ]
    field.validators.append(
        MinValueValidator(low, message=low_message or f"Enter a number from {low} to {high}.")
    )
    field.validators.append(
        MaxValueValidator(high, message=high_message or f"Enter a number from {low} to {high}.")
    )
    field.widget.attrs.update({"min": low, "max": high})


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _list(value: Any) -> list[Any]:
    """A saved list answer as a list. A stale or tampered value that is no list becomes a
    one-item list: the form then shows it as an invalid choice instead of failing."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


class ValueIdCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes whose ids name their value (``id_backup_specialties_IM``), not their place.

    A region refresh keeps the inputs already on the page (hx-preserve matches by id) and
    takes the new labels. When the list's options change (the goals step leaves the primary
    specialty out of the backups), position-based ids paired a new label with an old box:
    ticking "Internal Medicine (IM)" ticked the box that had been "General Surgery
    (preliminary)". With the value in the id, a kept box is the same specialty as its label.
    """

    @staticmethod
    def option_id(base: str, value: Any) -> str:
        return f"{base}_{value}" if base else ""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # type: ignore[no-untyped-def]
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        base = (attrs or {}).get("id") or self.attrs.get("id")
        if base:
            option["attrs"]["id"] = self.option_id(base, value)
        return option


class WizardForm(forms.Form):
    """The common machinery of the wizard steps' forms."""

    answer_keys: ClassVar[tuple[str, ...]] = ()
    # Changing one of these fields re-renders the region (element id) holding the fields that
    # depend on it, so they appear or disappear. Only that region is swapped: what the user
    # types elsewhere meanwhile is never overwritten.
    refresh_targets: ClassVar[dict[str, str]] = {}
    # Messages for an empty required field that say what to enter (instead of Django's
    # "This field is required.").
    required_messages: ClassVar[dict[str, str]] = {}
    # The form offers the specialties (GoalsForm): the wizard passes them in (`specialties=`).
    uses_specialties: ClassVar[bool] = False
    # Answers of other steps that this form's validation reads (``self.answers``): when one
    # of them changes, whether this step is complete must be checked again.
    cross_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        answers: Mapping[str, Any] | None = None,
        today: dt.date | None = None,
        htmx_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.answers: Mapping[str, Any] = answers or {}
        self.today = today or dt.date.today()
        if data is None and "initial" not in kwargs:
            kwargs["initial"] = self.data_from_answers(self.answers)
        super().__init__(data, **kwargs)
        self.setup_fields()
        for name in self.required_now():
            self.fields[name].required = True
        for name, message in self.required_messages.items():
            self.fields[name].error_messages["required"] = message
        if htmx_url:
            self._add_htmx(htmx_url)

    @cached_property
    def helper(self) -> FormHelper:
        # Built on first use: a form that is only validated (the progress indicator, the
        # review) never needs its layout.
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = self.build_layout()
        return helper

    # --- per-step hooks -------------------------------------------------------------------

    def setup_fields(self) -> None:
        """Adjust fields that depend on today's date or the database."""

    def build_layout(self) -> Layout:
        return Layout(*self.visible_fields_names())

    @classmethod
    def data_from_answers(cls, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Form data equivalent to the saved answers (empty when the step was never saved)."""
        raise NotImplementedError

    def to_answers(self) -> dict[str, Any]:
        """The answers this step writes, from cleaned_data."""
        raise NotImplementedError

    def hidden_field_names(self) -> set[str]:
        """Fields that do not apply given the current choices; they are not shown."""
        return set()

    def required_now(self) -> set[str]:
        """Optional fields that the current choices make required (shown with their star)."""
        return set()

    # --- shared -----------------------------------------------------------------------------

    def _post_clean(self) -> None:
        # Fields that do not apply to the current choices are ignored, even if what was typed
        # in them is invalid: without JavaScript they are all on the page.
        super()._post_clean()
        for name in self.hidden_field_names():
            self._errors.pop(name, None)
            self.cleaned_data[name] = None

    def visible_fields_names(self) -> list[str]:
        hidden = self.hidden_field_names()
        return [name for name in self.fields if name not in hidden]

    def current(self, name: str) -> Any:
        """The value of a field as the user currently sees it (typed data, else initial)."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name, self.fields[name].initial)

    def _add_htmx(self, url: str) -> None:
        for name, field in self.fields.items():
            attrs = {"hx-post": url, "hx-trigger": "change", "hx-swap": "outerHTML"}
            region = self.refresh_targets.get(name)
            if region:
                # The server renders the whole form; htmx keeps only the dependent region.
                attrs |= {
                    "hx-target": f"#{region}",
                    "hx-select": f"#{region}",
                    "hx-vals": json.dumps({"_refresh": name}),
                    # never dropped: it waits for a field check in flight, then runs
                    "hx-sync": "closest form:queue last",
                }
            else:
                attrs |= {
                    "hx-target": f"#div_id_{name}",
                    "hx-vals": json.dumps({"_validate": name}),
                    # A submit while this check is in flight waits for it (htmx queues it);
                    # a check while the form is busy is skipped (the submit validates anyway).
                    "hx-sync": "closest form:drop",
                }
            field.widget.attrs.update(attrs)

    def preserve_inputs(self) -> None:
        """Mark every input hx-preserve for a region refresh: inputs already on the page stay
        as they are (with what the user typed meanwhile), only new ones come in."""
        for field in self.fields.values():
            field.widget.attrs["hx-preserve"] = "true"

    def summary(self) -> list[tuple[str, str, str]]:
        """(field name, label, answer in words) of every field that applies, for the review."""
        rows: list[tuple[str, str, str]] = []
        if not self.is_valid():
            return rows
        for name in self.visible_fields_names():
            field = self.fields[name]
            rows.append((name, str(field.label), self.display_value(name)))
        return rows

    def display_value(self, name: str) -> str:
        field = self.fields[name]
        value = self.cleaned_data.get(name)
        if value in (None, "", [], ()):
            return "Not given"
        choices = dict(getattr(field, "choices", []) or [])
        if isinstance(value, list | tuple):
            return ", ".join(str(choices.get(v, v)) for v in value)
        if choices:
            return str(choices.get(value, value))
        if isinstance(value, dt.date):
            return value.strftime("%-d %B %Y")
        if isinstance(value, Decimal):
            return str(_number(value))
        return str(value)


# --- step 1: background --------------------------------------------------------------------


class BackgroundForm(WizardForm):
    answer_keys = (
        "country",
        "graduation_year",
        "visa",
        "citizenship",
        "ecfmg_certified",
        "oet",
        "oet_passed",
        "pathway",
    )
    cross_keys = ("application_year",)
    required_messages = {
        "country": "Enter the country of your medical school.",
        "graduation_year": "Enter the year you graduated or will graduate.",
        "visa": "Choose the visa you need, or “None”.",
        "ecfmg_certified": "Choose Yes or No.",
        "oet": "Choose one answer.",
    }

    country = forms.CharField(
        label="Country of your medical school",
        max_length=100,
        help_text="The country where you earned (or are earning) your medical degree.",
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    graduation_year = forms.IntegerField(
        label="Medical school graduation year",
        help_text=(
            "The year you graduated, or will graduate. Many programs limit the years since "
            "graduation."
        ),
    )
    visa = forms.ChoiceField(
        label="Citizenship and visa need",
        choices=VISA_CHOICES,
        widget=forms.RadioSelect,
        help_text=(
            "Most non-US IMGs train on a J-1 visa, which ECFMG sponsors and most programs "
            "accept. Far fewer programs sponsor an H-1B, and an H-1B needs Step 3 passed "
            "before the petition. Choose H-1B only if a J-1 is not possible for you (for "
            "example because of its two-year home-country requirement)."
        ),
    )
    ecfmg_certified = forms.ChoiceField(
        label="Are you ECFMG certified?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=(
            "ECFMG certification needs Step 1 and Step 2 CK passed, your medical degree "
            "verified and the English requirement met. You must hold it before residency starts."
        ),
    )
    oet = forms.ChoiceField(
        label="Have you passed OET Medicine?",
        choices=OET_CHOICES,
        widget=forms.RadioSelect,
        help_text="OET Medicine is the English test ECFMG accepts for certification.",
    )
    citizenship = forms.ChoiceField(
        label="Are you a US citizen or a US permanent resident?",
        choices=CITIZENSHIP_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text=(
            "The NRMP counts US citizens who studied abroad as US citizen IMGs, and permanent "
            "residents as non-US IMGs; the plan says which group it compares you with."
        ),
    )
    pathway = forms.ChoiceField(
        label="ECFMG Pathway (clinical and communication skills)",
        choices=PATHWAY_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text=(
            "Besides Step 1, Step 2 CK and OET Medicine, ECFMG certification needs one of its "
            "Pathways. Leave it if you are already certified."
        ),
    )

    def setup_fields(self) -> None:
        latest = self.today.year + 1
        _set_range(
            self.fields["graduation_year"],
            EARLIEST_GRADUATION_YEAR,
            latest,
            low_message=f"Enter a year from {EARLIEST_GRADUATION_YEAR} on.",
            high_message=(
                f"Enter a year no later than {latest}. If you graduate later, come back in "
                "your final year of medical school."
            ),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("ecfmg_certified") == "yes" and cleaned.get("oet") == "no":
            self.add_error(
                "oet",
                "ECFMG certification includes the English requirement: choose “Yes, passed” "
                "or “Not needed”.",
            )
        # A citizen or permanent resident needs no visa: a plan made from both "permanent
        # resident" and "H-1B only" raised the bars for a visa not needed. The other way round
        # is allowed: a non-citizen with a work permit of their own (an EAD) needs no visa.
        visa, citizenship = cleaned.get("visa"), cleaned.get("citizenship")
        if citizenship in ("us_citizen", "permanent_resident") and visa and visa != "none":
            self.add_error(
                "visa",
                "You said you are a US citizen or permanent resident, who needs no visa to "
                "train: choose “None”, or correct the citizenship answer.",
            )
        application_year = self.answers.get("application_year")
        year = cleaned.get("graduation_year")
        if isinstance(application_year, int) and year and year > application_year + 1:
            self.add_error(
                "graduation_year",
                f"You plan to apply in {application_year}: you must graduate by "
                f"{application_year + 1}, before residency starts. Change the application "
                "year on the goals step if it is wrong.",
            )
        return cleaned

    @classmethod
    def data_from_answers(cls, answers: Mapping[str, Any]) -> dict[str, Any]:
        if "visa" not in answers:
            return {}
        return {
            "country": _text(answers.get("country")),
            "graduation_year": _text(answers.get("graduation_year")),
            "visa": _text(answers.get("visa")),
            "ecfmg_certified": _bool_to_yes_no(answers.get("ecfmg_certified")) or "",
            "oet": _text(answers.get("oet")),
            "citizenship": _text(answers.get("citizenship")),
            "pathway": _text(answers.get("pathway")),
        }

    def to_answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        oet = data["oet"]
        return {
            "country": data["country"].strip(),
            "graduation_year": data["graduation_year"],
            "visa": data["visa"],
            "ecfmg_certified": data["ecfmg_certified"] == "yes",
            "oet": oet,
            # "Not needed" means the English requirement is met, which is what the engine asks.
            "oet_passed": oet in ("yes", "not_needed"),
            **({"citizenship": data["citizenship"]} if data.get("citizenship") else {}),
            "pathway": (
                "met" if data["ecfmg_certified"] == "yes" else (data.get("pathway") or None)
            ),
        }


# --- step 2: exams -------------------------------------------------------------------------

_STEP1_DETAIL = ("step1_attempts", "step1_score")
_STEP2_TAKEN = ("step2ck_score", "step2ck_test_date", "step2ck_attempts")
_STEP2_PLANNED = ("step2ck_planned_date", *(f"practice_score_{i}" for i in range(1, 4)))
_PRACTICE_LABELS = {
    1: "Most recent practice score",
    2: "Practice score before that",
    3: "Earlier practice score",
}


def _score_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=300,
        help_text=help_text,
        error_messages={
            "min_value": "Enter a score from 1 to 300.",
            "max_value": "Enter a score from 1 to 300.",
            "invalid": "Enter a score as a whole number, from 1 to 300.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _attempts_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=4,
        help_text=help_text,
        error_messages={
            "min_value": "Enter a number of attempts from 1 to 4.",
            "max_value": "USMLE allows at most 4 attempts: enter a number from 1 to 4.",
            "invalid": "Enter a number of attempts from 1 to 4.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter a real date, written year-month-day (2026-05-20)."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ExamsForm(WizardForm):
    answer_keys = ("step1", "step2ck", "step3")
    cross_keys = ("ecfmg_certified",)
    refresh_targets = {"step1_result": "step1-details", "step2ck_taken": "step2ck-details"}
    required_messages = {
        "step1_result": "Choose your Step 1 result.",
        "step1_attempts": "Enter how many times you sat Step 1.",
        "step2ck_taken": "Choose Yes or No.",
        "step2ck_score": "Enter your Step 2 CK score.",
        "step2ck_test_date": "Enter the date you sat Step 2 CK.",
        "step2ck_attempts": "Enter how many times you sat Step 2 CK.",
        "step2ck_planned_date": "Enter the date you plan to sit Step 2 CK.",
        "step3_result": "Choose your Step 3 result.",
    }

    step1_result = forms.ChoiceField(
        label="Step 1 result",
        choices=STEP1_RESULT_CHOICES,
        widget=forms.RadioSelect,
        help_text="If you failed and passed later, choose Passed and count every attempt below.",
    )
    step1_attempts = _attempts_field(
        "Step 1 attempts",
        "How many times you sat Step 1, the last one included. Only if you have taken it.",
    )
    step1_score = _score_field(
        "Legacy Step 1 score (optional)",
        "Only if you took Step 1 before 26 January 2022, when it still had a three-digit "
        "score. Leave it empty for a pass/fail result.",
    )
    step2ck_taken = forms.ChoiceField(
        label="Have you taken Step 2 CK?",
        choices=TAKEN_CHOICES,
        widget=forms.RadioSelect,
        help_text=(
            "Choose “No, not yet” if you have not sat the exam, or sat it and are still "
            "waiting for the score."
        ),
    )
    step2ck_score = _score_field(
        "Step 2 CK score",
        "Your latest Step 2 CK score (1 to 300). Only if you have taken Step 2 CK.",
    )
    step2ck_test_date = _date_field(
        "Step 2 CK test date",
        "The day you sat the exam that gave this score: the passing score depends on it. "
        "Only if you have taken Step 2 CK.",
    )
    step2ck_attempts = _attempts_field(
        "Step 2 CK attempts",
        "How many times you sat Step 2 CK, the last one included. Only if you have taken it.",
    )
    step2ck_planned_date = _date_field(
        "Planned Step 2 CK test date",
        "When you will sit Step 2 CK (or sat it, if your score is not out yet). Only if you "
        "have not taken it yet.",
    )
    practice_score_1 = _score_field(
        _PRACTICE_LABELS[1],
        "Optional: your latest NBME or UWSA practice test score. Only if you have not "
        "taken Step 2 CK yet.",
    )
    practice_score_2 = _score_field(_PRACTICE_LABELS[2], "Optional.")
    practice_score_3 = _score_field(_PRACTICE_LABELS[3], "Optional.")
    step3_result = forms.ChoiceField(
        label="Step 3 result",
        choices=STEP3_RESULT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Step 3 is optional for most applicants, but needed for an H-1B visa.",
    )

    def build_layout(self) -> Layout:
        visible = self.visible_fields_names()

        def present(*names: str) -> list[str]:
            return [name for name in names if name in visible]

        return Layout(
            Fieldset(
                "USMLE Step 1",
                "step1_result",
                Div(*present(*_STEP1_DETAIL), css_id="step1-details"),
            ),
            Fieldset(
                "USMLE Step 2 CK",
                "step2ck_taken",
                Div(*present(*_STEP2_TAKEN, *_STEP2_PLANNED), css_id="step2ck-details"),
            ),
            Fieldset("USMLE Step 3", "step3_result"),
        )

    def hidden_field_names(self) -> set[str]:
        hidden: set[str] = set()
        if self.current("step1_result") == "not_taken":
            hidden.update(_STEP1_DETAIL)
        taken = self.current("step2ck_taken")
        if taken == "yes":
            hidden.update(_STEP2_PLANNED)
        elif taken == "no":
            hidden.update(_STEP2_TAKEN)
        return hidden

    def required_now(self) -> set[str]:
        required: set[str] = set()
        if self.current("step1_result") in ("pass", "fail"):
            required.add("step1_attempts")
        taken = self.current("step2ck_taken")
        if taken == "yes":
            required.update(_STEP2_TAKEN)
        elif taken == "no":
            required.add("step2ck_planned_date")
        return required

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        today = self.today
        certified = self.answers.get("ecfmg_certified") is True

        step1 = cleaned.get("step1_result")
        if certified and step1 and step1 != "pass":
            self.add_error(
                "step1_result",
                "You said you are ECFMG certified, which needs Step 1 passed. Choose Passed, "
                "or correct the ECFMG answer on the background step.",
            )

        taken = cleaned.get("step2ck_taken")
        if taken == "yes":
            test_date = cleaned.get("step2ck_test_date")
            if test_date and test_date > today:
                self.add_error(
                    "step2ck_test_date",
                    "A test date with a score cannot be in the future. If you have not sat "
                    "the exam yet, choose “No, not yet”.",
                )
            elif test_date and test_date < EARLIEST_STEP2CK_DATE:
                self.add_error("step2ck_test_date", "Enter a date from June 2004 on.")
            elif test_date and certified:
                score, standard = cleaned.get("step2ck_score"), passing_standard(test_date)
                if score is not None and score < standard:
                    self.add_error(
                        "step2ck_score",
                        f"{score} is under the passing score of {standard} on that date, and "
                        "you said you are ECFMG certified, which needs Step 2 CK passed. If "
                        "you passed on a later attempt, enter that score and date; otherwise "
                        "correct the ECFMG answer on the background step.",
                    )
        elif taken == "no":
            planned = cleaned.get("step2ck_planned_date")
            if planned and planned < today - dt.timedelta(days=SCORE_PENDING_DAYS):
                self.add_error(
                    "step2ck_planned_date",
                    "This date is long past. If you sat the exam and have your score, choose "
                    "“Yes, I have my score”; otherwise enter your new test date.",
                )
            elif planned and planned.year > today.year + 6:
                self.add_error("step2ck_planned_date", "Enter a date in the next few years.")
            if certified:
                self.add_error(
                    "step2ck_taken",
                    "You said you are ECFMG certified, which needs Step 2 CK passed. Choose "
                    "“Yes”, or correct the ECFMG answer on the background step.",
                )
        return cleaned

    @classmethod
    def data_from_answers(cls, answers: Mapping[str, Any]) -> dict[str, Any]:
        step1, step2, step3 = answers.get("step1"), answers.get("step2ck"), answers.get("step3")
        if not (isinstance(step1, dict) and isinstance(step2, dict) and isinstance(step3, dict)):
            return {}
        data: dict[str, Any] = {
            "step1_result": _text(step1.get("result")),
            "step3_result": _text(step3.get("result")),
        }
        if step1.get("result") != "not_taken":
            data["step1_attempts"] = _text(step1.get("attempts"))
            data["step1_score"] = _text(step1.get("score"))
        if step2.get("score") is not None:
            data.update(
                step2ck_taken="yes",
                step2ck_score=_text(step2.get("score")),
                step2ck_test_date=_text(step2.get("test_date")),
                step2ck_attempts=_text(step2.get("attempts")),
            )
        else:
            data.update(step2ck_taken="no", step2ck_planned_date=_text(step2.get("planned_date")))
            practice = [
                p.get("score") if isinstance(p, dict) else p
                for p in _list(step2.get("practice_scores"))
            ]
            # Stored oldest first (the engine takes the last as the latest); shown latest first.
            for slot, score in enumerate(reversed(practice[-PRACTICE_SLOTS:]), start=1):
                data[f"practice_score_{slot}"] = _text(score)
        return data

    def to_answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        step1_taken = data["step1_result"] != "not_taken"
        step1 = {
            "result": data["step1_result"],
            "attempts": data["step1_attempts"] if step1_taken else 1,
            "score": data["step1_score"] if step1_taken else None,
        }
        if data["step2ck_taken"] == "yes":
            step2 = {
                "score": data["step2ck_score"],
                "attempts": data["step2ck_attempts"],
                "test_date": data["step2ck_test_date"].isoformat(),
                "planned_date": None,
                "practice_scores": [],
            }
        else:
            latest_first = [data[f"practice_score_{i}"] for i in range(1, PRACTICE_SLOTS + 1)]
            step2 = {
                "score": None,
                "attempts": 1,
                "test_date": None,
                "planned_date": data["step2ck_planned_date"].isoformat(),
                "practice_scores": [s for s in reversed(latest_first) if s is not None],
            }
        return {"step1": step1, "step2ck": step2, "step3": {"result": data["step3_result"]}}


# --- step 3: experience --------------------------------------------------------------------


def _months_field(label: str, help_text: str, high: int = 60) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=high,
        max_digits=4,
        decimal_places=1,
        help_text=help_text,
        error_messages={
            "min_value": f"Enter a number of months from 0 to {high}.",
            "max_value": f"Enter a number of months from 0 to {high}.",
            "invalid": "Enter a number of months, for example 3 or 1.5.",
            "max_decimal_places": "Use at most one decimal, for example 1.5.",
        },
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )


def _count_field(label: str, help_text: str, high: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=high,
        help_text=help_text,
        error_messages={
            "min_value": f"Enter a number from 0 to {high}.",
            "max_value": f"Enter a number from 0 to {high}.",
            "invalid": f"Enter a whole number from 0 to {high}.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


OBSERVERSHIP_WEIGHT = Decimal("0.5")


def weighted_usce(hands_on: Decimal, observership: Decimal) -> Decimal:
    """US clinical experience as the engine counts it: an observership month counts half.

    Programs value hands-on experience (externships, sub-internships) well above observing.
    """
    return hands_on + observership * OBSERVERSHIP_WEIGHT


def weighted_specialty_usce(specialty: Decimal, hands_on: Decimal) -> Decimal:
    """Months in the target specialty, weighted like weighted_usce.

    The form does not ask which of them were hands-on, so they are counted as hands-on first:
    the result never exceeds weighted_usce, as the engine requires.
    """
    as_hands_on = min(specialty, hands_on)
    return as_hands_on + (specialty - as_hands_on) * OBSERVERSHIP_WEIGHT


class ExperienceForm(WizardForm):
    required_messages = {
        "usce_hands_on_months": "Enter a number of months; 0 if none.",
        "observership_months": "Enter a number of months; 0 if none.",
        "specialty_months": "Enter a number of months; 0 if none.",
        "us_letters": "Enter a number of letters; 0 if none.",
        "sloes": "Enter a number of SLOEs; 0 if none.",
        "publications": "Enter a number; 0 if none.",
        "presentations": "Enter a number; 0 if none.",
        "specialty_experience_years": "Enter a number of years; 0 if none.",
    }
    answer_keys = (
        "usce_hands_on_months",
        "observership_months",
        "specialty_months",
        "usce_months",
        "usce_in_specialty_months",
        "us_letters",
        "sloes",
        "publications",
        "presentations",
        "specialty_experience_years",
    )

    usce_hands_on_months = _months_field(
        "Hands-on US clinical experience (months)",
        "Externships, sub-internships and other US rotations where you examined and managed "
        "patients. MatchPlan counts each month in full.",
    )
    observership_months = _months_field(
        "US observerships (months)",
        "US rotations where you watched but did not take part in patient care (observers on a "
        "visitor visa may not treat patients). Programs value them less, so MatchPlan counts "
        "each month as half a hands-on month, and never as hands-on experience.",
    )
    specialty_months = _months_field(
        "US clinical months in the specialty you want most",
        "Of the months above (hands-on and observership together), how many were in the "
        "specialty you will rank first. You name it on the next step, Your goals; if you "
        "have not decided yet, count the months in the specialty you lean towards.",
        high=120,
    )
    us_letters = _count_field(
        "Letters of recommendation from US physicians",
        "Letters from physicians who supervised you in the US, SLOEs included.",
        20,
    )
    sloes = _count_field(
        "SLOEs (Standardized Letters of Evaluation)",
        "The standard letter that emergency medicine programs expect, written after a US "
        "emergency medicine rotation. Enter 0 if you have none or do not apply to emergency "
        "medicine.",
        10,
    )
    publications = _count_field(
        "Publications",
        "Papers published in peer-reviewed journals, in any field.",
        500,
    )
    presentations = _count_field(
        "Posters and presentations",
        "Posters and talks at conferences or meetings.",
        500,
    )
    specialty_experience_years = forms.DecimalField(
        label="Years of work in the specialty you want most",
        min_value=0,
        max_value=50,
        max_digits=3,
        decimal_places=1,
        help_text=(
            "Clinical work or training in that specialty (the one you name on the next "
            "step) in any country; 0 if none."
        ),
        error_messages={
            "min_value": "Enter a number of years from 0 to 50.",
            "max_value": "Enter a number of years from 0 to 50.",
            "invalid": "Enter a number of years, for example 2 or 1.5.",
            "max_decimal_places": "Use at most one decimal, for example 1.5.",
        },
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )

    def build_layout(self) -> Layout:
        return Layout(
            Fieldset(
                "US clinical experience",
                "usce_hands_on_months",
                "observership_months",
                "specialty_months",
            ),
            Fieldset("Letters", "us_letters", "sloes"),
            Fieldset(
                "Research and work", "publications", "presentations", "specialty_experience_years"
            ),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        hands_on = cleaned.get("usce_hands_on_months")
        observer = cleaned.get("observership_months")
        specialty = cleaned.get("specialty_months")
        if None not in (hands_on, observer, specialty) and specialty > hands_on + observer:
            self.add_error(
                "specialty_months",
                f"Cannot be more than your US months in total ({_number(hands_on + observer)}).",
            )
        letters, sloes = cleaned.get("us_letters"), cleaned.get("sloes")
        if letters is not None and sloes is not None and sloes > letters:
            self.add_error(
                "sloes",
                "SLOEs are US letters too: count them in your US letters as well.",
            )
        return cleaned

    @classmethod
    def data_from_answers(cls, answers: Mapping[str, Any]) -> dict[str, Any]:
        if "usce_hands_on_months" not in answers:
            return {}
        names = [n for n in cls.answer_keys if n not in ("usce_months", "usce_in_specialty_months")]
        return {name: _text(answers.get(name)) for name in names}

    def to_answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        hands_on, observer = data["usce_hands_on_months"], data["observership_months"]
        return {
            "usce_hands_on_months": _number(hands_on),
            "observership_months": _number(observer),
            "specialty_months": _number(data["specialty_months"]),
            "usce_months": _number(weighted_usce(hands_on, observer)),
            "usce_in_specialty_months": _number(
                weighted_specialty_usce(data["specialty_months"], hands_on)
            ),
            "us_letters": data["us_letters"],
            "sloes": data["sloes"],
            "publications": data["publications"],
            "presentations": data["presentations"],
            "specialty_experience_years": _number(data["specialty_experience_years"]),
        }


# --- step 4: goals -------------------------------------------------------------------------


def specialty_names() -> dict[str, str]:
    """code -> name of every specialty, in name order (one query).

    Read on the goals step and the review, every time (a new specialty is offered at once).
    """
    return dict(specialty_choices())


def application_years(today: dt.date) -> list[int]:
    """The ERAS seasons one can still plan for: this year's and the next few.

    Until the Match in March, last year's season is still running, so it stays available.
    """
    first = today.year - 1 if today.month <= 3 else today.year
    return list(range(first, today.year + APPLICATION_YEARS_AHEAD + 1))


class GoalsForm(WizardForm):
    answer_keys = (
        "specialty",
        "backup_specialties",
        "application_year",
        "preferred_states",
        "program_types",
        "budget_usd",
    )
    cross_keys = ("graduation_year",)
    refresh_targets = {"specialty": "div_id_backup_specialties"}
    uses_specialties = True
    required_messages = {
        "specialty": "Choose the specialty you want most.",
        "application_year": "Choose the year you will apply in.",
    }
    # Ticking boxes needs no validation round trip per click.
    quiet_fields: ClassVar[frozenset[str]] = frozenset({"preferred_states", "program_types"})

    # Plain choice fields over (code, name) pairs read once per request (specialty_names):
    # a ModelChoiceField reads the table through a server-side cursor each time it is
    # iterated. Answers store the codes, as before.
    specialty = forms.ChoiceField(
        label="Primary specialty",
        help_text="The specialty you want most and will rank first.",
        error_messages={"invalid_choice": "Choose a specialty from the list."},
    )
    backup_specialties = forms.MultipleChoiceField(
        label="Backup specialties (optional)",
        required=False,
        widget=ValueIdCheckboxSelectMultiple,
        help_text=(
            f"Up to {MAX_BACKUPS} other specialties or preliminary tracks you would also "
            "apply to. The plan says whether applying to a second specialty is worth it."
        ),
    )
    application_year = forms.TypedChoiceField(
        # Not "(ERAS season)": AAMC names a season by its Match year, as the plan does ("you
        # apply in the 2028 season"), so the year applications are sent is one less.
        label="Application year",
        coerce=int,
        help_text=(
            "The year you send your applications (from September). The Match follows in "
            "March of the next year and residency starts in July. Seasons are named by their "
            "Match year, as in your plan."
        ),
        error_messages={
            "invalid_choice": "Choose one of the years listed: earlier seasons are closed."
        },
    )
    preferred_states = forms.MultipleChoiceField(
        label="Preferred states (optional)",
        # A callable: each form's copy of the field shares the list instead of copying it.
        choices=lambda: US_STATES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Programs in these states move up your list within their fit group (likely, "
            "target, reach); programs elsewhere stay in it."
        ),
    )
    program_types = forms.MultipleChoiceField(
        label="Program types you prefer (optional)",
        choices=lambda: ProgramType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Programs of these types move up your list within their fit group (likely, "
            "target, reach); others stay in it."
        ),
    )
    budget_usd = forms.IntegerField(
        label="Budget for application fees, in US dollars (optional)",
        required=False,
        min_value=0,
        max_value=100_000,
        help_text=(
            "What you can spend on application fees: the application platform (ERAS, or "
            "ResidencyCAS for emergency medicine), the USMLE transcript, the ECFMG token and "
            "NRMP registration. The plan shows how many applications it covers."
        ),
        error_messages={
            "min_value": "Enter an amount from 0 to 100,000 dollars.",
            "max_value": "Enter an amount from 0 to 100,000 dollars.",
            "invalid": "Enter a whole number of dollars, without a currency sign.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        specialties: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        # code -> name, in name order; the wizard reads it once per request and passes it in.
        self.specialty_names = dict(specialties) if specialties is not None else specialty_names()
        super().__init__(data, **kwargs)

    def setup_fields(self) -> None:
        labels = [(code, f"{name} ({code})") for code, name in self.specialty_names.items()]
        self.fields["specialty"].choices = [("", "Choose a specialty"), *labels]
        self.fields["backup_specialties"].choices = labels
        years = application_years(self.today)
        self.fields["application_year"].choices = [("", "Choose a year")] + [
            (year, f"{year} (the {year + 1} season, Match in March {year + 1})") for year in years
        ]
        # Do not offer the primary specialty as a backup, unless it is ticked already
        # (then the error must be fixable by unticking it).
        primary = self.current("specialty")
        backups = self.current_list("backup_specialties")
        if primary and primary not in backups:
            field = self.fields["backup_specialties"]
            field.widget.choices = [
                (value, label) for value, label in field.choices if str(value) != primary
            ]

    def display_value(self, name: str) -> str:
        value = self.cleaned_data.get(name)
        if name == "specialty" and value:
            return self.specialty_names.get(value, value)
        if name == "backup_specialties" and value:
            return ", ".join(self.specialty_names.get(code, code) for code in value)
        if name == "budget_usd" and value is not None:
            return f"${value:,}"
        return super().display_value(name)

    def current_list(self, name: str) -> list[str]:
        if self.is_bound:
            return (
                [str(v) for v in self.data.getlist(self.add_prefix(name))]
                if hasattr(self.data, "getlist")
                else [str(v) for v in self.data.get(self.add_prefix(name)) or []]
            )
        return [str(v) for v in self.initial.get(name) or []]

    def _add_htmx(self, url: str) -> None:
        super()._add_htmx(url)
        for name in self.quiet_fields:
            for attr in (
                "hx-post",
                "hx-trigger",
                "hx-target",
                "hx-select",
                "hx-swap",
                "hx-vals",
                "hx-sync",
            ):
                self.fields[name].widget.attrs.pop(attr, None)

    def build_layout(self) -> Layout:
        return Layout(
            Fieldset("Specialties", "specialty", "backup_specialties"),
            Fieldset(
                "Season and preferences",
                "application_year",
                "preferred_states",
                "program_types",
                "budget_usd",
            ),
        )

    def clean_backup_specialties(self) -> list[str]:
        # Each code once, in the menu's (name) order, as the model field used to give them.
        chosen = set(self.cleaned_data["backup_specialties"])
        return [code for code in self.specialty_names if code in chosen]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        primary = cleaned.get("specialty")
        backups = cleaned.get("backup_specialties")
        if primary and backups is not None and primary in backups:
            self.add_error(
                "backup_specialties",
                f"{self.specialty_names[primary]} is your primary specialty: untick it here.",
            )
        if backups is not None and len(backups) > MAX_BACKUPS:
            self.add_error("backup_specialties", f"Choose at most {MAX_BACKUPS} backups.")
        year = cleaned.get("application_year")
        graduation = self.answers.get("graduation_year")
        if year and isinstance(graduation, int) and graduation > year + 1:
            self.add_error(
                "application_year",
                f"You graduate in {graduation}: the earliest season you can apply in is "
                f"{graduation - 1}, the autumn before you graduate.",
            )
        return cleaned

    @classmethod
    def data_from_answers(cls, answers: Mapping[str, Any]) -> dict[str, Any]:
        if "specialty" not in answers:
            return {}
        return {
            "specialty": _text(answers.get("specialty")),
            "backup_specialties": _list(answers.get("backup_specialties")),
            "application_year": _text(answers.get("application_year")),
            "preferred_states": _list(answers.get("preferred_states")),
            "program_types": _list(answers.get("program_types")),
            "budget_usd": _text(answers.get("budget_usd")),
        }

    def to_answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "specialty": data["specialty"],
            "backup_specialties": list(data["backup_specialties"]),
            "application_year": data["application_year"],
            "preferred_states": list(data["preferred_states"]),
            "program_types": list(data["program_types"]),
            "budget_usd": data["budget_usd"],
        }
