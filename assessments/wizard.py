"""The self-assessment wizard as a list of steps (in the manner of pretix's checkout flow).

Each step knows whether the draft has completed it (`is_completed`) and answers its own
GET and POST. The flow (`WizardFlow`) holds one request's draft and answers, which steps
may be entered (a jump ahead lands on the first incomplete step) and the progress indicator.
Answers are saved server-side after every valid step (assessments.drafts).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django_htmx.http import HttpResponseClientRedirect, HttpResponseLocation

from accounts.ratelimit import client_of, limit_hit, rate_limit, too_many_requests
from assessments import drafts, forms
from assessments.forms import (
    BackgroundForm,
    ExamsForm,
    ExperienceForm,
    GoalsForm,
    WizardForm,
    specialty_names,
)
from assessments.models import AssessmentDraft
from assessments.plans.queries import plan_with_same_answers
from assessments.profile import ProfileError, parse_profile
from assessments.services import plan_create
from core.http import HtmxHttpRequest

STEP_TEMPLATE = "assessments/wizard_step.html"
REVIEW_TEMPLATE = "assessments/wizard_review.html"
RETURN_TO_REVIEW = "review"
# How long a set of answers' completed steps stays in the cache (its key holds today's date).
COMPLETED_STEPS_SECONDS = 3600


@functools.cache
def _cached_form_markup_version() -> str:
    digest = hashlib.sha256(Path(forms.__file__).read_bytes())
    digest.update(get_template(STEP_TEMPLATE).template.source.encode())
    for package in ("django", "django-crispy-forms", "crispy-bootstrap5"):
        digest.update(version(package).encode())
    return digest.hexdigest()[:16]


def form_markup_version() -> str:
    """A digest of what draws a step's form (the forms' code, the step template, the crispy
    packs), part of the cached empty form's key: a deploy that changes them never serves the
    previous version's markup."""
    # In development the code is edited while the server runs; read it every time.
    if settings.DEBUG:
        return _cached_form_markup_version.__wrapped__()
    return _cached_form_markup_version()


def is_partial(request: HtmxHttpRequest) -> bool:
    """htmx swaps only the wizard region; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


class FormStep:
    """A step that asks questions with one form and saves its answers into the draft."""

    def __init__(self, name: str, title: str, intro: str, form_class: type[WizardForm]):
        self.name = name
        self.title = title
        self.intro = intro
        self.form_class = form_class

    def __repr__(self) -> str:
        return f"<FormStep {self.name}>"

    @property
    def url(self) -> str:
        return reverse("assessments:wizard_step", args=[self.name])

    def may_save(self, request: HtmxHttpRequest) -> bool:
        """A POST that saves when valid (not a field check or a region refresh)."""
        return (
            request.method == "POST"
            and "_validate" not in request.POST
            and "_refresh" not in request.POST
        )

    def has_answers(self, answers: Mapping[str, Any]) -> bool:
        return bool(self.form_class.data_from_answers(answers))

    def saved_form(
        self, answers: Mapping[str, Any], *, today: dt.date, **kwargs: Any
    ) -> WizardForm:
        """The form as saved: bound to the saved answers so that stale ones show their errors."""
        data = self.form_class.data_from_answers(answers)
        return self.form_class(data or None, answers=answers, today=today, **kwargs)

    def form_kwargs(self, flow: WizardFlow) -> dict[str, Any]:
        """What the form needs from the request beyond the answers (read once per request)."""
        return {"specialties": flow.specialties} if self.form_class.uses_specialties else {}

    def is_completed(self, draft: AssessmentDraft | None, *, today: dt.date | None = None) -> bool:
        answers = drafts.draft_answers(draft)
        if not self.has_answers(answers):
            return False
        return self.saved_form(answers, today=today or timezone.localdate()).is_valid()

    # --- request handling -----------------------------------------------------------------

    def get(self, request: HtmxHttpRequest, flow: WizardFlow) -> HttpResponse:
        form = self.saved_form(
            flow.answers, today=flow.today, htmx_url=self.url, **self.form_kwargs(flow)
        )
        return self.render(request, flow, form)

    def post(self, request: HtmxHttpRequest, flow: WizardFlow) -> HttpResponseBase:
        form = self.form_class(
            request.POST,
            answers=flow.answers,
            today=flow.today,
            htmx_url=self.url,
            **self.form_kwargs(flow),
        )
        field_name = request.POST.get("_validate")
        if field_name is not None:
            # Live validation of one field as it is left: nothing is saved.
            if field_name not in form.fields:
                return HttpResponse(status=204)
            form.is_valid()
            return render(request, f"{STEP_TEMPLATE}#field", {"field": form[field_name]})
        if request.POST.get("_refresh") is not None:
            # A controlling answer changed: show the fields that now apply, without errors
            # for fields the user has not reached yet.
            form.helper.form_show_errors = False
            form.preserve_inputs()
            return render(request, f"{STEP_TEMPLATE}#fields", {"form": form})
        if not form.is_valid():
            return self.render(request, flow, form)
        flow.save(self, form.to_answers())
        if request.POST.get("return") == RETURN_TO_REVIEW:
            target = flow.review.url
        else:
            target = flow.next_step(self).url
        return go_to(request, target)

    def render(self, request: HtmxHttpRequest, flow: WizardFlow, form: WizardForm) -> HttpResponse:
        context = flow.context(self) | {
            "form": form,
            "return_to": RETURN_TO_REVIEW
            if (request.GET.get("return") or request.POST.get("return")) == RETURN_TO_REVIEW
            else "",
            "form_key": self.form_key(request, flow, form),
        }
        template = f"{STEP_TEMPLATE}#wizard" if is_partial(request) else STEP_TEMPLATE
        return render(request, template, context)

    def form_key(self, request: HtmxHttpRequest, flow: WizardFlow, form: WizardForm) -> str:
        """The `{% cache %}` key of the form's markup on a GET, else "" (not cached).

        The markup is a function of the step, today's date (the years offered), the language,
        the code that draws it, the specialties offered (goals step) and the answers: the
        step's own (saved or empty) and the draft's others, which decide what the step asks.
        The answers enter the key as a digest, so the cached markup is served only to a
        request holding exactly the same answers, never to anybody else's. A form that shows
        errors is drawn afresh.
        Measured in-process (SQLite, 200 GETs a step, 7 December 2026): crispy costs 6-27 ms
        a page (the goals step's 56 state boxes most); from the cache a step takes 3.5-4.6 ms
        CPU, a little less than the Python-built markup this replaced (4.1-6.8 ms).
        """
        if request.method != "GET":
            return ""
        # A completed step's saved form is valid (the same answers and day): no need to
        # validate it again to know it shows no error.
        if form.is_bound and self.name not in flow.completed_steps and form.errors:
            return ""
        parts = [self.name, flow.today.isoformat(), get_language() or "", form_markup_version()]
        if self.form_class.uses_specialties:
            offered = repr(list(flow.specialties.items())).encode()
            parts.append(hashlib.sha256(offered).hexdigest()[:16])
        data = form.data if form.is_bound else {}
        answers = json.dumps(
            [
                sorted((name, data.getlist(name)) for name in data)
                if hasattr(data, "getlist")
                else sorted(data.items()),
                flow.answers,
            ],
            sort_keys=True,
            default=str,
        )
        parts.append(hashlib.sha256(answers.encode()).hexdigest())
        return ":".join(parts)


class ReviewRow(NamedTuple):
    name: str
    label: str
    value: str
    change_url: str  # the step, back to the review after, at this field
    label_lower: str


@dataclass(frozen=True)
class ReviewSection:
    step: FormStep
    rows: list[ReviewRow]
    # Worked out here rather than in the template, once per row: the review is the
    # longest wizard page.
    change_url: str
    title_lower: str


class ReviewStep:
    """Every answer with a link to change it, and the button that generates the plan."""

    name = "review"
    title = "Review your answers"
    intro = (
        "Check your answers. Change any of them, then generate your plan. You can come back "
        "and change them later: a new plan is made each time, older plans are kept."
    )

    def __repr__(self) -> str:
        return "<ReviewStep>"

    @property
    def url(self) -> str:
        return reverse("assessments:wizard_step", args=[self.name])

    def may_save(self, request: HtmxHttpRequest) -> bool:
        return False  # generating a plan saves the plan, never the draft

    def is_completed(self, draft: AssessmentDraft | None, *, today: dt.date | None = None) -> bool:
        # Like a checkout's confirmation page, the review is never "done": it is where the
        # wizard ends up once everything before it is.
        return False

    def get(self, request: HtmxHttpRequest, flow: WizardFlow) -> HttpResponseBase:
        if not flow.all_completed():
            return go_to(request, flow.first_incomplete().url)
        return self.render(request, flow, profile_errors=flow.profile_errors())

    def post(self, request: HtmxHttpRequest, flow: WizardFlow) -> HttpResponseBase:
        if flow.draft is None:  # unreachable: the review opens only once every step is done
            return redirect(flow.first_incomplete().url)
        if not flow.all_completed():
            return go_to(request, flow.first_incomplete().url)
        owner = request.user if request.user.is_authenticated else None
        profile_data = drafts.draft_profile_data(flow.draft)
        if not request.POST.get("again"):
            # The same answers as a plan made before: say so and link to it, instead of
            # storing a copy (the user can still ask for one, with today's programs).
            same = plan_with_same_answers(
                user=request.user,
                session_tokens=drafts.session_plan_tokens(request),
                profile_data=profile_data,
            )
            if same is not None:
                return self.render(request, flow, profile_errors=[], unchanged_plan=same)
        # Generating stores a plan: bounded per client, counting only plans really made (the
        # "nothing changed" answer above spends nothing).
        limit = rate_limit("plan_create")
        retry_after = limit_hit(limit=limit, client=client_of(request))
        if retry_after is not None:
            return too_many_requests(
                request, limit=limit, retry_after=retry_after, what="plans generated"
            )
        try:
            plan = plan_create(
                owner=owner,
                profile_data=profile_data,
                session_token_sink=(
                    None if owner else (lambda token: drafts.session_add_plan_token(request, token))
                ),
            )
        except ProfileError as exc:
            return self.render(request, flow, profile_errors=flow.describe_errors(exc))
        target = reverse("assessments:plan_detail", args=[plan.token])
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)

    def render(
        self,
        request: HtmxHttpRequest,
        flow: WizardFlow,
        *,
        profile_errors: list[dict[str, str]],
        unchanged_plan: Any = None,
    ) -> HttpResponse:
        context = flow.context(self) | {
            "sections": flow.review_sections(),
            "profile_errors": profile_errors,
            "unchanged_plan": unchanged_plan,
        }
        template = f"{REVIEW_TEMPLATE}#wizard" if is_partial(request) else REVIEW_TEMPLATE
        return render(request, template, context)


STEPS: list[FormStep | ReviewStep] = [
    FormStep(
        "background",
        "Your background",
        "Where you trained, when you graduated, and the visa you need. Programs filter on "
        "these first.",
        BackgroundForm,
    ),
    FormStep(
        "exams",
        "Your USMLE exams",
        "Your results so far. Step 2 CK is the score programs look at most since Step 1 "
        "became pass/fail.",
        ExamsForm,
    ),
    FormStep(
        "experience",
        "Your US experience, letters and research",
        "US clinical experience and US letters weigh heavily for IMGs.",
        ExperienceForm,
    ),
    FormStep(
        "goals",
        "Your goals",
        "The specialty you aim for, any backups, the season you apply in, and your preferences.",
        GoalsForm,
    ),
    ReviewStep(),
]


# The step tracker's names: short enough for one line at every width (the heading of each
# step gives its full title).
STEP_SHORT_TITLES = {
    "background": "Background",
    "exams": "Exams",
    "experience": "Experience",
    "goals": "Goals",
    "review": "Review",
}


# Error paths from parse_profile, by the step where the user fixes them.
_ERROR_STEP = {
    "specialty": "goals",
    "backup_specialties": "goals",
    "application_year": "goals",
    "preferred_states": "goals",
    "program_types": "goals",
    "budget_usd": "goals",
    "visa": "background",
    "graduation_year": "background",
    "ecfmg_certified": "background",
    "oet_passed": "background",
    "pathway": "background",
    "citizenship": "background",
    "observership_months": "experience",
    "step1": "exams",
    "step2ck": "exams",
    "step3": "exams",
    "usce_months": "experience",
    "usce_in_specialty_months": "experience",
    "us_letters": "experience",
    "sloes": "experience",
    "publications": "experience",
    "presentations": "experience",
    "specialty_experience_years": "experience",
}


def go_to(request: HtmxHttpRequest, target: str) -> HttpResponseBase:
    """Send the user to another step: the wizard region for htmx, else a redirect."""
    if is_partial(request):
        return HttpResponseLocation(target, target="#wizard", swap="outerHTML")
    return redirect(target)


def step_named(
    name: str, steps: Sequence[FormStep | ReviewStep] = STEPS
) -> FormStep | ReviewStep | None:
    """The step called ``name`` among ``steps`` (the wizard's own by default), or None."""
    return next((step for step in steps if step.name == name), None)


class WizardFlow:
    """One request's view of the wizard: the draft, its answers, and where the user may go.

    A step is complete when its form, bound to the saved answers, is valid today (as in
    pretix's checkout flow): each step's saved form is built once per request.
    """

    def __init__(
        self,
        request: HtmxHttpRequest,
        *,
        steps: list[FormStep | ReviewStep] | None = None,
        today: dt.date | None = None,
        lock: bool = False,
    ):
        self.request = request
        self.steps = steps or STEPS
        self.today = today or timezone.localdate()
        # lock: the draft is read FOR UPDATE (the caller holds a transaction) because this
        # request will save it; the save then merges into exactly the answers validated.
        self.locked = lock
        self.draft: AssessmentDraft | None = drafts.draft_for_request(request, lock=lock)
        self._saved_forms: dict[str, WizardForm] = {}

    @property
    def answers(self) -> Mapping[str, Any]:
        return drafts.draft_answers(self.draft)

    @cached_property
    def review(self) -> ReviewStep:
        return next(step for step in self.steps if isinstance(step, ReviewStep))

    def step_named(self, name: str) -> FormStep | ReviewStep | None:
        return step_named(name, self.steps)

    @cached_property
    def specialties(self) -> dict[str, str]:
        """code -> name of every specialty, read at most once per request."""
        return specialty_names()

    def saved_form(self, step: FormStep) -> WizardForm:
        """The step's form bound to the saved answers, built once per request."""
        if step.name not in self._saved_forms:
            self._saved_forms[step.name] = step.saved_form(
                self.answers, today=self.today, **step.form_kwargs(self)
            )
        return self._saved_forms[step.name]

    @property
    def form_steps(self) -> list[FormStep]:
        return [step for step in self.steps if isinstance(step, FormStep)]

    def _validated(self, step: FormStep) -> bool:
        return step.has_answers(self.answers) and self.saved_form(step).is_valid()

    @cached_property
    def completed_steps(self) -> frozenset[str]:
        """Names of the form steps the saved answers complete, each decided by validating its
        saved form. Every wizard page shows the progress of all four steps, so the answer is
        kept in the shared cache under a digest of everything validation reads: the answers,
        today's date and the specialties offered (the cache's KEY_PREFIX holds a digest of the
        code). Validating the four forms cost 1.6-2.0 ms of CPU a page, reading the answer
        0.1-0.2 ms (scripts/bench_micro.py, "wizard progress")."""
        if self.draft is None:
            return frozenset()
        return cache.get_or_set(self.progress_key, self._validate_steps, COMPLETED_STEPS_SECONDS)

    @property
    def progress_key(self) -> str:
        state: list[Any] = [self.answers, self.today.isoformat()]
        # The specialties only where validation reads them (a saved goals step).
        if any(
            s.form_class.uses_specialties and s.has_answers(self.answers) for s in self.form_steps
        ):
            state.append(list(self.specialties.items()))
        digest = hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode())
        return f"wizard:completed:{digest.hexdigest()}"

    def _validate_steps(self) -> frozenset[str]:
        return frozenset(step.name for step in self.form_steps if self._validated(step))

    def all_completed(self) -> bool:
        return all(step.name in self.completed_steps for step in self.form_steps)

    def is_completed(self, step: FormStep | ReviewStep) -> bool:
        if isinstance(step, FormStep):
            return step.name in self.completed_steps
        return step.is_completed(self.draft, today=self.today)

    def first_incomplete(self) -> FormStep | ReviewStep:
        return next((s for s in self.steps if not self.is_completed(s)), self.steps[-1])

    def may_enter(self, step: FormStep | ReviewStep) -> bool:
        """A step is open once every step before it is complete."""
        index = self.steps.index(step)
        return all(self.is_completed(earlier) for earlier in self.steps[:index])

    def next_step(self, step: FormStep | ReviewStep) -> FormStep | ReviewStep:
        index = self.steps.index(step)
        return self.steps[min(index + 1, len(self.steps) - 1)]

    def previous_step(self, step: FormStep | ReviewStep) -> FormStep | ReviewStep | None:
        index = self.steps.index(step)
        return self.steps[index - 1] if index > 0 else None

    def save(self, step: FormStep, answers: dict[str, Any]) -> None:
        """Save one step's valid answers into the draft."""
        self.draft = drafts.draft_save_answers(
            request=self.request, draft=self.draft, answers=answers, locked=self.locked
        )
        self._saved_forms.clear()
        self.__dict__.pop("completed_steps", None)

    # --- presentation ---------------------------------------------------------------------

    def progress(self, current: FormStep | ReviewStep) -> list[dict[str, Any]]:
        items = []
        for number, step in enumerate(self.steps, start=1):
            items.append(
                {
                    "number": number,
                    "name": step.name,
                    "title": step.title,
                    "short_title": STEP_SHORT_TITLES.get(step.name, step.title),
                    "url": step.url,
                    "current": step is current,
                    "completed": self.is_completed(step),
                    "reachable": self.may_enter(step),
                }
            )
        return items

    def context(self, step: FormStep | ReviewStep) -> dict[str, Any]:
        previous = self.previous_step(step)
        return {
            "step": step,
            "step_number": self.steps.index(step) + 1,
            "step_count": len(self.steps),
            "progress": self.progress(step),
            "previous_step": previous,
            "is_last_form_step": self.next_step(step) is self.review,
            # Logged in with answers from before, not yet chosen between (no query: the
            # session says so; the choice page checks the draft itself).
            "draft_choice_pending": self.request.user.is_authenticated
            and drafts.SESSION_DRAFT_KEY in self.request.session,
        }

    def review_sections(self) -> list[ReviewSection]:
        sections = []
        for step in self.steps:
            if isinstance(step, FormStep):
                change_url = f"{step.url}?return={RETURN_TO_REVIEW}"
                rows = [
                    ReviewRow(name, label, value, f"{change_url}#id_{name}", label.lower())
                    for name, label, value in self.saved_form(step).summary()
                ]
                sections.append(
                    ReviewSection(
                        step=step,
                        rows=rows,
                        change_url=change_url,
                        title_lower=step.title.lower(),
                    )
                )
        return sections

    def profile_errors(self) -> list[dict[str, str]]:
        """What the engine would reject in these answers (normally nothing: the forms
        check the same rules), so the review can say where to fix it."""
        if self.draft is None:
            return []
        codes = set(self.specialties)
        try:
            parse_profile(
                drafts.draft_profile_data(self.draft), specialty_codes=codes, today=self.today
            )
        except ProfileError as exc:
            return self.describe_errors(exc)
        return []

    def describe_errors(self, exc: ProfileError) -> list[dict[str, str]]:
        described = []
        for path, message in exc.errors.items():
            root = path.split(".")[0].split("[")[0]
            step = self.step_named(_ERROR_STEP.get(root, "")) or self.steps[0]
            described.append(
                {"path": path, "message": message, "step_title": step.title, "url": step.url}
            )
        return described
