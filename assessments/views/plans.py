"""Saved plans: the plan page (with its program table and what-if panel), the CSV export,
the history and the comparison of two plans."""

from __future__ import annotations

import csv
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from accounts.http import HtmxHttpRequest
from assessments import plans, services
from assessments.drafts import session_plan_tokens
from assessments.models import Plan
from assessments.plan_forms import CompareForm, ProgramFilterForm, WhatIfForm
from assessments.profile import ProfileError

PLAN_TEMPLATE = "assessments/plan_detail.html"
PLANS_PER_PAGE = 20
# What-if errors from the engine's validator, mapped to the panel's own fields.
_WHATIF_FIELDS = {"step2ck.score": "step2ck_score", "visa": "visa", "specialty": "specialty"}


def _viewable_plan(request: HtmxHttpRequest, token: uuid.UUID) -> Plan | HttpResponseBase:
    """The plan if this viewer may open it; a login redirect for a visitor whose session does
    not hold the token (it may be the owner, logged out); 404 for everybody else."""
    tokens = session_plan_tokens(request)
    plan = plans.plan_for_viewer(user=request.user, session_tokens=tokens, token=token)
    if plan is not None:
        return plan
    if not request.user.is_authenticated and str(token) not in tokens:
        # Decided without looking the plan up, so the redirect tells nothing about it.
        next_url = reverse("assessments:plan_detail", args=[token])
        return redirect_to_login(next_url)
    raise Http404("No such plan.")


def _partial(request: HtmxHttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _program_context(request: HtmxHttpRequest, plan: Plan, view: plans.PlanView) -> dict[str, Any]:
    form = ProgramFilterForm(request.GET or None, view=view)
    query = form.to_query(request.GET.get("page"))
    table = plans.program_table(view, query)
    base = reverse("assessments:plan_detail", args=[plan.token])
    csv_params = query.params(page=1)
    page = table.page
    in_catalog = plans.programs_in_catalog(row.id for row in table.rows)
    return {
        # The rendered table depends only on the immutable plan, the raw query (bad values
        # show as form errors) and which listed programs are still in the catalog.
        "programs_key": f"{sorted(request.GET.lists())}|{sorted(in_catalog)}",
        "filter_form": form,
        "table": table,
        "rows": table.rows,
        "sort_links": plans.sort_links(query),
        "in_catalog": in_catalog,
        "page_url_prev": (
            "?" + urlencode(query.params(page=page.previous_page_number()))
            if page.has_previous()
            else ""
        ),
        "page_url_next": (
            "?" + urlencode(query.params(page=page.next_page_number())) if page.has_next() else ""
        ),
        "plan_url": base,
        "csv_url": reverse("assessments:plan_csv", args=[plan.token])
        + ("?" + urlencode(csv_params) if csv_params else ""),
    }


def _page_context(
    request: HtmxHttpRequest,
    plan: Plan,
    view: plans.PlanView,
    *,
    whatif_form: WhatIfForm | None = None,
    whatif: dict[str, Any] | None = None,
) -> dict[str, Any]:
    whatif_form_key = ""
    if whatif_form is None:
        initial = WhatIfForm.initial_from(plans.plan_profile(plan))
        choices = plans.whatif_specialty_choices()
        whatif_form = WhatIfForm(initial=initial, specialty_choices=choices)
        # An unbound form renders the same for the same defaults and choices.
        whatif_form_key = f"{sorted(initial.items())}|{choices}"
    plan_url = reverse("assessments:plan_detail", args=[plan.token])
    return {
        "plan": plan,
        "pv": view,
        "whatif_form": whatif_form,
        "whatif_form_key": whatif_form_key,
        "whatif": whatif,
        "is_anonymous_plan": plan.owner_id is None,
        "next_query": urlencode({"next": plan_url}),
        **_program_context(request, plan, view),
    }


@require_http_methods(["GET"])
def plan_detail(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    plan = _viewable_plan(request, token)
    if not isinstance(plan, Plan):
        return plan
    view = plans.plan_view(plan)
    if _partial(request):
        context = {"plan": plan, "pv": view, **_program_context(request, plan, view)}
        response = render(request, f"{PLAN_TEMPLATE}#programs", context)
    else:
        response = render(request, PLAN_TEMPLATE, _page_context(request, plan, view))
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_http_methods(["POST"])
def plan_whatif(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    """Recompute the plan with a changed score, visa or specialty; saves nothing."""
    plan = _viewable_plan(request, token)
    if not isinstance(plan, Plan):
        return plan
    view = plans.plan_view(plan)
    form = WhatIfForm(request.POST, specialty_choices=plans.whatif_specialty_choices())
    whatif = None
    if form.is_valid():
        try:
            output = services.plan_whatif(
                plan=plan,
                step2ck_score=form.cleaned_data["step2ck_score"],
                visa=form.cleaned_data["visa"],
                specialty=form.cleaned_data["specialty"],
                # The panel shows tiers, flags and counts, never the program lists.
                program_lists=False,
            )
        except ProfileError as exc:
            for path, message in exc.errors.items():
                field = _WHATIF_FIELDS.get(path)
                form.add_error(field, message if field else f"{path}: {message}")
        else:
            whatif = {
                "view": plans.build_plan_view(output),
                # Like the what-if output, the saved plan is compared without its program
                # lists: the panel shows tiers, flags and counts only.
                "diff": plans.plan_compare(plans.plan_summary_output(plan), output),
            }
    if _partial(request):
        return render(
            request,
            f"{PLAN_TEMPLATE}#whatif",
            {"plan": plan, "pv": view, "whatif_form": form, "whatif": whatif},
        )
    context = _page_context(request, plan, view, whatif_form=form, whatif=whatif)
    return render(request, PLAN_TEMPLATE, context)


@require_http_methods(["GET"])
def plan_csv(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    """The plan's program list (with the page's filters and order, if any) as CSV."""
    plan = _viewable_plan(request, token)
    if not isinstance(plan, Plan):
        return plan
    view = plans.plan_view(plan)
    query = ProgramFilterForm(request.GET or None, view=view).to_query()
    rows = plans.programs_sort(
        plans.programs_filter(view.programs, query), query.sort, desc=query.desc
    )
    day = plan.created_at.date().isoformat()
    filename = f"matchplan-{plan.specialty_code}-{day}-programs.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark makes Excel read the file as UTF-8 (accents, dashes).
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerows(plans.program_csv_rows(rows))
    return response


@require_http_methods(["GET"])
@login_required
def plan_list(request: HtmxHttpRequest) -> HttpResponse:
    queryset = plans.plans_of(request.user)
    page = Paginator(queryset, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    recent = list(queryset[:2])
    initial = {"a": recent[1].token, "b": recent[0].token} if len(recent) == 2 else {}
    return render(
        request,
        "assessments/plan_list.html",
        {
            "page": page,
            "compare_form": CompareForm(initial=initial, user=request.user),
            "can_compare": len(recent) == 2,
            # The two selects list every plan and are slow to render; they change only
            # when a plan is added, claimed or deleted.
            "compare_form_key": f"{request.user.pk}:{page.paginator.count}:"
            + ",".join(str(p.pk) for p in recent),
            "tier_words": plans.TIER_WORDS,
        },
    )


@require_http_methods(["GET"])
@login_required
def plan_compare(request: HtmxHttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None, user=request.user)
    comparison = None
    a = b = None
    if form.is_bound and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        # Program lists are stored apart from Plan.output (assessments.models.PlanPrograms).
        pair = Plan.objects.filter(pk__in=[a.pk, b.pk]).select_related("program_lists")
        outputs = {p.pk: plans.plan_output(p) for p in pair}
        comparison = plans.plan_compare(outputs.get(a.pk) or {}, outputs.get(b.pk) or {})
    return render(
        request,
        "assessments/plan_compare.html",
        {"form": form, "comparison": comparison, "a": a, "b": b},
    )
