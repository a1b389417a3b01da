"""The self-assessment wizard: one URL per step, the steps themselves live in assessments.wizard."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from accounts.ratelimit import client_of, limit_hit, rate_limit, too_many_requests
from assessments.wizard import (
    FormStep,
    HtmxHttpRequest,
    ReviewStep,
    WizardFlow,
    go_to,
    step_named,
)


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
def wizard(request: HtmxHttpRequest) -> HttpResponseBase:
    """Resume: go to the first step not yet completed (the review once all are)."""
    return redirect(WizardFlow(request).first_incomplete().url)


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)  # applicant data
def wizard_step(request: HtmxHttpRequest, step: str) -> HttpResponseBase:
    current = step_named(step)
    if current is None:
        raise Http404("No such step.")
    if request.method == "POST" and isinstance(current, ReviewStep):
        # Generating stores a plan (a snapshot of the catalog): bounded per client.
        limit = rate_limit("plan_create")
        retry_after = limit_hit(limit=limit, client=client_of(request))
        if retry_after is not None:
            return too_many_requests(
                request, limit=limit, retry_after=retry_after, what="plans generated"
            )
    if current.may_save(request):
        # The draft is read once, under a row lock, and the step's answers are merged into
        # exactly what was read: two saves at once (two tabs) never lose each other's.
        with transaction.atomic():
            return _answer(request, current, WizardFlow(request, lock=True))
    return _answer(request, current, WizardFlow(request))


def _answer(
    request: HtmxHttpRequest, current: FormStep | ReviewStep, flow: WizardFlow
) -> HttpResponseBase:
    if not flow.may_enter(current):
        return go_to(request, flow.first_incomplete().url)
    if request.method == "POST":
        return current.post(request, flow)
    return current.get(request, flow)
