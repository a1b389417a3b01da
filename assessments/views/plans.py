"""Saved plans: the plan page (with its program table and what-if panel), the CSV export,
the history and the comparison of two plans."""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods
from django_htmx.http import retarget

from accounts.ratelimit import (
    RateLimit,
    client_of,
    limit_hit,
    rate_limit,
    slot_acquire,
    slot_release,
    too_many_requests,
)
from assessments import services
from assessments.drafts import session_plan_tokens
from assessments.models import Plan
from assessments.plan_forms import CompareForm, PlanProgramFilterForm, WhatIfForm
from assessments.plans.compare import plan_compare as compare_outputs
from assessments.plans.history import history_rows
from assessments.plans.queries import (
    CATALOG_CHECK_SECONDS,
    plan_for_viewer,
    plans_of,
    programs_in_catalog,
    whatif_specialty_choices,
)
from assessments.plans.reader import plan_output, plan_profile, plan_summary_output
from assessments.plans.table import (
    ProgramQuery,
    ProgramTable,
    matching_rows,
    program_csv_rows,
    program_table,
    sort_links,
)
from assessments.plans.view import (
    PlanView,
    ProgramRow,
    RankedRows,
    build_plan_view,
    plan_view,
    plan_view_lazy,
)
from assessments.profile import ProfileError
from core.http import HtmxHttpRequest
from programs.selectors import specialty_choices

PLAN_TEMPLATE = "assessments/plan_detail.html"
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


def _csv_url(plan: Plan, query: ProgramQuery) -> str:
    params = query.params(page=1)
    url = reverse("assessments:plan_csv", args=[plan.token])
    return url + ("?" + urlencode(params) if params else "")


class ProgramTablePart:
    """The program table (filters, rows, pages) of a plan for one query, as its cached fragment
    (``assessments/includes/plan_programs.html``) reads it: ``key`` says what the table
    depends on besides the immutable plan; the rest is computed only when the fragment is
    missing from the cache.

    ``base_url`` is the page the table's links and filters go to (default: the plan page;
    the advisor's review page shows the same table); ``csv`` offers the CSV download."""

    def __init__(
        self,
        plan: Plan,
        data: QueryDict,
        *,
        view: PlanView | None = None,
        base_url: str = "",
        csv: bool = True,
    ) -> None:
        self.plan = plan
        self._data = data
        self._view = view
        self._csv = csv
        self.plan_url = base_url or reverse("assessments:plan_detail", args=[plan.token])

    # The table links only to programs still in the catalog, checked for CATALOG_CHECK_SECONDS
    # (programs_in_catalog): the fragment is kept as long, so a deleted program's link goes
    # as soon as it would have without the fragment.
    cache_seconds = CATALOG_CHECK_SECONDS

    @cached_property
    def key(self) -> str:
        """The raw query (bad values show as form errors), where the links go, and whether
        the CSV is offered."""
        return _digest(f"{sorted(self._data.lists())}|{self.plan_url}|{self._csv}")

    @cached_property
    def csv_key(self) -> str:
        """The raw query but its page: what the CSV link (in the page header) depends on."""
        return _digest(f"{sorted((k, v) for k, v in self._data.lists() if k != 'page')}")

    @cached_property
    def view(self) -> PlanView:
        return self._view if self._view is not None else plan_view(self.plan)

    @cached_property
    def _query_form(self) -> tuple[ProgramQuery, PlanProgramFilterForm | None]:
        """The table's query from the URL, and the filter form that read it (None when the URL
        has no parameters)."""
        if not self._data:
            return ProgramQuery(), None
        form = PlanProgramFilterForm(self._data, view=self.view)
        return form.to_query(self._data.get("page")), form

    @property
    def query(self) -> ProgramQuery:
        return self._query_form[0]

    @cached_property
    def table(self) -> ProgramTable:
        return program_table(self.view, self.query)  # builds the rows of the page shown only

    @cached_property
    def rows(self) -> list[ProgramRow]:
        return self.table.rows

    @cached_property
    def in_catalog(self) -> set[int]:
        return programs_in_catalog(row.id for row in self.rows)

    @cached_property
    def filter_form_html(self) -> SafeString:
        form = self._query_form[1]
        return render_crispy_form(form or PlanProgramFilterForm(None, view=self.view))

    @cached_property
    def sort_links(self) -> dict[str, dict[str, Any]]:
        return sort_links(self.query)

    @property
    def page_url_prev(self) -> str:
        page = self.table.page
        if not page.has_previous():
            return ""
        return "?" + urlencode(self.query.params(page=page.previous_page_number()))

    @property
    def page_url_next(self) -> str:
        page = self.table.page
        if not page.has_next():
            return ""
        return "?" + urlencode(self.query.params(page=page.next_page_number()))

    @cached_property
    def csv_url(self) -> str:
        return _csv_url(self.plan, self.query) if self._csv else ""


def _page_context(
    request: HtmxHttpRequest,
    plan: Plan,
    *,
    query_data: QueryDict | None = None,
    whatif_form: WhatIfForm | None = None,
    whatif: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the plan page (and its print version) show. The parts every viewer sees alike are
    cached fragments of the templates, keyed by the plan's token and what else each depends
    on (claim state, query; the cache's KEY_PREFIX sets each release apart); ``pv`` is parsed
    only if one is missing. The viewer's own parts (navigation, CSRF token, feedback) render
    per request."""
    view = plan_view_lazy(plan)
    plan_url = reverse("assessments:plan_detail", args=[plan.token])
    return {
        "plan": plan,
        "pv": view,
        "programs": ProgramTablePart(
            plan, request.GET if query_data is None else query_data, view=view
        ),
        "next_query": urlencode({"next": plan_url}),
        # The empty form is a cached fragment; a submitted one renders as submitted. The
        # template calls a callable, so the empty form and its choices are read only when
        # that fragment is missing.
        "whatif_form": whatif_form
        or (
            lambda: WhatIfForm(
                initial=WhatIfForm.initial_from(plan_profile(plan)),
                specialty_choices=whatif_specialty_choices(),
            )
        ),
        "whatif_submitted": whatif_form is not None,
        "whatif_choices": whatif_specialty_choices,
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
        context = {"programs": ProgramTablePart(plan, request.GET)}
        response = render(request, f"{PLAN_TEMPLATE}#programs", context)
    else:
        response = render(request, PLAN_TEMPLATE, _page_context(request, plan))
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
    form = WhatIfForm(request.POST, specialty_choices=whatif_specialty_choices())
    whatif = None
    if form.is_valid():
        try:
            output = services.plan_whatif(
                plan=plan,
                step2ck_score=form.cleaned_data["step2ck_score"],
                visa=form.cleaned_data["visa"],
                specialty=form.cleaned_data["specialty"],
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
            # Like the what-if output, the saved plan is read without its program lists: the
            # panel shows tiers, flags and counts only. (Its page view, `pv`, parses every
            # program row, about 13,000 at 50,000 programs, and is kept in the worker, whose
            # garbage collector then walks them: a cached what-if served 19.0 req/s at that
            # size with it and 219.0 without, make bench, docs/benchmarks.md, stop 26.)
            before = plan_summary_output(plan)
            whatif = {
                "view": build_plan_view(output),
                "before": build_plan_view(before),
                "diff": compare_outputs(before, output),
            }
    context = _page_context(request, plan, whatif_form=form, whatif=whatif)
    if not _partial(request):
        return render(request, PLAN_TEMPLATE, context)
    if whatif is not None and request.htmx.target == "whatif-outcome":
        # The form in the page already shows what was sent: only the outcome is swapped
        # (rendering the form again made a cached what-if cost 11.8-12.4 ms of CPU instead
        # of 7.1-8.0 at 5,000 programs: scripts/profile_request.py, docs/benchmarks.md,
        # stop 26).
        return render(request, f"{PLAN_TEMPLATE}#whatif_outcome", context)
    # Field errors, or a form that showed some: the whole panel, form included.
    return retarget(render(request, f"{PLAN_TEMPLATE}#whatif", context), "#whatif")


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
    initial = _compare_initial(recent)
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


def _compare_initial(recent: list[Plan]) -> dict[str, Any]:
    """The comparison offered first: the two newest plans, the older one as "Earlier"."""
    return {"a": recent[1].token, "b": recent[0].token} if len(recent) == 2 else {}


@require_http_methods(["GET"])
@login_required
@cache_control(private=True, no_store=True)  # applicant data
def plan_compare(request: HtmxHttpRequest) -> HttpResponseBase:
    # Opened without a choice, it offers the two newest plans (as the list does), not the
    # newest one twice.
    initial = {} if request.GET else _compare_initial(list(plans_of(request.user)[:2]))
    form = CompareForm(request.GET or None, user=request.user, initial=initial)
    comparison = None
    a = b = None
    if form.is_bound and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        if a.created_at > b.created_at:
            # The page reads "Earlier" and "Later" (columns, new and resolved flags): a pair
            # chosen newest first is shown oldest first, with the selects to match.
            query = urlencode({"a": b.token, "b": a.token})
            return redirect(f"{reverse('assessments:plan_compare')}?{query}")
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
    return render(request, "assessments/plan_delete.html", {"plan": plan})


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
def plan_print(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    """The whole plan on one page for printing: every section, every program (not one page of
    the table) and the disclaimer."""
    plan = _viewable_plan(request, token, page=True)
    if not isinstance(plan, Plan):
        return plan
    context = _page_context(request, plan, query_data=QueryDict())
    rows = list(RankedRows(context["pv"]))
    context |= {"rows": rows, "in_catalog": programs_in_catalog(row.id for row in rows)}
    return render(request, "assessments/plan_print.html", context)
