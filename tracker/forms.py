from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from tracker import rules
from tracker.models import InterviewMode, OutcomeResult, Platform, SignalKind, Status
from tracker.services import COMMENT_MAX_LENGTH


def _helper(action: str, label: str) -> FormHelper:
    helper = FormHelper()
    helper.form_action = action
    helper.add_input(Submit("submit", label))
    return helper


class AddForm(forms.Form):
    program = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    plan = forms.UUIDField(required=False, widget=forms.HiddenInput)


# The one status an application can move to again: the same interview at a new time.
RESCHEDULE_LABEL = "Interview rescheduled (enter the new date and time)"


class MoveForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=())
    on = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When it happened; today when left empty.",
    )
    platform = forms.ChoiceField(
        label="Platform", required=False, choices=[("", "—"), *Platform.choices]
    )
    signal_kind = forms.ChoiceField(
        label="Signal kind", required=False, choices=[("", "—"), *SignalKind.choices]
    )
    interview_at = forms.DateTimeField(
        label="Interview date and time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=(
            "In your own time zone (convert the program's time if it gives another): the "
            "calendar file keeps this clock time."
        ),
    )
    interview_mode = forms.ChoiceField(
        label="Interview", required=False, choices=[("", "—"), *InterviewMode.choices]
    )
    note = forms.CharField(label="Note for the timeline", required=False, max_length=300)

    def __init__(self, *args: Any, current: str, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Nothing preselected: the first choice can be final (an interviewed application's
        # is "Rejected"), and a final status cannot be undone.
        choices = [
            (s, RESCHEDULE_LABEL if s == current else Status(s).label)
            for s in rules.next_statuses(current)
        ]
        self.fields["status"].choices = [("", "Choose…"), *choices] if choices else []
        self.helper = _helper(action, "Save status")


# How much of each note the advisor's view of a season shows (tracker/advise.html).
ADVISOR_NOTE_CHARS = 120


class NotesForm(forms.Form):
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        # who reads them: advising.selectors.advisable_applicants, through the advisor pages
        help_text=(
            "Advisors you share your plans with (once they accept) and advisors assigned to "
            "you can read these notes: their view of your season shows the first "
            f"{ADVISOR_NOTE_CHARS} characters of each."
        ),
    )

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Save notes")


class OutcomeForm(forms.Form):
    # No result is presumed: the applicant picks one.
    result = forms.ChoiceField(label="Outcome", choices=[("", "—"), *OutcomeResult.choices])
    program = forms.ChoiceField(
        label="Program",
        required=False,
        choices=(),
        help_text=(
            "For a match: one of this season's programs. Matched in SOAP to a program not "
            "listed? Add it to My applications first (from the program browser)."
        ),
    )

    def __init__(
        self, *args: Any, programs: list[tuple[int, str]], action: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", "—"), *programs]
        self.helper = _helper(action, "Record outcome")


class SettingsForm(forms.Form):
    reminders = forms.BooleanField(
        label="Email me reminders of my upcoming deadlines and interviews", required=False
    )
    share_outcomes = forms.BooleanField(
        label=(
            "Contribute my season, anonymously, to shared program statistics (shown only as "
            "counts of 5 or more applicants; deleting my account removes it)"
        ),
        required=False,
    )

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Save choices")


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment on this season",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(action, "Add comment")
