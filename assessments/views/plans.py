"""Saved plans: the plan page (with its program table and what-if panel), the CSV export,
the history and the comparison of two plans."""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from accounts.http import HtmxHttpRequest
from accounts.ratelimit import (
    RateLimit,
    client_of,
    limit_hit,
    rate_limit,
    slot_acquire,
    slot_release,
    too_many_requests,
)
from assessments import plan_parts, services
from assessments.drafts import session_plan_tokens
from assessments.models import Plan
from assessments.plan_forms import CompareForm, PlanProgramFilterForm, WhatIfForm
from assessments.plans.compare import plan_compare as compare_outputs
from assessments.plans.history import history_rows
from assessments.plans.queries import (
    plan_for_viewer,
    plans_of,
    programs_in_catalog,
    whatif_specialty_choices,
)
from assessments.plans.reader import plan_output, plan_profile
from assessments.plans.table import (
    ProgramQuery,
    matching_rows,
    program_csv_rows,
    program_table,
    sort_links,
)
from assessments.plans.view import (
    PlanView,
    RankedRows,
    build_plan_view,
    plan_summary_output,
    plan_view,
)
from assessments.profile import ProfileError
from programs.selectors import specialty_choices

PLAN_TEMPLATE = "assessments/plan_detail.html"
# A plan never changes, so its rendered parts could live forever; an hour bounds what a
# long-lived shared cache holds for plans nobody opens any more.
PAGE_CACHE_SECONDS = 3600
PLANS_PER_PAGE = 20
# What-if errors from the engine's validator, mapped to the panel's own fields.
_WHATIF_FIELDS = {"step2ck.score": "step2ck_score", "visa": "visa", "specialty": "specialty"}
# Other answers named in plain words when one no longer validates.
_WHATIF_WORDS = {
    "step1": "Step 1",
    "step2ck": "Step 2 CK",
    "step3": "Step 3",
    "graduation_year": "graduation year",
    "application_year": "application year",
    "backup_specialties": "backup specialties",
    "usce_months": "US clinical experience",
    "usce_in_specialty_months": "US clinical experience",
    "sloes": "SLOEs",
    "us_letters": "US letters",
    "publications": "publications",
    "presentations": "presentations",
    "budget_usd": "budget",
}


def _viewable_plan(
    request: HtmxHttpRequest, token: uuid.UUID, *, page: bool = False
) -> Plan | HttpResponseBase:
    """The plan if this viewer may open it; a login redirect for a visitor whose session does
    not hold the token (it may be the owner, logged out); 404 for everybody else.

    ``page``: the full page is coming, so load what it shows besides the plan in the same
    query (see ``plan_for_viewer``)."""
    tokens = session_plan_tokens(request)
    plan = plan_for_viewer(user=request.user, session_tokens=tokens, token=token, page=page)
    if plan is not None:
        return plan
    if not request.user.is_authenticated and str(token) not in tokens:
        # Decided without looking the plan up, so the redirect tells nothing about it.
        next_url = reverse("assessments:plan_detail", args=[token])
        return redirect_to_login(next_url)
    raise Http404("No such plan.")


def _partial(request: HtmxHttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _program_query(
    request: HtmxHttpRequest, view: PlanView
) -> tuple[ProgramQuery, PlanProgramFilterForm | None]:
    """The table's query from the URL, and the filter form that read it (None when the URL has
    no parameters: the default query needs no form until the table is drawn)."""
    if not request.GET:
        return ProgramQuery(), None
    form = PlanProgramFilterForm(request.GET, view=view)
    return form.to_query(request.GET.get("page")), form


def _csv_url(plan: Plan, query: ProgramQuery) -> str:
    params = query.params(page=1)
    url = reverse("assessments:plan_csv", args=[plan.token])
    return url + ("?" + urlencode(params) if params else "")


def programs_table_html(
    request: HtmxHttpRequest,
    plan: Plan,
    view: PlanView | None,
    query: ProgramQuery | None = None,
    form: PlanProgramFilterForm | None = None,
    *,
    base_url: str = "",
    csv: bool = True,
) -> SafeString:
    """The program table (filters, rows, pages) for this query, cached: it depends only on the
    immutable plan, the raw query (bad values show as form errors) and which of the shown
    programs are still in the catalog (linked only then).

    ``base_url`` is the page the table's links and filters go to (default: the plan page;
    the advisor's review page shows the same table); ``csv`` offers the CSV download.

    The ids of the programs a query shows are cached too, so a query seen before is answered
    without ``view`` (None: read with ``plan_view`` only when needed) and without
    filtering or sorting the plan's programs again."""
    base = base_url or reverse("assessments:plan_detail", args=[plan.token])
    prefix = f"plan-programs:{plan_parts.parts_version()}:{plan.token}:{_digest(f'{base}|{csv}')}:"
    raw_query = _digest(f"{sorted(request.GET.lists())}")
    ids_key = f"{prefix}ids:{raw_query}"
    shown = cache.get(ids_key)
    table = None
    if shown is None:
        view = view or plan_view(plan)
        if query is None:
            query, form = _program_query(request, view)
        table = program_table(view, query)
        shown = [row.id for row in table.rows]
        cache.set(ids_key, shown, PAGE_CACHE_SECONDS)
    in_catalog = programs_in_catalog(shown)
    key = f"{prefix}{raw_query}:" + _digest(f"{sorted(in_catalog)}")
    html = cache.get(key)
    if html is None:
        view = view or plan_view(plan)
        if query is None:
            query, form = _program_query(request, view)
        table = table or program_table(view, query)
        page = table.page
        context = {
            "pv": view,
            "interactive": True,
            "filter_form_html": _filter_form_html(plan, view, form),
            "table": table,
            "rows": table.rows,
            "sort_links": sort_links(query),
            "in_catalog": in_catalog,
            "page_url_prev": (
                "?" + urlencode(query.params(page=page.previous_page_number()))
                if page.has_previous()
                else ""
            ),
            "page_url_next": (
                "?" + urlencode(query.params(page=page.next_page_number()))
                if page.has_next()
                else ""
            ),
            "plan_url": base,
            "csv_url": _csv_url(plan, query) if csv else "",
        }
        # Rendered without the request: nothing of the viewer (user, CSRF token) can get in.
        html = render_to_string(plan_parts.PROGRAMS_TEMPLATE, context)
        cache.set(key, html, PAGE_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - our own rendered template


def _filter_form_html(plan: Plan, view: PlanView, form: PlanProgramFilterForm | None) -> SafeString:
    """The table's filter form, cached per plan (its choices) and field values: the pages and
    orders of one filter set share it (the page number is no field of the form)."""
    data = form.data if form is not None else {}
    values = [
        (name, data.getlist(name)) for name in PlanProgramFilterForm.base_fields if name in data
    ]
    key = f"plan-filter-form:{plan_parts.parts_version()}:{plan.token}:" + _digest(f"{values}")
    html = cache.get(key)
    if html is None:
        html = render_crispy_form(form or PlanProgramFilterForm(None, view=view))
        cache.set(key, html, PAGE_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - our own rendered form


def _plan_parts(plan: Plan, view: PlanView, query: ProgramQuery) -> dict[str, str]:
    """The parts of the page that are the same for every viewer, rendered once per plan and
    cached: the header (once per CSV link, which carries the table's filters), the table of
    contents, summary and chart, flags, strategy, timeline, actions, left-out programs and the
    plan's origin. Claiming an anonymous plan changes the header and contents, so that is part
    of the key."""
    anonymous = plan.owner_id is None
    base = f"plan-page:{plan_parts.parts_version()}:{plan.token}:{'anonymous' if anonymous else 'owned'}"
    csv_params = urlencode(query.params(page=1))
    header_key = f"{base}:header:{_digest(csv_params)}"
    found = cache.get_many([base, header_key])
    parts, header = found.get(base), found.get(header_key)
    if parts is None or header is None:
        # Rendered without the request: nothing of the viewer (user, CSRF token) can get in.
        plan_url = reverse("assessments:plan_detail", args=[plan.token])
        context = {
            "plan": plan,
            "pv": view,
            "is_anonymous_plan": anonymous,
            "csv_url": _csv_url(plan, query),
            "next_query": urlencode({"next": plan_url}),
        }
        if parts is None:
            parts = {name: render_to_string(t, context) for name, t in plan_parts.PARTS.items()}
            cache.set(base, parts, PAGE_CACHE_SECONDS)
        if header is None:
            header = render_to_string(plan_parts.HEADER_TEMPLATE, context)
            cache.set(header_key, header, PAGE_CACHE_SECONDS)
    # Our own rendered templates; a cache that pickles may hand back plain strings.
    return {name: mark_safe(html) for name, html in (*parts.items(), ("header", header))}  # noqa: S308  # nosec B308 B703


def _whatif_form_html(initial: dict[str, Any]) -> SafeString:
    """The what-if form showing ``initial`` without errors, which renders the same for the same
    values and choices (the plan's answers on the page; a valid submission's values)."""
    choices = whatif_specialty_choices()
    key = f"plan-whatif-form:{plan_parts.parts_version()}:" + _digest(
        f"{sorted(initial.items())}|{choices}"
    )
    html = cache.get(key)
    if html is None:
        html = render_crispy_form(WhatIfForm(initial=initial, specialty_choices=choices))
        cache.set(key, html, PAGE_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - our own rendered form


def _valid_whatif_form_html(form: WhatIfForm) -> SafeString | str:
    """A valid submitted form as the cached form with its values, when that is the same markup:
    when each submitted value is already in its normal form (" 231 " is not); else ""."""
    values = {name: form.cleaned_data[name] for name in WhatIfForm.base_fields}
    for name, value in values.items():
        if form.data.get(name, "") != ("" if value is None else str(value)):
            return ""
    return _whatif_form_html(values)


def _page_context(
    request: HtmxHttpRequest,
    plan: Plan,
    view: PlanView,
    *,
    whatif_form: WhatIfForm | None = None,
    whatif_form_html: str = "",
    whatif: dict[str, Any] | None = None,
) -> dict[str, Any]:
    query, form = _program_query(request, view)
    if whatif_form is None:
        whatif_form_html = _whatif_form_html(WhatIfForm.initial_from(plan_profile(plan)))
    return {
        "plan": plan,
        "pv": view,
        "parts": _plan_parts(plan, view, query),
        "programs_html": programs_table_html(request, plan, view, query, form),
        # The form comes rendered (cached) unless it was submitted with errors or odd values.
        "whatif_form": whatif_form,
        "whatif_form_html": whatif_form_html,
        "whatif": whatif,
        "is_anonymous_plan": plan.owner_id is None,
    }


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
def plan_detail(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    partial = _partial(request)
    plan = _viewable_plan(request, token, page=not partial)
    if not isinstance(plan, Plan):
        return plan
    if partial:
        # A query seen before needs no view of the plan (see _programs_html).
        context = {"programs_html": programs_table_html(request, plan, None)}
        response = render(request, f"{PLAN_TEMPLATE}#programs", context)
    else:
        view = plan_view(plan)
        response = render(request, PLAN_TEMPLATE, _page_context(request, plan, view))
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
def plan_whatif(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    """Recompute the plan with a changed score, visa or specialty; saves nothing."""
    plan = _viewable_plan(request, token, page=not _partial(request))
    if not isinstance(plan, Plan):
        return plan
    limit = rate_limit("plan_whatif")
    retry_after = limit_hit(limit=limit, client=client_of(request))
    if retry_after is not None:
        return too_many_requests(request, limit=limit, retry_after=retry_after, what="what-ifs")
    view = plan_view(plan)
    form = WhatIfForm(request.POST, specialty_choices=whatif_specialty_choices())
    whatif = None
    form_html: SafeString | str = ""
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
                form.add_error(
                    field,
                    message
                    if field
                    else "This change cannot be computed with the answers saved in this plan "
                    f"({_WHATIF_WORDS.get(path.split('.')[0], 'one of your answers')}: "
                    f"{message}). Change your answers and make a new plan.",
                )
        else:
            whatif = {
                "view": build_plan_view(output),
                # Like the what-if output, the saved plan is compared without its program
                # lists: the panel shows tiers, flags and counts only.
                "diff": compare_outputs(plan_summary_output(plan), output),
            }
            form_html = _valid_whatif_form_html(form)
    if _partial(request):
        return render(
            request,
            f"{PLAN_TEMPLATE}#whatif",
            {
                "plan": plan,
                "pv": view,
                "whatif_form": form,
                "whatif_form_html": form_html,
                "whatif": whatif,
            },
        )
    context = _page_context(
        request, plan, view, whatif_form=form, whatif_form_html=form_html, whatif=whatif
    )
    return render(request, PLAN_TEMPLATE, context)


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
def plan_csv(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    """The plan's program list (with the page's filters and order, if any) as CSV.

    What one download may cost is bounded: per client (RATE_LIMITS["plan_csv"]), and in
    how many files are built at once (CSV_EXPORTS_AT_ONCE); the file is streamed in chunks,
    so it is never held in memory whole and its first bytes leave at once."""
    plan = _viewable_plan(request, token)
    if not isinstance(plan, Plan):
        return plan
    limit = rate_limit("plan_csv")
    retry_after = limit_hit(limit=limit, client=client_of(request))
    if retry_after is not None:
        return too_many_requests(request, limit=limit, retry_after=retry_after, what="downloads")
    if not slot_acquire(name=CSV_SLOT, at_once=settings.CSV_EXPORTS_AT_ONCE):
        at_once = RateLimit(name=CSV_SLOT, count=settings.CSV_EXPORTS_AT_ONCE, seconds=1)
        return too_many_requests(
            request,
            limit=at_once,
            retry_after=CSV_BUSY_RETRY_SECONDS,
            what="downloads",
            busy=True,
        )
    try:
        view = plan_view(plan)
        query = PlanProgramFilterForm(request.GET or None, view=view).to_query()
        rows = matching_rows(view, query)  # everything from the database is read here
    except BaseException:
        slot_release(name=CSV_SLOT)
        raise
    day = plan.created_at.date().isoformat()
    filename = f"matchplan-{plan.specialty_code}-{day}-programs.csv"
    response = StreamingHttpResponse(
        _CsvChunks(program_csv_rows(rows), on_close=_release_csv_slot),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CSV_SLOT = "plan-csv"
CSV_BUSY_RETRY_SECONDS = 5


def _release_csv_slot() -> None:
    slot_release(name=CSV_SLOT)


class _Echo:
    """A file-like object whose write() hands back what it is given (csv.writer's sink)."""

    def write(self, value: str) -> str:
        return value


CSV_ROWS_PER_CHUNK = 500


class _CsvChunks:
    """The CSV in chunks of rows, each formatted only when the client is ready for it: a
    large plan's file is never held in memory whole, and its first bytes leave at once.

    Django closes the response, and so this, when the request ends (the file sent, the
    client gone, or never read at all): ``on_close`` then runs, once."""

    def __init__(self, rows: Iterable[list[str]], *, on_close: Callable[[], None]) -> None:
        self._rows = rows
        self._on_close: Callable[[], None] | None = on_close

    def __iter__(self) -> Iterator[str]:
        writer = csv.writer(_Echo())
        # A byte-order mark makes Excel read the file as UTF-8 (accents, dashes).
        chunk = ["\ufeff"]
        for row in self._rows:
            chunk.append(writer.writerow(row))
            if len(chunk) >= CSV_ROWS_PER_CHUNK:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)

    def close(self) -> None:
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()


@require_http_methods(["GET"])
@login_required
@cache_control(private=True, no_store=True)  # applicant data
def plan_list(request: HtmxHttpRequest) -> HttpResponse:
    queryset = plans_of(request.user)
    page = Paginator(queryset, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    recent = list(queryset[:2])
    initial = {"a": recent[1].token, "b": recent[0].token} if len(recent) == 2 else {}
    return render(
        request,
        "assessments/plan_list.html",
        {
            "page": page,
            "rows": history_rows(page),
            "specialty_names": dict(specialty_choices()),
            "compare_form": CompareForm(initial=initial, user=request.user),
            "can_compare": len(recent) == 2,
            # The two selects list every plan and are slow to render; they change only
            # when a plan is added, claimed or deleted.
            "compare_form_key": f"{request.user.pk}:{page.paginator.count}:"
            + ",".join(str(p.pk) for p in recent),
        },
    )


@require_http_methods(["GET"])
@login_required
@cache_control(private=True, no_store=True)  # applicant data
def plan_compare(request: HtmxHttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None, user=request.user)
    comparison = None
    a = b = None
    if form.is_bound and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        # Program lists are stored apart from Plan.output (assessments.models.PlanPrograms).
        pair = (
            Plan.objects.filter(pk__in=[a.pk, b.pk])
            .select_related("program_lists")
            .defer("profile", "inputs")
        )
        outputs = {p.pk: plan_output(p) for p in pair}
        comparison = compare_outputs(outputs.get(a.pk) or {}, outputs.get(b.pk) or {})
    return render(
        request,
        "assessments/plan_compare.html",
        {"form": form, "comparison": comparison, "a": a, "b": b},
    )


@require_http_methods(["GET", "POST"])
@login_required
@cache_control(private=True, no_store=True)  # applicant data
def plan_delete(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    """Delete one plan after a confirmation page; only its owner reaches either (404 else)."""
    plan = get_object_or_404(plans_of(request.user), token=token)
    if request.method == "POST":
        services.plan_delete(plan=plan, user=request.user)
        when = date_format(timezone.localtime(plan.created_at), "j F Y, H:i")
        messages.success(request, f"The plan of {when} is deleted.")
        return redirect("assessments:plan_list")
    return render(
        request,
        "assessments/plan_delete.html",
        {"plan": plan, "specialty_name": dict(specialty_choices()).get(plan.specialty_code)},
    )


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
def plan_print(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    """The whole plan on one page for printing: every section, every program (not one page of
    the table) and the disclaimer."""
    plan = _viewable_plan(request, token, page=True)
    if not isinstance(plan, Plan):
        return plan
    view = plan_view(plan)
    rows = list(RankedRows(view))
    context = {
        "plan": plan,
        "pv": view,
        "parts": _plan_parts(plan, view, ProgramQuery()),
        "rows": rows,
        "in_catalog": programs_in_catalog(row.id for row in rows),
        "is_anonymous_plan": plan.owner_id is None,
    }
    return render(request, "assessments/plan_print.html", context)
