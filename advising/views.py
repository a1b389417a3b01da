"""Advising pages: the applicant's sharing page, the advisor dashboard and plan review,
and the invitation an advisor accepts.

Status codes, by design: anonymous users are sent to log in (except on the invitation,
whose token is the credential); signed-in users who are not advisors get 403 on advisor
pages, staff included (admins read plans in Django admin); an advisor asking for a plan
or share outside their access gets 404, so nothing tells them it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from advising import selectors, services
from advising.forms import (
    CommentForm,
    DashboardFilterForm,
    InvitationSignupForm,
    ReviewStatusForm,
    ShareForm,
)
from advising.models import Share
from assessments.models import Plan, Tier
from assessments.views.plans import ProgramTablePart
from core.http import HtmxHttpRequest
from programs.models import Specialty

DASHBOARD_PAGE_SIZE = 20


def _base_url(request: HtmxHttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def advisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and in the Advisors group; others get a 403 page that says why."""

    @login_required
    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.user_is_advisor(request.user):
            return render(request, "advising/not_advisor.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _specialty_names() -> dict[str, str]:
    return dict(Specialty.objects.order_by("name").values_list("code", "name"))


# --- Applicant: sharing ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@cache_control(private=True, no_store=True)  # applicant data
def sharing(request: HtmxHttpRequest) -> HttpResponse:
    form = ShareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            share = services.share_create(
                applicant=request.user,
                advisor_email=form.cleaned_data["advisor_email"],
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The same answer whoever owns the address (advising.services.share_create).
            messages.success(
                request,
                f"We sent an invitation to {share.advisor_email}. They get access once they accept it.",
            )
            return redirect("advising:sharing")
    return render(
        request,
        "advising/sharing.html",
        {"form": form, "overview": selectors.sharing_overview(request.user)},
    )


@require_http_methods(["POST"])
@login_required
def share_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    share = get_object_or_404(Share.objects.not_revoked(), pk=pk, applicant=request.user)
    services.share_revoke(share=share, applicant=request.user)
    messages.success(request, f"{share.advisor_email} can no longer see your plans.")
    return redirect("advising:sharing")


# --- Invitation ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Accept an applicant's invitation: create an advisor account, or accept with the
    account already registered to the invited address."""
    share = selectors.share_for_invitation(token)
    if share is None:
        return render(
            request, "advising/invitation_unusable.html", {"reason": "unknown"}, status=404
        )
    user = request.user
    if share.accepted_at is not None and user.is_authenticated and share.advisor_id == user.pk:
        return redirect("advising:dashboard")
    if share.revoked_at is not None or share.accepted_at is not None or share.invitation_expired:
        return render(
            request,
            "advising/invitation_unusable.html",
            {"reason": share.status.value, "share": share},
            status=410,
        )

    action = reverse("advising:invitation", args=[token])
    context: dict[str, Any] = {"share": share, "applicant": share.applicant, "action": action}

    if user.is_authenticated:
        if user.email.strip().lower() != share.advisor_email:
            return render(request, "advising/invitation_wrong_account.html", context, status=403)
        if request.method == "POST":
            try:
                services.invitation_accept(share=share, user=user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(action)
            messages.success(request, f"You can now review the plans of {share.applicant}.")
            return redirect("advising:dashboard")
        return render(request, "advising/invitation.html", {**context, "mode": "accept"})

    if get_user_model().objects.filter(email__iexact=share.advisor_email).exists():
        login_url = f"{reverse('accounts:login')}?next={action}"
        return render(
            request,
            "advising/invitation.html",
            {**context, "mode": "login", "login_url": login_url},
        )

    form = InvitationSignupForm(
        request.POST if request.method == "POST" else None,
        email=share.advisor_email,
        action=action,
    )
    if request.method == "POST" and form.is_valid():
        try:
            new_user = services.invitation_signup(
                share=share,
                password=form.cleaned_data["password2"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, new_user, backend="accounts.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome to MatchPlan. You can now review the plans of {share.applicant}.",
            )
            return redirect("advising:dashboard")
    return render(request, "advising/invitation.html", {**context, "mode": "signup", "form": form})


# --- Advisor: dashboard ----------------------------------------------------------------


@require_http_methods(["GET"])
@advisor_required
@cache_control(private=True, no_store=True)  # applicant data
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    specialty_names = _specialty_names()
    form = DashboardFilterForm(
        request.GET or None, specialties=sorted(specialty_names.items(), key=lambda kv: kv[1])
    )
    # Valid filters apply even when another one is invalid; the invalid one shows its error.
    filters: dict[str, str] = {}
    if form.is_bound:
        form.is_valid()
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    rows = selectors.dashboard_rows(request.user, **filters)
    page = Paginator(rows, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filters_active": bool(filters),
        "specialty_names": specialty_names,
        "tier_labels": dict(Tier.choices),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "advising/dashboard.html#results" if partial else "advising/dashboard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Advisor: plan review --------------------------------------------------------------


def _advisable_plan(request: HtmxHttpRequest, pk: int) -> Plan:
    return get_object_or_404(selectors.advisable_plans(request.user), pk=pk)


def _review_context(
    plan: Plan,
    *,
    comment_form: CommentForm | None = None,
    status_form: ReviewStatusForm | None = None,
) -> dict[str, Any]:
    feedback = selectors.plan_feedback(plan)
    if status_form is None:
        initial = {"status": feedback.review.status} if feedback.review else {}
        status_form = ReviewStatusForm(initial=initial)
    specialty_names = _specialty_names()
    return {
        "plan": plan,
        "read_only": True,
        "applicant": plan.owner,
        "other_plans": selectors.applicant_plans(plan.owner),
        "feedback": feedback,
        "comment_form": comment_form or CommentForm(),
        "status_form": status_form,
        "specialty_name": specialty_names.get(plan.specialty_code, plan.specialty_code),
        "specialty_names": specialty_names,
        "tier_labels": dict(Tier.choices),
    }


@require_http_methods(["GET"])
@advisor_required
@cache_control(private=True, no_store=True)  # applicant data
def plan_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The plan as the applicant saved it, with the same paged, filterable program table as
    the applicant's page (filters, sorting and pages swap only the table under htmx)."""
    plan = _advisable_plan(request, pk)
    programs = ProgramTablePart(
        plan,
        request.GET,
        base_url=reverse("advising:plan_review", args=[plan.pk]),
        csv=False,
    )
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "advising/plan_review.html#programs", {"programs": programs})
    else:
        context = {**_review_context(plan), "programs": programs}
        response = render(request, "advising/plan_review.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_http_methods(["POST"])
@advisor_required
@cache_control(private=True, no_store=True)  # applicant data
def plan_comment(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = _advisable_plan(request, pk)
    form = CommentForm(request.POST)
    added = False
    if form.is_valid():
        try:
            services.comment_create(
                plan=plan,
                author=request.user,
                body=form.cleaned_data["body"],
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:  # access ended between the lookup and the write
            raise Http404 from exc
        else:
            if not request.htmx:
                messages.success(request, "Comment added. The applicant gets an email.")
                return redirect(reverse("advising:plan_review", args=[plan.pk]) + "#comments")
            form, added = CommentForm(), True
    context = {**_review_context(plan, comment_form=form), "comment_added": added}
    if request.htmx:
        return render(request, "advising/plan_review.html#comments", context)
    return render(request, "advising/plan_review.html", context)


@require_http_methods(["POST"])
@advisor_required
@cache_control(private=True, no_store=True)  # applicant data
def plan_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = _advisable_plan(request, pk)
    form: ReviewStatusForm | None = ReviewStatusForm(request.POST)
    if form is not None and form.is_valid():
        try:
            services.review_set_status(
                plan=plan, reviewer=request.user, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if not request.htmx:
                messages.success(request, "Review status saved.")
                return redirect(reverse("advising:plan_review", args=[plan.pk]) + "#review-status")
            form = None  # a fresh form showing the saved status
    context = _review_context(plan, status_form=form)
    if request.htmx:
        return render(request, "advising/plan_review.html#review-status", context)
    return render(request, "advising/plan_review.html", context)
