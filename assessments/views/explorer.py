"""The specialty explorer: "Your standing in every specialty", for the wizard's draft or a
saved plan, its side-by-side comparison of two specialties, and the buttons that put a
specialty into the wizard's goals step."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from assessments import drafts, explorer, services
from assessments.explorer_forms import CompareForm, ExplorerForm, PickForm
from assessments.models import AssessmentDraft, Plan
from assessments.plan_forms import VISA_WORDS
from assessments.plans.queries import plan_for_viewer, plans_of
from assessments.plans.reader import plan_profile
from assessments.profile import ProfileError
from assessments.wizard import FormStep, WizardFlow, go_to, step_named
from core.http import HtmxHttpRequest

TEMPLATE = "assessments/explorer.html"
COMPARE_TEMPLATE = "assessments/explorer_compare.html"


# --- where the answers come from -------------------------------------------------------------


def _plan_for(request: HtmxHttpRequest, token: uuid.UUID) -> Plan | HttpResponseBase:
    """The plan if this viewer may open its page (the plan page's own rule)."""
    tokens = drafts.session_plan_tokens(request)
    plan = plan_for_viewer(user=request.user, session_tokens=tokens, token=token)
    if plan is not None:
        return plan
    if not request.user.is_authenticated and str(token) not in tokens:
        return redirect_to_login(reverse("assessments:plan_explorer", args=[token]))
    raise Http404("No such plan.")


def _source(
    request: HtmxHttpRequest, token: uuid.UUID | None, *, plan_view: str
) -> tuple[dict[str, Any], Plan | None] | HttpResponseBase:
    """The answers to explore (the plan's, or the wizard draft's) and the plan, if any.

    Without a draft, an account with saved plans is sent to ``plan_view`` of its latest plan
    (same query); anybody else to the wizard, told why."""
    if token is not None:
        plan = _plan_for(request, token)
        if not isinstance(plan, Plan):
            return plan
        return plan_profile(plan), plan
    draft = drafts.draft_for_request(request)
    if draft is not None:
        return drafts.draft_profile_data(draft), None
    latest = plans_of(request.user).first() if request.user.is_authenticated else None
    if latest is not None:
        url = reverse(plan_view, args=[latest.token])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    messages.info(
        request,
        "The explorer places your answers in every specialty. Answer the self-assessment "
        "first; the goals step links to the explorer.",
    )
    return redirect("assessments:wizard")


def _urls(plan: Plan | None) -> dict[str, str]:
    if plan is None:
        return {
            "page": reverse("assessments:explorer"),
            "compare": reverse("assessments:explorer_compare"),
            "back": reverse("assessments:wizard_step", args=["goals"]),
            "back_label": "Back to your goals",
        }
    return {
        "page": reverse("assessments:plan_explorer", args=[plan.token]),
        "compare": reverse("assessments:plan_explorer_compare", args=[plan.token]),
        "back": reverse("assessments:plan_detail", args=[plan.token]),
        "back_label": "Back to the plan",
    }


def _question(
    request: HtmxHttpRequest, data: dict[str, Any]
) -> tuple[explorer.Question | None, explorer.Filters, ExplorerForm, list[str]]:
    """What to explore with the request's what-if values and filters (None, with the
    problems, when the answers cannot be explored yet)."""
    today = timezone.localdate()
    preferred = data.get("preferred_states")
    preferred_states = (
        tuple(state for state in preferred if isinstance(state, str))
        if isinstance(preferred, list)
        else ()
    )
    form = ExplorerForm(request.GET or None, preferred_states=preferred_states)
    values = form.values() if form.is_bound else {}
    changed = services.whatif_profile(
        data,
        step2ck_score=values.get("step2ck_score"),
        visa=values.get("visa"),
        today=today,
    )
    filters = explorer.Filters(
        # "sponsors your visa" means nothing without a visa need
        sponsor_only=bool(values.get("sponsor")) and changed.get("visa") != "none",
        states=preferred_states if values.get("preferred") else (),
    )
    try:
        question = explorer.ask(profile_data=changed, today=today)
    except ProfileError as exc:
        return None, filters, form, [f"{path}: {message}" for path, message in exc.errors.items()]
    return question, filters, form, []


def _query(request: HtmxHttpRequest, **changes: str) -> str:
    """The request's query string with ``changes`` (an empty value drops the key), keys in
    order: one set of values is one string (it keys the cached table)."""
    params = {key: request.GET.getlist(key) for key in sorted(request.GET) if key not in changes}
    params.update({key: [value] for key, value in changes.items() if value})
    return urlencode(sorted(params.items()), doseq=True)


# The table column each sort belongs to (for aria-sort on its header).
SORT_COLUMNS = {
    "name": "name",
    "tier": "tier",
    "chances": "tier",
    "match_rate": "tier",
    "likely": "fits",
    "target": "fits",
    "reach": "fits",
    "sponsoring": "sponsoring",
    "applications": "applications",
    "cost": "applications",
    "signals": "signals",
    "start": "start",
}


def _aria_sort(key: str, descending: bool) -> dict[str, str]:
    """aria-sort of each column header: only the name sorts plainly A to Z; the others go
    best first by their own measure, which is "other"."""
    column = SORT_COLUMNS.get(key, "tier")
    if column == "name":
        return {column: "descending" if descending else "ascending"}
    return {column: "other"}


def _sort_links(request: HtmxHttpRequest, key: str, descending: bool) -> dict[str, Any]:
    links = {}
    for name, (label, _sort) in explorer.SORTS.items():
        current = name == key
        target = f"-{name}" if current and not descending else name
        links[name] = {
            "url": "?" + _query(request, sort="" if target == explorer.DEFAULT_SORT else target),
            "label": label,
            "current": current,
            "descending": current and descending,
        }
    return links


def _may_pick(draft: AssessmentDraft | None, data: dict[str, Any], plan: Plan | None) -> bool:
    """The pick buttons write the viewer's wizard draft (explorer_pick). On a saved plan's
    explorer they appear only while that draft still holds the plan's answers: otherwise a
    pick would put the specialty into other answers than the rows show."""
    if plan is None:
        return True
    return draft is not None and drafts.draft_profile_data(draft) == data


# --- pages -----------------------------------------------------------------------------------


def _page(request: HtmxHttpRequest, token: uuid.UUID | None) -> HttpResponseBase:
    source = _source(request, token, plan_view="assessments:plan_explorer")
    if isinstance(source, HttpResponseBase):
        return source
    data, plan = source
    question, filters, form, problems = _question(request, data)
    key, descending = explorer.parse_sort(request.GET.get("sort"))

    # Everything below the what-if form is cached by the question's key, the query and the
    # sort (the template's {% cache %} blocks): on a hit nothing here is computed, not even
    # the standings' read from the cache (scripts/profile_request.py over the benchmark's six
    # explorer URLs at 5,000 programs, two runs each, mean CPU per request: 12.8-14.1 ms with
    # only the table cached, 9.7-11.2 ms with this).
    def exploration() -> explorer.Exploration | None:
        return explorer.explore(question, filters) if question else None

    def rows() -> list[explorer.Row]:
        found = lazy["exploration"]
        return explorer.sort_rows(found.rows, key, descending) if found else []

    def compare_form() -> CompareForm:
        ordered = lazy["rows"]
        # Compare the first two rows of the current order, unless told otherwise.
        return CompareForm(
            initial=dict(zip(("a", "b"), [row.code for row in ordered[:2]], strict=False)),
            choices=[(row.code, row.name) for row in explorer.sort_rows(ordered, "name")],
        )

    def season_sources() -> list[str]:
        ordered = lazy["rows"]
        return sorted(
            {row.season.signals_source for row in ordered if row.season.signals_source}
            | {row.season.platform_source for row in ordered}
        )

    def signal_notes() -> list[tuple[str, list[str]]]:
        """(note, names of the specialties it is about), each note once."""
        names: dict[str, list[str]] = {}
        for row in explorer.sort_rows(lazy["rows"], "name"):
            if row.season.signals_caveat:
                names.setdefault(row.season.signals_note, []).append(row.name)
        return list(names.items())

    lazy = {
        name: SimpleLazyObject(make)
        for name, make in (
            ("exploration", exploration),
            ("rows", rows),
            ("compare_form", compare_form),
            ("season_sources", season_sources),
            ("signal_notes", signal_notes),
            ("sort_links", lambda: _sort_links(request, key, descending)),
        )
    }
    # Only a saved plan's explorer asks (the draft's own explorer always may pick).
    draft = drafts.draft_for_request(request) if plan is not None else None
    context = {
        "plan": plan,
        "question": question,
        "problems": problems,
        "form": form,
        "sort_key": key,
        "sort_descending": descending,
        "aria_sort": _aria_sort(key, descending),
        "query": _query(request, sort=""),
        "urls": _urls(plan),
        "may_pick": _may_pick(draft, data, plan),
        # Without a draft, /explore/ would send the viewer straight back here.
        "has_draft": draft is not None,
        "wizard_url": reverse("assessments:wizard"),
        "visa_word": VISA_WORDS.get(question.profile.visa, "") if question else "",
        **lazy,
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    response = render(request, f"{TEMPLATE}#results" if partial else TEMPLATE, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_http_methods(["GET"])
def explorer_page(request: HtmxHttpRequest) -> HttpResponseBase:
    """The standing of the wizard draft's answers in every specialty."""
    return _page(request, None)


@require_http_methods(["GET"])
def plan_explorer(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    """The standing of a saved plan's answers in every specialty."""
    return _page(request, token)


def _compare(request: HtmxHttpRequest, token: uuid.UUID | None) -> HttpResponseBase:
    source = _source(request, token, plan_view="assessments:plan_explorer_compare")
    if isinstance(source, HttpResponseBase):
        return source
    data, plan = source
    question, filters, form, problems = _question(request, data)
    found = explorer.explore(question, filters) if question else None
    rows = explorer.sort_rows(found.rows, "name") if found else []
    compare_form = CompareForm(
        request.GET if "a" in request.GET else None,
        choices=[(row.code, row.name) for row in rows],
    )
    pair = None
    if found is not None and compare_form.is_bound and compare_form.is_valid():
        pair = (
            found.row(compare_form.cleaned_data["a"]),
            found.row(compare_form.cleaned_data["b"]),
        )
    return render(
        request,
        COMPARE_TEMPLATE,
        {
            "plan": plan,
            "exploration": found,
            "problems": problems,
            "compare_form": compare_form,
            "pair": pair,
            "query": _query(request, a="", b=""),
            "urls": _urls(plan),
            "may_pick": _may_pick(
                drafts.draft_for_request(request) if plan is not None else None, data, plan
            ),
        },
    )


@require_http_methods(["GET"])
def explorer_compare(request: HtmxHttpRequest) -> HttpResponseBase:
    return _compare(request, None)


@require_http_methods(["GET"])
def plan_explorer_compare(request: HtmxHttpRequest, token: uuid.UUID) -> HttpResponseBase:
    return _compare(request, token)


# --- into the wizard ---------------------------------------------------------------------------


def _goals_data(step: FormStep, flow: WizardFlow, code: str, role: str) -> dict[str, Any]:
    """The goals step's form data with ``code`` as the primary or one more backup."""
    data = step.form_class.data_from_answers(flow.answers) or {
        "specialty": "",
        "backup_specialties": [],
        "application_year": "",
        "preferred_states": [],
        "program_types": [],
        "budget_usd": "",
    }
    backups = [c for c in data.get("backup_specialties", []) if c]
    if role == "primary":
        data["specialty"] = code
        backups = [c for c in backups if c != code]
    elif code not in backups:
        backups.append(code)
    data["backup_specialties"] = backups
    if not data.get("application_year"):
        # The season the explorer assumed (this year's), shown on the review to change.
        data["application_year"] = str(flow.today.year)
    return data


@require_http_methods(["POST"])
def explorer_pick(request: HtmxHttpRequest) -> HttpResponseBase:
    """Put a specialty into the wizard's goals step, as the primary or as one more backup,
    through the goals step's own form and the wizard's own save; then show the review (or,
    when the goals do not validate, the goals step with its errors). Saves no plan."""
    pick = PickForm(request.POST)
    if not pick.is_valid():
        return redirect("assessments:explorer")
    goals = step_named("goals")
    if not isinstance(goals, FormStep):  # pragma: no cover - the wizard's own step list
        raise Http404("No goals step.")
    with transaction.atomic():
        flow = WizardFlow(request, lock=True)
        if not flow.may_enter(goals):
            return go_to(request, flow.first_incomplete().url)
        data = _goals_data(goals, flow, *pick.choice())
        form = goals.form_class(
            data,
            answers=flow.answers,
            today=flow.today,
            htmx_url=goals.url,
            **goals.form_kwargs(flow),
        )
        if not form.is_valid():
            return goals.render(request, flow, form)
        flow.save(goals, form.to_answers())
    return redirect(flow.review.url)
