from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.urls import reverse

from advising.models import ReviewStatus
from advising.selectors import STATUS_NO_PLAN, STATUS_NOT_REVIEWED
from advising.services import COMMENT_MAX_LENGTH
from assessments.models import Tier


class ShareForm(forms.Form):
    advisor_email = forms.EmailField(
        label="Advisor's email address",
        help_text=(
            "We email them a link. If they have no MatchPlan advisor account yet, "
            "the link lets them create one. You can revoke access at any time."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("advising:sharing")
        self.helper.add_input(Submit("share", "Share my plans"))


class InvitationSignupForm(forms.Form):
    """Create the invited advisor's account. The email address comes from the invitation."""

    email = forms.EmailField(
        label="Email address",
        disabled=True,
        required=False,
        help_text="The invitation was sent to this address; your account uses it to log in.",
    )
    full_name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        help_text="Shown to the applicant next to your comments.",
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Type the same password again, to be sure.",
    )

    def __init__(self, *args: Any, email: str, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invited_email = email
        self.fields["email"].initial = email
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("signup", "Create my advisor account"))

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2", "")
        if password1 and password1 != password2:
            raise forms.ValidationError("The two passwords are not the same.")
        user = get_user_model()(
            email=self.invited_email, full_name=self.cleaned_data.get("full_name", "")
        )
        password_validation.validate_password(password2, user=user)
        return password2


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The applicant gets an email saying you commented; the text stays in MatchPlan.",
    )


class ReviewStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Review status",
        choices=ReviewStatus.choices,
        widget=forms.RadioSelect,
        help_text="The applicant sees this status on their plan page.",
    )


STATUS_FILTER_CHOICES = [
    ("", "Any status"),
    (STATUS_NOT_REVIEWED, "Not reviewed yet"),
    *ReviewStatus.choices,
    (STATUS_NO_PLAN, "No saved plan"),
]


class DashboardFilterForm(forms.Form):
    """Filters for the advisor dashboard; a plain GET form that htmx also submits."""

    q = forms.CharField(label="Search by name or email", max_length=100, required=False)
    tier = forms.ChoiceField(
        label="Tier", choices=[("", "Any tier"), *Tier.choices], required=False
    )
    specialty = forms.ChoiceField(label="Specialty", choices=(), required=False)
    status = forms.ChoiceField(label="Review status", choices=STATUS_FILTER_CHOICES, required=False)
    behind = forms.BooleanField(label="Behind offer target", required=False)

    def __init__(self, *args: Any, specialties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        specialty_field = cast(forms.ChoiceField, self.fields["specialty"])
        specialty_field.choices = [("", "Any specialty"), *specialties]
        url = reverse("advising:dashboard")
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Name or email"})
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = url
        self.helper.form_id = "dashboard-filters"
        self.helper.attrs = {
            "hx-get": url,
            "hx-target": "#results",
            "hx-push-url": "true",
            "hx-trigger": "change, input changed delay:400ms from:#id_q, submit",
            "role": "search",
            "aria-label": "Filter applicants",
        }
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-12 col-lg-4"),
                Column("tier", css_class="col-6 col-lg-2"),
                Column("specialty", css_class="col-6 col-lg-3"),
                Column("status", css_class="col-12 col-lg-3"),
            ),
            "behind",
            # A nameless button keeps "filter=Apply" out of the pushed URL.
            HTML('<button type="submit" class="btn btn-outline-primary">Apply filters</button>'),
        )
