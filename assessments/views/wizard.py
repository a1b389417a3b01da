"""The self-assessment wizard: one URL per step, the steps themselves live in assessments.wizard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from assessments import drafts
from assessments.forms import specialty_names
from assessments.models import AssessmentDraft
from assessments.wizard import (
    STEPS,
    FormStep,
    HtmxHttpRequest,
    ReviewStep,
    WizardFlow,
    go_to,
    step_named,
)
from core.http import safe_next


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


def _answers_overview(draft: AssessmentDraft, specialties: dict[str, str]) -> list[tuple[str, str]]:
    """A few answers that tell two drafts apart, in words, for the choice page."""
    answers = drafts.draft_answers(draft)
    step2ck = answers.get("step2ck") if isinstance(answers.get("step2ck"), dict) else {}
    backups = answers.get("backup_specialties") or []
    form_steps = [step for step in STEPS if isinstance(step, FormStep)]
    completed = sum(step.is_completed(draft) for step in form_steps)
    # "None" and "Not taken yet" are answers: before their step is answered, "Not given".
    if "specialty" not in answers:
        backups_text = "Not given"
    else:
        backups_text = ", ".join(specialties.get(code, code) for code in backups) or "None"
    if step2ck.get("score"):
        score_text = str(step2ck["score"])
    elif step2ck.get("planned_date"):
        score_text = "Not taken yet"
    else:
        score_text = "Not given"
    return [
        ("Primary specialty", specialties.get(answers.get("specialty") or "", "Not given")),
        ("Backup specialties", backups_text),
        ("Step 2 CK score", score_text),
        ("Application year", str(answers.get("application_year") or "Not given")),
        ("Steps answered", f"{completed} of {len(form_steps)}"),
        ("Last changed", date_format(timezone.localtime(draft.updated_at), "j F Y, H:i")),
    ]


@login_required
@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)  # applicant data
def draft_choice(request: HtmxHttpRequest) -> HttpResponseBase:
    """Logged in with answers given before: ask which answers to keep, never drop one unasked."""
    next_url = safe_next(request) or reverse("assessments:wizard")
    pending = drafts.pending_draft_choice(request)
    saved = drafts.draft_for_user(user=request.user)
    if pending is None or saved is None:
        return redirect(next_url)
    if request.method == "POST":
        keep = request.POST.get("keep")
        if keep in (drafts.DRAFT_KEEP_SAVED, drafts.DRAFT_KEEP_NEW):
            drafts.draft_choose(request=request, keep=keep)
            if keep == drafts.DRAFT_KEEP_NEW:
                messages.success(request, "Your account now keeps the answers you just gave.")
            else:
                messages.success(request, "Your account keeps its saved answers.")
            return redirect(next_url)
    specialties = specialty_names()
    context = {
        "saved": _answers_overview(saved, specialties),
        "new": _answers_overview(pending, specialties),
        "next": next_url,
        "choice_missing": request.method == "POST",
    }
    return render(request, "assessments/draft_choice.html", context)
