from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.drafts import session_plan_tokens
from assessments.models import Plan


def plan_list(request: HttpRequest) -> HttpResponse:  # replaced by the plans work
    return render(request, "assessments/home.html")


@require_GET
def plan_detail(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Placeholder written with the wizard; the plan pages' work replaces it.

    The owner sees their plan; an anonymous visitor sees the plans their session made;
    everybody else gets 404.
    """
    plan = Plan.objects.filter(token=token).first()
    if plan is None:
        raise Http404("No such plan.")
    if plan.owner_id is not None:
        allowed = request.user.is_authenticated and plan.owner_id == request.user.pk
    else:
        allowed = str(plan.token) in session_plan_tokens(request)
    if not allowed:
        raise Http404("No such plan.")
    return render(request, "assessments/plan_detail_placeholder.html", {"plan": plan})
