"""Reminder emails: opt-in, due dates, idempotent sending, one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    SeasonDateFactory,
    SeasonFactory,
    UserFactory,
    applied,
    make_plan,
)
from tests.fuzz.strategies import logged_in
from tracker import reminders, selectors, services
from tracker.models import ReminderLog, ReminderOptOut, Status

pytestmark = pytest.mark.django_db


def _run(today: dt.date) -> str:
    out = StringIO()
    call_command(
        "send_reminders", today=today.isoformat(), base_url="https://mp.example", stdout=out
    )
    return out.getvalue()


def test_only_opted_in_applicants_get_a_deadline_reminder_and_only_once() -> None:
    year = 2027
    deadline = selectors.match_calendar(year).rank_list_deadline.date
    opted_in = SeasonFactory(match_year=year, reminders=True)
    SeasonFactory(match_year=year, reminders=False)
    today = deadline - dt.timedelta(days=3)

    assert "1 reminder email sent" in _run(today)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [opted_in.owner.email]
    assert "rank order list deadline" in message.body
    # the date's provenance, in the words the rank list page uses
    assert selectors.match_calendar(year).rank_list_deadline.citation in message.body
    assert "Estimated date: NRMP Main Residency Match calendar" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/season/unsubscribe/" in message.extra_headers["List-Unsubscribe"]

    assert "0 reminder emails sent" in _run(today)  # the next day's cron run, or a rerun
    assert "0 reminder emails sent" in _run(today + dt.timedelta(days=1))
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.count() == 1


def test_interviews_in_the_next_days_are_reminded() -> None:
    season = SeasonFactory(reminders=True)
    when = timezone.now() + dt.timedelta(days=2)
    applied(season, status=Status.INTERVIEW_SCHEDULED, interview_at=when, interview_mode="virtual")
    _run(timezone.localdate())
    (body,) = [m.body for m in mail.outbox if "Interview with" in m.body]
    assert "Date and time as you entered them in your season" in body


def test_every_deadline_reminder_says_where_its_date_comes_from() -> None:
    SeasonDateFactory(season=2027, event="match_day", date=dt.date(2027, 3, 19))
    user = UserFactory()
    season = services.season_get_or_create(owner=user, plan=make_plan(owner=user))
    deadlines = reminders.season_deadlines(season)
    by_key = {r.key.split(":")[0]: r for r in deadlines}
    assert by_key["match-day"].source == (
        "Source: Main Residency Match calendar, NRMP, 2027 (https://www.nrmp.org/match-calendar/)."
    )
    assert by_key["nrmp-registration"].source.startswith("Estimated date: Match Fees, NRMP")
    plan_items = {
        f"plan:{m['code']}:{m['date']}": m
        for m in season.plan.output["timeline"]
        if m["status"] != "done"
    }
    plan_reminders = [r for r in deadlines if r.key in plan_items]
    assert plan_reminders
    for r in plan_reminders:
        item = plan_items[r.key]
        word = "Estimated date" if item["estimated"] else "Source"
        assert r.source.startswith(f"{word}: {item['source']}"), r

    SeasonFactory(owner=UserFactory(), match_year=2027, reminders=True)
    _run(dt.date(2027, 3, 15))
    match_day = [m.body for m in mail.outbox if "Match Day" in m.body]
    assert match_day and all(by_key["match-day"].source in body for body in match_day)


def test_advisors_get_one_weekly_note_of_applicants_behind_target() -> None:
    applicant = UserFactory(full_name="Behind Person")
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=applicant)
    SeasonFactory(owner=applicant, match_year=2027)
    monday = dt.date(2026, 11, 23)
    _run(monday)
    _run(monday + dt.timedelta(days=1))
    notes = [m for m in mail.outbox if m.to == [advisor.email]]
    assert len(notes) == 1 and "Behind Person" in notes[0].body
    _run(monday + dt.timedelta(days=7))
    assert len([m for m in mail.outbox if m.to == [advisor.email]]) == 2


def test_one_click_unsubscribe_stops_every_reminder(client) -> None:
    season = SeasonFactory(match_year=2027, reminders=True)
    token = reminders.unsubscribe_token(season.owner)
    url = reverse("tracker:unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    season.refresh_from_db()
    assert season.reminders  # a GET (a mail scanner) changes nothing
    assert "You are unsubscribed" in client.post(url).content.decode()
    season.refresh_from_db()
    assert not season.reminders and ReminderOptOut.objects.filter(user=season.owner).exists()
    _run(selectors.match_calendar(2027).rank_list_deadline.date - dt.timedelta(days=1))
    assert mail.outbox == []


def test_the_unsubscribe_page_tells_an_advisor_how_to_get_the_notes_back(client) -> None:
    advisor = AdvisorFactory()
    url = reverse("tracker:unsubscribe", args=[reminders.unsubscribe_token(advisor)])

    page = client.post(url).content.decode()

    assert "You are unsubscribed" in page
    assert "ask your MatchPlan administrator" in page
    assert "My applications" not in page  # the applicants' switch: advisors have no season
    # The administrator can lift it: the opt-out is in the admin.
    admin = logged_in(UserFactory(is_staff=True, is_superuser=True))
    changelist = admin.get(reverse("admin:tracker_reminderoptout_changelist"))
    assert changelist.status_code == 200 and str(advisor) in changelist.content.decode()

    season = SeasonFactory(match_year=2027, reminders=True)
    url = reverse("tracker:unsubscribe", args=[reminders.unsubscribe_token(season.owner)])
    page = client.post(url).content.decode()
    assert (
        f'switch them on again on <a href="{reverse("tracker:home")}">My applications</a>' in page
    )
    assert "administrator" not in page


def test_the_reminder_links_to_its_own_season_when_there_is_a_later_one() -> None:
    year = 2027
    season = SeasonFactory(match_year=year, reminders=True)
    SeasonFactory(owner=season.owner, match_year=year + 1)  # the season page's default
    _run(selectors.match_calendar(year).rank_list_deadline.date - dt.timedelta(days=3))
    (message,) = mail.outbox
    assert f"Your season: https://mp.example/season/?year={year}\n" in message.body


def test_the_mail_providers_one_click_post_unsubscribes_without_a_csrf_token() -> None:
    # RFC 8058: the provider posts "List-Unsubscribe=One-Click" to the header's URL, with
    # none of our cookies; a CSRF refusal (403) would leave the person subscribed.
    season = SeasonFactory(match_year=2027, reminders=True)
    url = reverse("tracker:unsubscribe", args=[reminders.unsubscribe_token(season.owner)])
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    season.refresh_from_db()
    assert not season.reminders and ReminderOptOut.objects.filter(user=season.owner).exists()


def test_a_forged_token_is_refused(client) -> None:
    response = client.post(reverse("tracker:unsubscribe", args=["not-a-token"]))
    assert response.status_code == 400


def test_the_command_names_a_bad_option() -> None:
    with pytest.raises(CommandError, match="--today"):
        call_command("send_reminders", today="yesterday")


def test_docker_compose_runs_the_reminder_command() -> None:
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    service = compose["services"]["reminders"]
    assert "send_reminders" in " ".join(service["command"])
    assert service["depends_on"]["db"]["condition"] == "service_healthy"
