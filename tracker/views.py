"""The application season: the applicant's pages (applications, progress, calendar, rank
list) and the advisor's read-only view with comments.

Status codes: anonymous visitors are sent to log in; another applicant's application or
rank entry is 404; advisor pages follow advising's rules (403 outside the Advisors group,
404 for an applicant the advisor does not advise). Every form works without JavaScript;
htmx swaps the named partials when it is there.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from advising.selectors import has_advisor
from advising.views import advisor_required
from assessments.models import Plan
from core.http import HtmxHttpRequest
from programs.exports import csv_safe
from programs.models import Program
from tracker import ics, reminders, rules, selectors, services
from tracker.forms import (
    ADVISOR_NOTE_CHARS,
    AddForm,
    CommentForm,
    MoveForm,
    NotesForm,
    OutcomeForm,
    SettingsForm,
)
from tracker.models import RankListEntry, Season, Status

# An interview's length in the calendar file when the program gave none.
INTERVIEW_MINUTES = 60


def _partial(request: HtmxHttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _year(request: HtmxHttpRequest) -> int | None:
    """The ?year= of the season to show; None (the newest season) when absent or not a
    plausible Match year (a huge number would overflow the database column)."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


def _season(request: HtmxHttpRequest) -> Season | None:
    return selectors.season_for(request.user, _year(request))


def _no_season(request: HtmxHttpRequest, tab: str) -> dict[str, Any]:
    """A season page without the season asked for: a ?year= the user has no season for
    lists the Match years they do have, not "You have not started a season yet"."""
    return {
        "season": None,
        "tab": tab,
        "year": _year(request),
        "seasons": list(selectors.user_seasons(request.user).values_list("match_year", flat=True)),
    }


def _with_year(name: str, season: Season | None, *args: Any) -> str:
    url = reverse(name, args=args)
    return f"{url}?year={season.match_year}" if season else url


def _base_url(request: HtmxHttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- Season page -------------------------------------------------------------------------


def _season_context(season: Season, applications: list[Any]) -> dict[str, Any]:
    return {
        "season": season,
        "applications": applications,
        "signals": selectors.signal_uses(season, applications),
        "seasons": list(
            Season.objects.filter(owner_id=season.owner_id).values_list("match_year", flat=True)
        ),
        "statuses": dict(Status.choices),
    }


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        return render(request, "tracker/home.html", _no_season(request, "applications"))
    applications = selectors.season_applications(season)
    comments = selectors.season_comments(season)
    context = {
        **_season_context(season, applications),
        "tab": "applications",
        "comments": comments,
        # Where no comment is in yet: asking to share with an advisor, or waiting for one.
        "has_advisor": not comments and has_advisor(request.user),
        "settings_form": SettingsForm(
            initial={"reminders": season.reminders, "share_outcomes": season.share_outcomes},
            action=_with_year("tracker:settings", season),
        ),
    }
    return render(request, "tracker/home.html", context)


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def season_settings(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        raise Http404("No season yet.")
    form = SettingsForm(request.POST, action="")
    if form.is_valid():
        services.season_settings_update(season=season, **form.cleaned_data)
        messages.success(request, "Your choices are saved.")
    return redirect(_with_year("tracker:home", season))


# --- Adding programs ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def add(request: HtmxHttpRequest) -> HttpResponse:
    """GET: a confirmation page (the no-JavaScript path from a plan or the program browser,
    whose cached rows carry no CSRF token); POST: add the program."""
    form = AddForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return render(request, "tracker/add.html", {"form": form, "program": None}, status=400)
    program = (
        Program.objects.filter(pk=form.cleaned_data["program"]).select_related("specialty").first()
    )
    if program is None:
        raise Http404("No such program.")
    plan = None
    if form.cleaned_data.get("plan"):
        plan = Plan.objects.filter(token=form.cleaned_data["plan"], owner=request.user).first()
    if request.method == "GET":
        season = selectors.adding_season(request.user, plan)
        already = bool(season and season.applications.filter(program=program).exists())
        context = {"form": form, "program": program, "already": already, "season": season}
        return render(request, "tracker/add.html", context)
    application, created = services.application_add(owner=request.user, program=program, plan=plan)
    if _partial(request):
        return render(
            request,
            "tracker/includes/add_button.html#added",
            {"application": application, "created": created},
        )
    if created:
        messages.success(request, f"{program.name} is in My applications.")
    else:
        messages.info(request, f"{program.name} was already in My applications.")
    return redirect(
        _with_year("tracker:home", application.season) + f"#application-{application.pk}"
    )


# --- One application ---------------------------------------------------------------------


def _own_application(request: HtmxHttpRequest, pk: int) -> Any:
    application = selectors.application_for(request.user, pk)
    if application is None:
        raise Http404("No such application.")
    return application


def _application_context(application: Any, **forms: Any) -> dict[str, Any]:
    season = application.season
    rule = selectors.signals_allowed(application.program.specialty, season.match_year)
    return {
        "season": season,
        "application": application,
        "timeline": list(application.changes.all()),
        "signal_rule": rule,
        "move_form": forms.get("move_form")
        or MoveForm(
            current=application.status,
            action=reverse("tracker:move", args=[application.pk]),
        ),
        "notes_form": forms.get("notes_form")
        or NotesForm(
            initial={"notes": application.notes},
            action=reverse("tracker:notes", args=[application.pk]),
        ),
        "tab": "applications",
    }


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def application(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return render(
        request, "tracker/application.html", _application_context(_own_application(request, pk))
    )


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    form = MoveForm(
        request.POST, current=application.status, action=reverse("tracker:move", args=[pk])
    )
    if form.is_valid():
        data = form.cleaned_data
        # A final status takes the program off the rank list (services.application_move).
        ranked = (
            data["status"] in rules.FINAL
            and RankListEntry.objects.filter(application=application).exists()
        )
        try:
            services.application_move(
                application=application,
                status=data["status"],
                on=data["on"],
                platform=data["platform"],
                signal_kind=data["signal_kind"],
                interview_at=data["interview_at"],
                interview_mode=data["interview_mode"],
                note=data["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            off_list = " It is off your rank list." if ranked else ""
            messages.success(request, f"Status saved: {Status(data['status']).label}.{off_list}")
            return redirect("tracker:application", pk=pk)
    context = _application_context(application, move_form=form)
    return render(request, "tracker/application.html", context, status=400)


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def notes(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    form = NotesForm(request.POST, action=reverse("tracker:notes", args=[pk]))
    if form.is_valid():
        services.application_update_notes(application=application, notes=form.cleaned_data["notes"])
        messages.success(request, "Notes saved.")
        return redirect("tracker:application", pk=pk)
    context = _application_context(application, notes_form=form)
    return render(request, "tracker/application.html", context, status=400)


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    try:
        services.application_remove(application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tracker:application", pk=pk)
    messages.success(request, f"{application.program.name} removed.")
    return redirect(_with_year("tracker:home", application.season))


# --- Progress and calendar ---------------------------------------------------------------


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def progress(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        return render(request, "tracker/progress.html", _no_season(request, "progress"))
    applications = selectors.season_applications(season)
    context = {
        "season": season,
        "tab": "progress",
        "progress": selectors.season_progress(season, applications),
        "checkpoint_basis": rules.CHECKPOINT_BASIS,
    }
    return render(request, "tracker/progress.html", context)


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def calendar(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        return render(request, "tracker/calendar.html", _no_season(request, "calendar"))
    rows = selectors.interview_calendar(selectors.season_applications(season))
    context = {
        "season": season,
        "tab": "calendar",
        "rows": rows,
        "clashes": sum(1 for r in rows if r.clash),
    }
    return render(request, "tracker/calendar.html", context)


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def calendar_ics(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        raise Http404("No season yet.")
    rows = selectors.interview_calendar(selectors.season_applications(season), upcoming=False)
    host = request.get_host().split(":")[0] or "matchplan"
    events = [
        ics.Event(
            uid=f"interview-{r.application.pk}@{host}",
            # The clock time the applicant typed (the form reads it in the server's zone; no
            # user has a zone of their own), as a floating time: their calendar shows it as
            # typed, where an exported UTC time would move it by their offset from UTC.
            start=timezone.localtime(r.application.interview_at).replace(tzinfo=None),
            duration_minutes=INTERVIEW_MINUTES,
            summary=f"Interview: {r.application.program.name}",
            description=(
                f"{r.application.get_interview_mode_display()} interview, "
                f"{r.application.program.institution}. Check the program's email for the "
                "exact schedule."
            ),
            location=(
                "Virtual"
                if r.application.interview_mode == "virtual"
                else f"{r.application.program.city}, {r.application.program.state}"
            ),
        )
        for r in rows
    ]
    body = ics.calendar(events, now=timezone.now(), name=f"Interviews {season.match_year}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="matchplan-interviews-{season.match_year}.ics"'
    )
    return response


# --- Rank list ---------------------------------------------------------------------------


def _rank_basics(season: Season) -> dict[str, Any]:
    """The rank list draft and its dates, as the applicant's and the advisor's pages show them."""
    entries = selectors.rank_entries(season)
    calendar = selectors.match_calendar(season.match_year)
    deadline = calendar.rank_list_deadline.date
    target = selectors.rank_target(season.plan)
    return {
        "season": season,
        "entries": entries,
        "calendar": calendar,
        "deadline": deadline,
        "days_left": (deadline - timezone.localdate()).days,
        "rank_target": target,
        "below_target": target is not None and len(entries) < target,
        "ranking_open": timezone.localdate() >= calendar.ranking_opens.date,
    }


def _outcome_programs(applications: list[Any]) -> list[tuple[int, str]]:
    return [(a.program_id, a.program.name) for a in applications]


def _rank_context(
    season: Season, applications: list[Any], outcome_form: OutcomeForm | None = None
) -> dict[str, Any]:
    context = _rank_basics(season)
    fees = context["calendar"].rank_fees
    ranks = len(context["entries"])
    outcome = selectors.season_outcome(season)
    return {
        **context,
        "outcome_open": selectors.outcome_recordable(season, calendar=context["calendar"]),
        "rankable": selectors.rankable(applications),
        "extra_cost": rules.nrmp_extra_rank_cost(
            ranks=ranks, included=fees.included, fee_per_rank=fees.per_rank
        ),
        "extra_ranks": max(0, ranks - fees.included),
        "outcome": outcome,
        "outcome_form": outcome_form
        or OutcomeForm(
            initial={"result": outcome.result, "program": outcome.program_id} if outcome else None,
            programs=_outcome_programs(applications),
            action=_with_year("tracker:outcome", season),
        ),
        "tab": "rank",
    }


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def rank_list(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        return render(request, "tracker/rank_list.html", _no_season(request, "rank"))
    context = _rank_context(season, selectors.season_applications(season))
    return render(request, "tracker/rank_list.html", context)


def _rank_response(request: HtmxHttpRequest, season: Season) -> HttpResponse:
    if _partial(request):
        context = _rank_context(season, selectors.season_applications(season))
        response = render(request, "tracker/rank_list.html#ranks", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    return redirect(_with_year("tracker:rank_list", season))


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def rank_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    try:
        services.rank_list_add(season=application.season, application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _rank_response(request, application.season)


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def rank_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        RankListEntry.objects.select_related("season"), pk=pk, season__owner=request.user
    )
    try:
        services.rank_list_move(
            season=entry.season, entry=entry, direction=request.POST.get("direction", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _rank_response(request, entry.season)


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def rank_order(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        raise Http404("No season yet.")
    try:
        ids = [int(v) for v in request.POST.getlist("entry")]
        services.rank_list_reorder(season=season, entry_ids=ids)
    except (ValueError, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else "Bad order."
        messages.error(request, text)
    return _rank_response(request, season)


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def rank_csv(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        raise Http404("No season yet.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="matchplan-rank-list-{season.match_year}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        ["Rank", "Program", "Institution", "City", "State", "Specialty", "ACGME id", "Notes"]
    )
    for entry in selectors.rank_entries(season):
        p = entry.application.program
        writer.writerow(
            [
                csv_safe(v)
                for v in (
                    entry.position,
                    p.name,
                    p.institution,
                    p.city,
                    p.state,
                    p.specialty.name,
                    p.acgme_id or "",
                    entry.application.notes,
                )
            ]
        )
    return response


@require_http_methods(["GET"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def rank_print(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        raise Http404("No season yet.")
    return render(request, "tracker/rank_print.html", _rank_basics(season))


@require_http_methods(["POST"])
@cache_control(private=True, no_store=True)  # applicant data
@login_required
def outcome(request: HtmxHttpRequest) -> HttpResponse:
    season = _season(request)
    if season is None:
        raise Http404("No season yet.")
    applications = selectors.season_applications(season)
    form = OutcomeForm(request.POST, programs=_outcome_programs(applications), action="")
    if form.is_valid():
        program = None
        if form.cleaned_data["program"]:
            program = Program.objects.filter(pk=form.cleaned_data["program"]).first()
        try:
            services.outcome_record(
                season=season, result=form.cleaned_data["result"], program=program
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Outcome recorded.")
            return redirect(_with_year("tracker:rank_list", season))
    context = _rank_context(season, applications, outcome_form=form)
    return render(request, "tracker/rank_list.html", context, status=400)


# --- Advisors ----------------------------------------------------------------------------


def _advisable_season(request: HtmxHttpRequest, pk: int) -> Season:
    return get_object_or_404(selectors.advisable_seasons(request.user), pk=pk)


def _advisor_context(season: Season, form: CommentForm | None = None) -> dict[str, Any]:
    applications = selectors.season_applications(season)
    return {
        **_season_context(season, applications),
        **_rank_basics(season),
        "progress": selectors.season_progress(season, applications),
        "checkpoint_basis": rules.CHECKPOINT_BASIS,
        "comments": selectors.season_comments(season),
        "comment_form": form
        or CommentForm(action=reverse("tracker:advise_comment", args=[season.pk])),
        "applicant": season.owner,
        "note_chars": ADVISOR_NOTE_CHARS,
    }


@require_http_methods(["GET"])
@advisor_required
@cache_control(private=True, no_store=True)  # applicant data
def advise(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    season = _advisable_season(request, pk)
    return render(request, "tracker/advise.html", _advisor_context(season))


@require_http_methods(["POST"])
@advisor_required
@cache_control(private=True, no_store=True)  # applicant data
def advise_comment(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    season = _advisable_season(request, pk)
    form = CommentForm(request.POST, action=reverse("tracker:advise_comment", args=[pk]))
    if form.is_valid():
        try:
            services.season_comment_create(
                season=season,
                author=request.user,
                body=form.cleaned_data["body"],
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, "Comment added. The applicant gets an email.")
            return redirect(reverse("tracker:advise", args=[pk]) + "#comments")
    return render(request, "tracker/advise.html", _advisor_context(season, form), status=400)


# --- Reminders: unsubscribe --------------------------------------------------------------


# The one-click POST (RFC 8058) comes from the mail provider, without our cookie or form
# token, so CSRF would refuse it; the signed token in the URL is the credential instead.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """One click: the token (signed, from the email) is the credential. GET shows the button
    (mail scanners follow links); POST, also the RFC 8058 one-click target, unsubscribes."""
    user = reminders.user_for_token(token)
    if user is None:
        return render(request, "tracker/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        reminders.unsubscribe(user=user)
        # Only applicants have the switch on My applications; advisors have no season.
        context = {"done": True, "has_season": user.seasons.exists()}
        return render(request, "tracker/unsubscribe.html", context)
    return render(request, "tracker/unsubscribe.html", {"token": token})
