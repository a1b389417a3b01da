"""The tracker's Match dates come from the season data (admin-editable, with sources)."""

from __future__ import annotations

import datetime as dt

import pytest

from assessments.models import SeasonDate, Source
from tracker.selectors import match_calendar

pytestmark = pytest.mark.django_db


def test_the_seeded_season_gives_the_nrmp_dates_with_their_source() -> None:
    calendar = match_calendar(2026)
    assert calendar.match_day.date == dt.date(2026, 3, 20)
    assert not calendar.match_day.estimated
    assert "NRMP" in calendar.match_day.source
    # no rank-list deadline on record for 2026: counted back from that Match Day
    assert calendar.rank_list_deadline.date == dt.date(2026, 3, 4)


def test_a_season_without_dates_is_estimated_and_says_so() -> None:
    calendar = match_calendar(2029)
    assert calendar.match_day.estimated and calendar.rank_list_deadline.estimated
    assert calendar.match_day.date == dt.date(2029, 3, 16)  # the third Friday of March
    assert "estimated" in calendar.rank_list_deadline.source


def test_an_admin_added_date_is_read_at_once() -> None:
    source = Source.objects.create(
        key="nrmp-2029-calendar",
        title="Main Residency Match calendar",
        publisher="NRMP",
        season=2029,
        url="https://www.nrmp.org/",
        checked_on=dt.date(2026, 12, 1),
    )
    SeasonDate.objects.create(
        season=2029, event="nrmp_rank_deadline", date=dt.date(2029, 3, 1), source=source
    )
    calendar = match_calendar(2029)
    assert calendar.rank_list_deadline.date == dt.date(2029, 3, 1)
    assert not calendar.rank_list_deadline.estimated
    assert "Main Residency Match calendar" in calendar.rank_list_deadline.source
