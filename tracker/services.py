"""Writes of the application season. Each validates, runs in one transaction and raises
ValidationError (keyed by field where a form shows it) on bad input."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import Plan
from programs.models import Program
from tracker import rules, selectors
from tracker.models import (
    Application,
    InterviewMode,
    Outcome,
    OutcomeResult,
    Platform,
    RankListEntry,
    ReminderOptOut,
    Season,
    SeasonComment,
    SignalKind,
    Status,
    StatusChange,
)

logger = logging.getLogger(__name__)

COMMENT_MAX_LENGTH = 5000


@transaction.atomic
def season_get_or_create(
    *, owner: Any, match_year: int | None = None, plan: Plan | None = None
) -> Season:
    """The owner's season for `match_year` (from the plan's application year, else the
    season under way), created and linked to `plan` (else the newest plan) when missing."""
    if plan is not None and plan.owner_id != owner.pk:
        raise PermissionDenied("Not your plan.")
    plan = plan or selectors.latest_plan(owner)
    year = match_year or selectors.plan_match_year(plan)
    season, created = Season.objects.get_or_create(
        owner=owner, match_year=year, defaults={"plan": plan}
    )
    if not created and season.plan_id is None and plan is not None:
        season.plan = plan
        season.save(update_fields=["plan"])
    return season


def _plan_row(plan: Plan | None, program_id: int) -> dict[str, Any] | None:
    if plan is None:
        return None
    from assessments.plan_store import plan_program_lists

    listed, _excluded = plan_program_lists(plan)
    if not listed and isinstance(plan.output, dict):
        listed = plan.output.get("programs") or []
    for row in listed:
        if isinstance(row, dict) and row.get("id") == program_id:
            return row
    return None


def _record(
    application: Application, status: str, note: str = "", on: dt.date | None = None
) -> None:
    """A timeline row, dated `on` (a past change entered late) or now."""
    when = timezone.now()
    if on is not None and on != timezone.localdate():
        when = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    StatusChange.objects.create(
        application=application, status=status, changed_at=when, note=note[:300]
    )


@transaction.atomic
def application_add(
    *, owner: Any, program: Program, plan: Plan | None = None
) -> tuple[Application, bool]:
    """Add `program` to the owner's season (the plan's season when a plan is given).
    Returns (application, created); adding twice returns the existing one."""
    season = season_get_or_create(owner=owner, plan=plan)
    existing = Application.objects.filter(season=season, program=program).first()
    if existing is not None:
        return existing, False
    row = _plan_row(plan or season.plan, program.pk)
    reasons = [
        r.get("text", "") if isinstance(r, dict) else str(r)
        for r in ((row or {}).get("reasons") or [])
    ]
    try:
        with transaction.atomic():
            application = Application.objects.create(
                season=season,
                program=program,
                plan_label=str((row or {}).get("fit") or "")[:20],
                plan_reasons=[r for r in reasons if r],
            )
    except IntegrityError:  # a double click raced us
        return Application.objects.get(season=season, program=program), False
    _record(application, Status.CONSIDERING, "Added to My applications")
    return application, True


def _kind_label(kind: str) -> str:
    return SignalKind(kind).label.lower() if kind in SignalKind.values else f"{kind} signal"


def _signal_check(application: Application, kind: str) -> None:
    rule = selectors.signals_allowed(application.program.specialty, application.season.match_year)
    specialty = application.program.specialty
    if rule.kinds:
        if kind not in rule.kinds:
            choices = ", ".join(_kind_label(k) for k in rule.kinds)
            raise ValidationError({"signal_kind": f"{specialty.name} signals are: {choices}."})
        used = (
            Application.objects.filter(
                season=application.season,
                program__specialty=specialty,
                signal_kind=kind,
            )
            .exclude(pk=application.pk)
            .count()
        )
        allowed = rule.kinds[kind]
        if used >= allowed:
            label = _kind_label(kind)
            raise ValidationError(
                {
                    "signal_kind": (
                        f"You have used all {allowed} {label}s {specialty.name} allows in the "
                        f"{rule.match_year} season ({used} sent). Withdraw a signal from another "
                        "program first, or apply here without one."
                    )
                }
            )
    elif rule.match_year is not None:  # the season data says: no signals in this specialty
        raise ValidationError(
            {"signal_kind": rule.note or "This specialty takes no program signals."}
        )
    elif kind != SignalKind.SIGNAL:
        raise ValidationError({"signal_kind": "This specialty has no signal kinds; choose Signal."})


@transaction.atomic
def application_move(
    *,
    application: Application,
    status: str,
    on: dt.date | None = None,
    platform: str = "",
    signal_kind: str = "",
    interview_at: dt.datetime | None = None,
    interview_mode: str = "",
    note: str = "",
) -> Application:
    """Move an application forward to `status`, with what that status needs."""
    application = (
        Application.objects.select_for_update()
        .select_related("program__specialty", "season")
        .get(pk=application.pk)
    )
    if status not in Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if not rules.can_move(application.status, status):
        raise ValidationError(
            {
                "status": (
                    f"An application that is {application.get_status_display().lower()} "
                    f"cannot move to {Status(status).label.lower()}."
                )
            }
        )
    if on is not None and on > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"on": "The date cannot be in the future."})
    today = on or timezone.localdate()
    first_year, last_year = rules.season_years(application.season.match_year)
    if today.year < first_year:
        raise ValidationError(
            {
                "on": (
                    f"This is the season of the {application.season.match_year} Match: its "
                    f"applications, offers and interviews happen from {first_year} on, "
                    f"not on {date_format(today, 'j F Y')}."
                )
            }
        )
    if status in (Status.APPLIED, Status.SIGNAL_SENT):
        if platform and platform not in Platform.values:
            raise ValidationError({"platform": "Choose a platform from the list."})
        if application.applied_on is None:
            application.applied_on = today
        if platform:
            application.platform = platform
        if not application.platform:
            raise ValidationError({"platform": "Which platform did you apply through?"})
    if status == Status.SIGNAL_SENT:
        _signal_check(application, signal_kind or SignalKind.SIGNAL)
        application.signal_kind = signal_kind or SignalKind.SIGNAL
    if status in rules.OFFERED and application.offered_on is None:
        application.offered_on = today
        if application.applied_on is None:
            application.applied_on = today
    if status == Status.INTERVIEW_SCHEDULED:
        if interview_at is None:
            raise ValidationError({"interview_at": "Enter the interview's date and time."})
        if not first_year <= timezone.localdate(interview_at).year <= last_year:
            raise ValidationError(
                {
                    "interview_at": (
                        f"Interviews for the {application.season.match_year} Match take place "
                        f"in {first_year} or {last_year}: check the date."
                    )
                }
            )
        if interview_mode not in InterviewMode.values:
            raise ValidationError({"interview_mode": "Virtual or in person?"})
        application.interview_at = interview_at
        application.interview_mode = interview_mode
    if status == Status.INTERVIEWED:
        interview_day = application.interview_at and timezone.localdate(application.interview_at)
        if interview_day and today < interview_day:
            raise ValidationError(
                {
                    "on": (
                        "Your interview is scheduled for "
                        f"{date_format(interview_day, 'j F Y')}: it cannot be done on "
                        f"{date_format(today, 'j F Y')}. If the program moved it, reschedule "
                        "it first (“Interview rescheduled”, with the new date and time)."
                    )
                }
            )
        application.interviewed = True
    if status in rules.FINAL:
        # A withdrawn or rejected application leaves the rank list, as it could not be
        # added to it (rank_list_add).
        RankListEntry.objects.filter(application=application).delete()
    application.status = status
    application.save()
    _record(application, status, note, on)
    return application


@transaction.atomic
def application_update_notes(*, application: Application, notes: str) -> Application:
    notes = notes.strip()
    if len(notes) > 5000:
        raise ValidationError({"notes": "Keep notes under 5,000 characters."})
    Application.objects.filter(pk=application.pk).update(notes=notes)
    application.notes = notes
    return application


@transaction.atomic
def application_remove(*, application: Application) -> None:
    """Remove a program still being considered (anything later is kept: it is history)."""
    if application.status != Status.CONSIDERING:
        raise ValidationError(
            "Only programs you are still considering can be removed; withdraw the others."
        )
    application.delete()


# --- Rank list ---------------------------------------------------------------------------


def _renumber(season: Season) -> None:
    for index, entry in enumerate(
        RankListEntry.objects.filter(season=season).order_by("position", "id"), start=1
    ):
        if entry.position != index:
            RankListEntry.objects.filter(pk=entry.pk).update(position=index)


@transaction.atomic
def rank_list_add(*, season: Season, application: Application) -> RankListEntry:
    Season.objects.select_for_update().get(pk=season.pk)
    if application.season_id != season.pk:
        raise PermissionDenied("Not an application of this season.")
    if not (application.interviewed or application.status == Status.INTERVIEWED):
        raise ValidationError("Only programs you interviewed with can be ranked.")
    if application.status in rules.FINAL:
        raise ValidationError("A withdrawn or rejected application cannot be ranked.")
    existing = RankListEntry.objects.filter(application=application).first()
    if existing:
        return existing
    last = RankListEntry.objects.filter(season=season).aggregate(m=Max("position"))["m"] or 0
    return RankListEntry.objects.create(season=season, application=application, position=last + 1)


@transaction.atomic
def rank_list_move(*, season: Season, entry: RankListEntry, direction: str) -> None:
    """Move an entry one place "up" or "down", or "remove" it."""
    Season.objects.select_for_update().get(pk=season.pk)
    if entry.season_id != season.pk:
        raise PermissionDenied("Not an entry of this season.")
    _renumber(season)
    entries = list(RankListEntry.objects.filter(season=season).order_by("position", "id"))
    index = next(i for i, e in enumerate(entries) if e.pk == entry.pk)
    if direction == "remove":
        RankListEntry.objects.filter(pk=entry.pk).delete()
        _renumber(season)
        return
    swap = {"up": index - 1, "down": index + 1}.get(direction)
    if swap is None:
        raise ValidationError("Move up, down or remove.")
    if 0 <= swap < len(entries):
        entries[index], entries[swap] = entries[swap], entries[index]
        _write_order(entries)


def _write_order(entries: list[RankListEntry]) -> None:
    for position, e in enumerate(entries, start=1):
        if e.position != position:
            RankListEntry.objects.filter(pk=e.pk).update(position=position)


@transaction.atomic
def rank_list_reorder(*, season: Season, entry_ids: list[int]) -> None:
    """Put the season's entries in the order of `entry_ids` (a drag and drop): it must name
    every entry exactly once, else nothing changes."""
    Season.objects.select_for_update().get(pk=season.pk)
    entries = {e.pk: e for e in RankListEntry.objects.filter(season=season)}
    if sorted(entry_ids) != sorted(entries) or len(set(entry_ids)) != len(entry_ids):
        raise ValidationError("The rank list changed in the meantime; reload the page.")
    _write_order([entries[pk] for pk in entry_ids])


@transaction.atomic
def outcome_record(*, season: Season, result: str, program: Program | None = None) -> Outcome:
    if not selectors.outcome_recordable(season):
        when = date_format(selectors.match_calendar(season.match_year).match_week.date, "j F Y")
        raise ValidationError(
            f"The outcome can be recorded from Match Week ({when}), when the NRMP tells "
            "applicants whether they matched."
        )
    if result not in OutcomeResult.values:
        raise ValidationError({"result": "Choose an outcome."})
    if result == OutcomeResult.NOT_MATCHED:
        program = None
    elif program is None:
        raise ValidationError({"program": "Which program did you match at?"})
    elif (
        result == OutcomeResult.MATCHED and not season.applications.filter(program=program).exists()
    ):
        raise ValidationError({"program": "Choose one of the programs of this season."})
    outcome, _ = Outcome.objects.update_or_create(
        season=season, defaults={"result": result, "program": program}
    )
    return outcome


@transaction.atomic
def season_settings_update(*, season: Season, share_outcomes: bool, reminders: bool) -> Season:
    Season.objects.filter(pk=season.pk).update(share_outcomes=share_outcomes, reminders=reminders)
    if reminders:  # opting in again lifts an earlier one-click unsubscribe
        ReminderOptOut.objects.filter(user_id=season.owner_id).delete()
    season.share_outcomes, season.reminders = share_outcomes, reminders
    return season


# --- Advisors ----------------------------------------------------------------------------


@transaction.atomic
def season_comment_create(
    *, season: Season, author: Any, body: str, base_url: str
) -> SeasonComment:
    """An advisor's comment on an applicant's season; the applicant gets the same kind of
    notice as for a plan comment (names and a link only, never the text)."""
    from advising.selectors import can_advise

    if not can_advise(author, season.owner):
        raise PermissionDenied("You do not advise this applicant.")
    text = body.strip()
    if not text:
        raise ValidationError({"body": "Write a comment before sending it."})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"body": f"Keep the comment under {COMMENT_MAX_LENGTH} characters."})
    comment = SeasonComment.objects.create(season=season, author=author, body=text)
    body_text = render_to_string(
        "tracker/email/comment_notice.txt",
        {
            "author": author,
            "season": season,
            "url": base_url + reverse("tracker:home") + f"?year={season.match_year}#comments",
        },
    )
    try:
        send_mail(
            "Your advisor commented on your MatchPlan season", body_text, None, [season.owner.email]
        )
    except (smtplib.SMTPException, OSError):
        logger.warning("Season comment notice %s could not be sent", comment.pk)
    return comment
