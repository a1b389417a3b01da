from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class SignupForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
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
        help_text="Type the same password again, to catch typing mistakes.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same.")
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, accepting the email address in any letter case. Someone who
    signed up but has not opened the confirmation link yet, and types the right password,
    is told to confirm (a wrong-password message would send them guessing into the
    lock-out)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's says "both fields may be case-sensitive"; the email address is not.
        "invalid_login": (
            "Please enter a correct email address and password. The password is "
            "case-sensitive; the email address is not."
        ),
        "unconfirmed": (
            "You have not confirmed this account yet. Open the link in the email we sent "
            "when you signed up, or sign up again with this address to get a new link."
        ),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})
        self.helper = _helper()

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().lower()

    def get_invalid_login_error(self) -> forms.ValidationError:
        # The same test as accounts.services.user_signup's "signed up, never confirmed".
        user = User.objects.filter(
            email=self.cleaned_data.get("username"), is_active=False, last_login__isnull=True
        ).first()
        if user is not None and user.check_password(self.cleaned_data.get("password")):
            return forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")
        return super().get_invalid_login_error()


class NameForm(forms.ModelForm):
    """The name advisors see (their dashboard, comments, emails) instead of the address."""

    class Meta:
        model = User
        fields = ["full_name"]
        labels = {"full_name": "Your name"}
        help_texts = {
            "full_name": "Shown to the advisors you share with and in their emails. Leave it "
            "empty to be shown by your email address."
        }
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Enter your password to confirm that you want to delete your account.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
