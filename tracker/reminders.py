"""Opt-in reminder emails, sent by `manage.py send_reminders` (safe to run daily from cron:
every email has a key in ReminderLog and a key already there is never sent again).

Applicants who opted in (Season.reminders) get one email per deadline, a week before it
(the season's fixed NRMP and Match dates and the plan's own timeline), and one per
interview in the next three days. Advisors who advise someone behind their interview-offer
target get one note per ISO week. Every email carries a signed one-click unsubscribe link.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tracker import selectors
from tracker.models import Application, ReminderLog, Season

logger = logging.getLogger(__name__)

_SALT = "tracker.unsubscribe"
DEADLINE_NOTICE_DAYS = 7
INTERVIEW_NOTICE_DAYS = 3


def unsubscribe_token(user: Any) -> str:
    return signing.dumps({"u": user.pk}, salt=_SALT, compress=True)


def user_for_token(token: str) -> Any:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return get_user_model().objects.filter(pk=data["u"], is_active=True).first()


@transaction.atomic
def unsubscribe(*, user: Any) -> None:
    Season.objects.filter(owner=user).update(reminders=False)
    from tracker.models import ReminderOptOut

    ReminderOptOut.objects.get_or_create(user=user)


@dataclass(frozen=True)
class Reminder:
    key: str
    date: dt.date
    text: str
    source: str  # where the date comes from, or that it is estimated (as the pages say it)


def _plan_deadlines(season: Season) -> list[Reminder]:
    out: list[Reminder] = []
    plan = season.plan
    timeline = (plan.output or {}).get("timeline") if plan and isinstance(plan.output, dict) else []
    for item in timeline or []:
        if not isinstance(item, dict) or item.get("status") == "done":
            continue
        try:
            when = dt.date.fromisoformat(str(item.get("date")))
        except ValueError:
            continue
        # the plan stores each date's citation and whether it is estimated (no link)
        day = selectors.CitedDate(
            when, bool(item.get("estimated")), str(item.get("source") or "your MatchPlan plan")
        )
        code = item.get("code")
        out.append(
            Reminder(f"plan:{code}:{when}", when, str(item.get("title") or ""), day.citation)
        )
    return out


def season_deadlines(season: Season) -> list[Reminder]:
    year = season.match_year
    calendar = selectors.match_calendar(year)
    fixed = [
        (
            f"nrmp-registration:{year}",
            calendar.registration_deadline,
            "NRMP registration (standard deadline; a late fee applies after it)",
        ),
        (f"rank-list:{year}", calendar.rank_list_deadline, "NRMP rank order list deadline"),
        (f"match-day:{year}", calendar.match_day, "Match Day"),
    ]
    return [
        Reminder(key, day.date, text, day.citation) for key, day, text in fixed
    ] + _plan_deadlines(season)


def due_applicant_reminders(season: Season, *, today: dt.date) -> list[Reminder]:
    soon = today + dt.timedelta(days=DEADLINE_NOTICE_DAYS)
    due = [r for r in season_deadlines(season) if today <= r.date <= soon]
    end = timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=INTERVIEW_NOTICE_DAYS + 1), dt.time())
    )
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    for a in Application.objects.filter(
        season=season, interview_at__gte=start, interview_at__lt=end
    ).select_related("program"):
        due.append(
            Reminder(
                f"interview:{a.pk}:{a.interview_at:%Y%m%d%H%M}",
                timezone.localdate(a.interview_at),
                f"Interview with {a.program.name} ({a.get_interview_mode_display().lower()}), "
                f"{timezone.localtime(a.interview_at):%d %b %Y %H:%M}",
                "Date and time as you entered them in your season; the program's email has "
                "the exact schedule.",
            )
        )
    return sorted(due, key=lambda r: r.date)


def _send(
    *, user: Any, key: str, subject: str, template: str, context: dict[str, Any], base_url: str
) -> bool:
    """Send once: the log row is written first, inside a transaction with the send, so a
    second run (or a concurrent one) skips it and a failed send leaves no row."""
    url = base_url + reverse("tracker:unsubscribe", args=[unsubscribe_token(user)])
    body = render_to_string(template, {**context, "unsubscribe_url": url, "user": user})
    try:
        with transaction.atomic():
            ReminderLog.objects.create(user=user, key=key)
            message = EmailMessage(
                subject,
                body,
                to=[user.email],
                headers={
                    "List-Unsubscribe": f"<{url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            message.send()
    except IntegrityError:
        return False
    except (smtplib.SMTPException, OSError):
        logger.warning("Reminder %s could not be sent", key)
        return False
    return True


def send_due(*, today: dt.date, base_url: str) -> int:
    """Send every reminder due today that was not sent before; returns how many were sent."""
    from tracker.models import ReminderOptOut

    sent = 0
    opted_out = set(ReminderOptOut.objects.values_list("user_id", flat=True))
    seasons = (
        Season.objects.filter(reminders=True, owner__is_active=True, match_year__gte=today.year)
        .exclude(owner_id__in=opted_out)
        .select_related("owner", "plan")
    )
    for season in seasons:
        due = due_applicant_reminders(season, today=today)
        logged = set(
            ReminderLog.objects.filter(user=season.owner, key__in=[r.key for r in due]).values_list(
                "key", flat=True
            )
        )
        for reminder in due:
            if reminder.key in logged:
                continue
            sent += _send(
                user=season.owner,
                key=reminder.key,
                subject=f"MatchPlan reminder: {reminder.text[:80]}",
                template="tracker/email/reminder.txt",
                context={
                    "reminder": reminder,
                    # this season's page, not the person's latest season
                    "season_url": base_url + reverse("tracker:home") + f"?year={season.match_year}",
                },
                base_url=base_url,
            )
    sent += _send_advisor_notes(today=today, base_url=base_url, opted_out=opted_out)
    return sent


def _send_advisor_notes(*, today: dt.date, base_url: str, opted_out: set[int]) -> int:
    from accounts.models import ADVISORS_GROUP
    from advising.selectors import advisable_applicants

    year, week, _ = today.isocalendar()
    sent = 0
    advisors = (
        get_user_model()
        .objects.filter(groups__name=ADVISORS_GROUP, is_active=True)
        .exclude(pk__in=opted_out)
    )
    for advisor in advisors:
        applicants = list(advisable_applicants(advisor).filter(seasons__isnull=False).distinct())
        behind_ids = selectors.behind_offer_target([a.pk for a in applicants], today=today)
        behind = [a for a in applicants if a.pk in behind_ids]
        if not behind:
            continue
        sent += _send(
            user=advisor,
            key=f"advisor-weekly:{year}-W{week:02d}",
            subject="MatchPlan: applicants behind their interview-offer target",
            template="tracker/email/advisor_weekly.txt",
            context={"behind": behind, "dashboard_url": base_url + reverse("advising:dashboard")},
            base_url=base_url,
        )
    return sent
