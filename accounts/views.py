from __future__ import annotations

import json
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from accounts import hooks, services
from accounts.forms import AccountDeleteForm, EmailAuthenticationForm, NameForm, SignupForm
from accounts.models import User
from accounts.ratelimit import client_of, ip_client, limit_hit, rate_limit, too_many_requests
from accounts.services import signup_tokens
from core.http import HtmxHttpRequest, safe_next


class LoginView(auth_views.LoginView):
    """Django's log-in, landing where each role works: advisors on their dashboard,
    admins in Django admin, applicants on their plans (a ``next`` still wins). Apps may send
    the person somewhere first (accounts.hooks.register_login_redirect): assessments asks
    which answers to keep when the visitor's answers from before logging in differ from the
    account's saved ones, so nothing is replaced unasked."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if getattr(user, "is_advisor", False):
            return reverse("advising:dashboard")
        if user.is_staff:
            return reverse("admin:index")
        return reverse("assessments:plan_list")

    def get_success_url(self) -> str:
        return hooks.login_redirect(self.request, super().get_success_url())


SIGNUP_NEXT_KEY = "accounts_signup_next"


def _base_url(request: HtmxHttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "accounts:home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        limit = rate_limit("signup")
        retry_after = limit_hit(limit=limit, client=client_of(request))
        if retry_after is not None:
            return too_many_requests(request, limit=limit, retry_after=retry_after, what="sign-ups")
        try:
            services.user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("password1" if field == "password" else field, errors)
        else:
            # The same answer whatever the address: the email says what happens next.
            request.session[SIGNUP_NEXT_KEY] = next_url
            return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@require_http_methods(["GET"])
def signup_sent(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HtmxHttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the confirmation email. GET asks to confirm (mail scanners that open
    links must not use it up); POST activates the account and logs in."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    valid = user is not None and not user.is_active and signup_tokens.check_token(user, token)
    if not valid and user is not None and request.user == user:
        # The link opened again after confirming (from the email on another device, or a
        # second click): nothing is wrong, the person is in.
        messages.info(request, "Your account is already confirmed and you are logged in.")
        return redirect("accounts:home")
    if request.method == "POST" and valid and user is not None:
        services.user_confirm_signup(user=user, token=token)
        # login() fires user_logged_in, which moves the visitor's anonymous draft and plans.
        login(request, user, backend="accounts.backends.ModelBackend")
        ready = "Your account is ready."
        if services.user_data_summary(user=user):  # what the log-in just moved to it
            ready += " The answers and plans you made before signing up are saved to it."
        messages.success(request, ready)
        next_url = request.session.pop(SIGNUP_NEXT_KEY, "")
        return redirect(next_url or "accounts:home")
    response = render(
        request, "accounts/signup_confirm.html", {"valid": valid}, status=200 if valid else 400
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
def account_home(request: HtmxHttpRequest) -> HttpResponse:
    return _account_page(request, NameForm(instance=request.user))


@login_required
@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
def account_name(request: HtmxHttpRequest) -> HttpResponse:
    form = NameForm(request.POST, instance=request.user)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    form.save()
    messages.success(
        request,
        "Your name is saved."
        if form.instance.full_name
        else "Your name is removed: advisors see your email address.",
    )
    return redirect("accounts:home")


def _account_page(request: HtmxHttpRequest, name_form: NameForm, status: int = 200) -> HttpResponse:
    # The other apps' sections (assessments: the self-assessment and plans), see accounts.hooks
    sections, context = hooks.account_sections(request)
    context |= {"account_sections": sections, "name_form": name_form}
    return render(request, "accounts/home.html", context, status=status)


@login_required
@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
def account_export(request: HtmxHttpRequest) -> HttpResponse:
    data = services.user_export_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = services.export_filename(user=request.user)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)  # applicant data
def account_delete(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        logout(request)
        services.user_delete(user=user)
        messages.success(request, "Your account and all its data have been deleted.")
        return redirect(reverse("assessments:home"))
    context = {
        "form": form,
        "summary": services.user_data_summary(user=user),
        "kept": services.user_data_summary(user=user, on_delete=models.SET_NULL),
    }
    return render(request, "accounts/delete.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited so that nobody can flood an inbox with reset emails:
    per IP address (RATE_LIMITS["password_reset_ip"]) and per address asked for
    (RATE_LIMITS["password_reset_email"]). Every well-formed address counts alike, known or
    not, so the limit tells nothing about which addresses have an account. The limits leave
    room for a few tries: the lock-out pages send people here to get back in."""

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        for name, client, what in (
            ("password_reset_ip", ip_client(self.request), "reset requests from your network"),
            ("password_reset_email", f"email:{email}", "reset emails to one address"),
        ):
            limit = rate_limit(name)
            retry_after = limit_hit(limit=limit, client=client)
            if retry_after is not None:
                return too_many_requests(
                    self.request, limit=limit, retry_after=retry_after, what=what, emails=True
                )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation that also lets a locked-out person back in: the new
    password ends django-axes' pause for the account and logs in (which the per-IP log-in
    limit does not block: no log-in form is posted)."""

    post_reset_login = True
    post_reset_login_backend = "accounts.backends.ModelBackend"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.email.lower())
        return response
