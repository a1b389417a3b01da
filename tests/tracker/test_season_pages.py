"""Progress, the interview calendar (.ics), the rank list (CSV, print) and the outcome."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.metadata
import io
import re
from typing import Any

import icalendar
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.plans.words import tier_word as plan_tier_word
from programs.exports import csv_safe
from tests.factories import (
    ProgramFactory,
    SeasonFactory,
    UserFactory,
    applied,
    em_programs,
    make_plan,
    season_date_passed,
    specialty,
)
from tests.fuzz.strategies import logged_in
from tracker import selectors, services
from tracker.models import Outcome, RankListEntry, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def season_with_plan() -> Any:
    em_programs(2)
    user = UserFactory()
    plan = make_plan(owner=user)
    season = services.season_get_or_create(owner=user, plan=plan)
    return season


def test_progress_compares_applications_with_the_plans_range(season_with_plan: Any) -> None:
    season = season_with_plan
    em = specialty("EM")
    for _ in range(3):
        applied(season, ProgramFactory(specialty=em))
    applied(season, ProgramFactory(specialty=em), offered_on=timezone.localdate())
    page = logged_in(season.owner).get(reverse("tracker:progress")).content.decode()
    em_min = season.plan.output["primary"]["applications"]["min"]
    assert f"{em_min}–" in page
    assert "Below the range" in page
    assert "<strong>1</strong> interview offer so far" in page
    assert "CORD" in page
    assert "Checkpoints" in page


def test_progress_names_a_specialty_sent_outside_the_plan(season_with_plan: Any) -> None:
    applied(season_with_plan, ProgramFactory(specialty=specialty("RAD")))
    page = logged_in(season_with_plan.owner).get(reverse("tracker:progress")).content.decode()
    assert '<th scope="row">Diagnostic Radiology</th><td class="text-end">1</td>' in page
    assert '<th scope="row">RAD</th>' not in page


def test_progress_before_the_platforms_open_is_not_below_the_range() -> None:
    em_programs(2)
    user = UserFactory()
    plan = make_plan(owner=user)
    # Two Match years ahead: the platforms take no applications for it before next September.
    season = services.season_get_or_create(
        owner=user, plan=plan, match_year=timezone.localdate().year + 2
    )
    opens = selectors.applications_open(season.match_year)
    assert opens.date > timezone.localdate()

    page = logged_in(user).get(reverse("tracker:progress")).content.decode()

    assert "Not open yet" in page
    assert "Below the range" not in page
    assert (
        f'Applicants can send applications to programs from <time datetime="{opens.date:%Y-%m-%d}">'
        in page
    )
    # Where that date comes from is said, as on every season date.
    assert "date-source" in page

    # The day it opens, nothing sent is below the plan's range.
    progress = selectors.season_progress(season, [], today=opens.date)
    assert progress.applications_open is None
    assert {row.sent_state for row in progress.specialties} == {"below"}
    before = selectors.season_progress(season, [], today=opens.date - dt.timedelta(days=1))
    assert before.applications_open == opens
    assert {row.sent_state for row in before.specialties} == {"not_open"}


def test_progress_names_each_specialtys_tier_in_words(season_with_plan: Any) -> None:
    page = logged_in(season_with_plan.owner).get(reverse("tracker:progress")).content.decode()
    tier = season_with_plan.plan.output["primary"]["tier"]

    assert f'<span class="badge tier-{tier}">{plan_tier_word(tier)}</span>' in page
    assert f"<td>{tier}</td>" not in page


def test_progress_without_a_season_explains_how_to_start() -> None:
    page = logged_in(UserFactory()).get(reverse("tracker:progress")).content.decode()
    assert "You have not started a season yet" in page


@pytest.mark.parametrize(
    "name", ["tracker:home", "tracker:progress", "tracker:calendar", "tracker:rank_list"]
)
def test_a_year_without_a_season_links_to_the_seasons_the_user_has(name: str) -> None:
    season = SeasonFactory(match_year=2028)
    url = reverse(name)

    page = logged_in(season.owner).get(url, {"year": 2027}).content.decode()

    assert "You have not started a season yet" not in page
    assert "You have no season for the Match 2027." in page
    assert f'<a href="{url}?year=2028">Match 2028</a>' in page


def _interview(season: Any, when: dt.datetime, name: str, mode: str = "virtual") -> Any:
    return applied(
        season,
        ProgramFactory(name=name, city="Albany", state="NY"),
        status=Status.INTERVIEW_SCHEDULED,
        offered_on=timezone.localdate(),
        interview_at=when,
        interview_mode=mode,
    )


def test_calendar_lists_upcoming_interviews_in_order_and_flags_same_day_clashes() -> None:
    season = SeasonFactory()
    # 09:00 local time five days on: the afternoon one stays on the same day at any hour
    # the test runs (from now + 5 days, + 3 hours crossed midnight after 21:00).
    base = (timezone.localtime() + dt.timedelta(days=5)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    _interview(season, base + dt.timedelta(days=3), "Later Program")
    _interview(season, base, "Morning Program")
    _interview(season, base + dt.timedelta(hours=3), "Afternoon Program")
    _interview(season, timezone.now() - dt.timedelta(days=2), "Past Program")
    page = logged_in(season.owner).get(reverse("tracker:calendar")).content.decode()
    assert page.index("Morning Program") < page.index("Afternoon Program") < page.index("Later")
    assert "Past Program" not in page
    assert page.count("Same day as another interview") == 2
    assert "2 interviews share a day" in page


def test_the_ics_file_is_standard_and_parses_back() -> None:
    season = SeasonFactory()
    when = dt.datetime(2026, 11, 12, 14, 30, tzinfo=dt.UTC)
    long_name = (
        "St. Mary's, Hospital; Emergency Medicine Residency Program of the Greater Testville Area"
    )
    application = _interview(season, when, long_name, mode="in_person")
    response = logged_in(season.owner).get(reverse("tracker:calendar_ics"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == f"Interview: {long_name}"
    # the clock time as entered, floating (no zone and no "Z"): an applicant's calendar shows
    # 14:30 wherever they are, not 14:30 UTC moved by their offset
    assert b"DTSTART:20261112T143000\r\n" in raw
    assert event["DTSTART"].dt == when.replace(tzinfo=None)
    assert event["DTEND"].dt == when.replace(tzinfo=None) + dt.timedelta(hours=1)
    form = logged_in(season.owner).get(reverse("tracker:application", args=[application.pk]))
    assert "In your own time zone" in form.content.decode()
    assert str(event["UID"]).startswith(f"interview-{application.pk}@")
    assert "DTSTAMP" in event
    assert str(event["LOCATION"]) == "Albany, NY"

    # a moved interview keeps its UID: a calendar app updates the event, adds no copy
    application.interview_at = when + dt.timedelta(days=1)
    application.save()
    again = logged_in(season.owner).get(reverse("tracker:calendar_ics")).content
    (moved,) = icalendar.Calendar.from_ical(again).walk("VEVENT")
    assert str(moved["UID"]) == str(event["UID"])
    assert moved["DTSTART"].dt == when.replace(tzinfo=None) + dt.timedelta(days=1)


def test_rank_list_builds_from_interviewed_programs_and_reorders() -> None:
    season = SeasonFactory()
    a, b, c = (
        applied(
            season, ProgramFactory(name=f"Rank {n}"), status=Status.INTERVIEWED, interviewed=True
        )
        for n in "ABC"
    )
    not_interviewed = applied(season, ProgramFactory(name="Rank D"))
    client = logged_in(season.owner)
    page = client.get(reverse("tracker:rank_list")).content.decode()
    assert "Rank Rank A" in page and "Rank Rank D" not in page
    for application in (a, b, c):
        assert client.post(reverse("tracker:rank_add", args=[application.pk])).status_code == 302
    client.post(reverse("tracker:rank_add", args=[not_interviewed.pk]))
    assert RankListEntry.objects.count() == 3

    entry_c = RankListEntry.objects.get(application=c)
    client.post(reverse("tracker:rank_move", args=[entry_c.pk]), {"direction": "up"})
    order = list(
        RankListEntry.objects.order_by("position").values_list(
            "application__program__name", flat=True
        )
    )
    assert order == ["Rank A", "Rank C", "Rank B"]

    ids = list(RankListEntry.objects.order_by("-position").values_list("pk", flat=True))
    response = client.post(reverse("tracker:rank_order"), {"entry": ids}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    order = list(
        RankListEntry.objects.order_by("position").values_list(
            "application__program__name", flat=True
        )
    )
    assert order == ["Rank B", "Rank C", "Rank A"]

    # A stale order (one entry missing) changes nothing.
    client.post(reverse("tracker:rank_order"), {"entry": ids[:2]})
    assert list(RankListEntry.objects.order_by("position").values_list("pk", flat=True)) == ids


def test_rank_list_shows_deadline_cost_beyond_included_ranks_and_target_warning(
    season_with_plan: Any,
) -> None:
    season = season_with_plan
    for n in range(22):
        application = applied(season, ProgramFactory(), status=Status.INTERVIEWED, interviewed=True)
        RankListEntry.objects.create(season=season, application=application, position=n + 1)
    page = logged_in(season.owner).get(reverse("tracker:rank_list")).content.decode()
    assert "<strong>$60</strong>" in page
    assert "Rank list deadline" in page
    assert "days left" in page or "(passed)" in page

    RankListEntry.objects.filter(position__gt=1).delete()
    client = logged_in(season.owner)
    season.match_year = timezone.localdate().year + 2  # its ranking opens in a year or more
    season.save(update_fields=["match_year"])
    opens = selectors.match_calendar(season.match_year).ranking_opens.date
    assert opens > timezone.localdate()
    # Before rank order list entry opens, the short list is a draft: said, not warned.
    page = client.get(reverse("tracker:rank_list")).content.decode()
    assert "Your plan recommends ranking at least" in page
    assert f'until rank order list entry opens on <time datetime="{opens:%Y-%m-%d}">' in page
    assert "alert-warning" not in page

    season_date_passed(season.match_year, "nrmp_ranking")
    page = client.get(reverse("tracker:rank_list")).content.decode()
    assert "You rank 1 program; your plan recommends at least" in page


def test_csv_neutralises_formula_cells() -> None:
    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_safe("+1") == "'+1" and csv_safe("-1") == "'-1" and csv_safe("@x") == "'@x"
    assert csv_safe("Normal") == "Normal"
    season = SeasonFactory()
    application = applied(
        season,
        ProgramFactory(name="=cmd|' /C calc'!A0"),
        status=Status.INTERVIEWED,
        interviewed=True,
        notes="@SUM(1)",
    )
    RankListEntry.objects.create(season=season, application=application, position=1)
    response = logged_in(season.owner).get(reverse("tracker:rank_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "1"
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][7] == "'@SUM(1)"
    assert logged_in(season.owner).get(reverse("tracker:rank_print")).status_code == 200


@pytest.mark.parametrize("final", ["withdrawn", "rejected"])
def test_a_final_status_takes_a_program_off_the_rank_list(final: str) -> None:
    season = SeasonFactory()
    application = applied(season, status=Status.INTERVIEWED, interviewed=True)
    kept = applied(season, status=Status.INTERVIEWED, interviewed=True)
    services.rank_list_add(season=season, application=application)
    services.rank_list_add(season=season, application=kept)
    services.application_move(application=application, status=final)
    assert list(RankListEntry.objects.values_list("application_id", flat=True)) == [kept.pk]


def test_outcome_is_recorded() -> None:
    season = SeasonFactory()
    season_date_passed(season.match_year, "soap_starts")
    application = applied(season, status=Status.INTERVIEWED, interviewed=True)
    client = logged_in(season.owner)
    bad = client.post(reverse("tracker:outcome"), {"result": "matched"})
    assert bad.status_code == 400 and "Which program" in bad.content.decode()
    client.post(
        reverse("tracker:outcome"), {"result": "matched", "program": application.program_id}
    )
    outcome = Outcome.objects.get(season=season)
    assert outcome.result == "matched" and outcome.program == application.program
    page = client.get(reverse("tracker:rank_list")).content.decode()
    assert "Recorded: <strong>Matched</strong>" in page
    # the list offers only this season's programs: a SOAP match elsewhere is added first
    assert "Matched in SOAP to a program not listed? Add it to My applications first" in page


def test_the_outcome_waits_for_match_week() -> None:
    season = SeasonFactory()
    application = applied(season, status=Status.INTERVIEWED, interviewed=True)
    client = logged_in(season.owner)
    match_week = selectors.match_calendar(season.match_year).match_week.date
    assert match_week > timezone.localdate()

    page = client.get(reverse("tracker:rank_list")).content.decode()
    assert "You can record the outcome from Match Week" in page
    assert f'<time datetime="{match_week:%Y-%m-%d}">' in page
    assert "Record outcome" not in page

    early = client.post(
        reverse("tracker:outcome"), {"result": "matched", "program": application.program_id}
    )
    assert early.status_code == 400
    assert "The outcome can be recorded from Match Week" in early.content.decode()
    assert not Outcome.objects.exists()

    # The rule is the service's: no caller records an outcome before Match Week.
    with pytest.raises(ValidationError, match="from Match Week"):
        services.outcome_record(season=season, result="not_matched")

    season_date_passed(season.match_year, "soap_starts")
    page = client.get(reverse("tracker:rank_list")).content.decode()
    assert "Record outcome" in page
    # No result is chosen for the applicant.
    assert '<option value="" selected>' in page


def test_season_pages_are_never_stored_by_a_shared_cache(client) -> None:
    user = UserFactory()
    client.force_login(user)
    for name in ("tracker:home", "tracker:progress", "tracker:calendar", "tracker:rank_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_calendar_library_and_its_dependencies_are_runtime_pins() -> None:
    """The image installs requirements.txt only (Dockerfile): the .ics download needs
    icalendar, and what it needs, pinned there."""

    def name(requirement: str) -> str:
        return re.split(r"[ ;<>=!~\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    text = (settings.BASE_DIR / "requirements.txt").read_text()
    pins = {name(line) for line in text.splitlines() if "==" in line}
    needed = {"icalendar"} | {
        name(r) for r in importlib.metadata.requires("icalendar") or [] if "extra ==" not in r
    }
    assert needed <= pins, needed - pins


def test_the_page_says_a_rejected_program_left_the_rank_list() -> None:
    season = SeasonFactory()
    application = applied(season, status=Status.INTERVIEWED, interviewed=True)
    services.rank_list_add(season=season, application=application)
    client = logged_in(season.owner)
    response = client.post(
        reverse("tracker:move", args=[application.pk]), {"status": "rejected"}, follow=True
    )
    assert "Status saved: Rejected. It is off your rank list." in response.content.decode()
    assert not RankListEntry.objects.exists()
