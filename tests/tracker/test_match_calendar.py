"""The tracker's Match dates and rank fees come from the season data (admin-editable, with
sources), and every page and email that shows a season date says where it comes from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from assessments.models import FeeSchedule, NrmpSeason
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    SeasonDateFactory,
    SeasonFactory,
    UserFactory,
    applied,
)
from tests.fuzz.strategies import logged_in
from tracker.models import RankListEntry, Status
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
    SeasonDateFactory(season=2029, event="nrmp_rank_deadline", date=dt.date(2029, 3, 1))
    calendar = match_calendar(2029)
    assert calendar.rank_list_deadline.date == dt.date(2029, 3, 1)
    assert not calendar.rank_list_deadline.estimated
    assert "Main Residency Match calendar" in calendar.rank_list_deadline.source


def _nrmp_date_on_record(match_year: int) -> None:
    SeasonDateFactory(season=match_year, event="nrmp_rank_deadline", date=dt.date(2027, 3, 3))


def test_a_date_on_record_cites_its_page_and_an_estimate_says_so() -> None:
    _nrmp_date_on_record(2027)
    calendar = match_calendar(2027)
    assert calendar.rank_list_deadline.url == "https://www.nrmp.org/match-calendar/"
    assert calendar.rank_list_deadline.citation == (
        "Source: Main Residency Match calendar, NRMP, 2027 (https://www.nrmp.org/match-calendar/)."
    )
    assert calendar.match_day.estimated and calendar.match_day.url == ""
    assert calendar.match_day.citation.startswith("Estimated date: NRMP")


def test_the_registration_deadline_of_an_older_fee_table_is_an_estimate_with_its_source() -> None:
    deadline = match_calendar(2027).registration_deadline
    assert deadline.date == dt.date(2026, 11, 30)
    assert deadline.estimated  # the NRMP fee table on record is the 2017 Match's
    assert "Match Fees, NRMP" in deadline.source and "2017 Match" in deadline.source
    assert deadline.url == "http://www.nrmp.org/match-process/match-fees/"


@pytest.mark.parametrize("who", ["applicant", "advisor"])
def test_every_page_with_the_rank_deadline_says_where_it_comes_from(who: str) -> None:
    applicant = UserFactory()
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=applicant)
    season = SeasonFactory(owner=applicant, match_year=2027)
    client = logged_in(applicant if who == "applicant" else advisor)
    urls = (
        [reverse("tracker:rank_list"), reverse("tracker:rank_print")]
        if who == "applicant"
        else [reverse("tracker:advise", args=[season.pk])]
    )
    for url in urls:
        page = client.get(url).content.decode()
        assert "Estimated date</strong>: NRMP Main Residency Match calendar" in page, url
    _nrmp_date_on_record(2027)
    for url in urls:
        page = client.get(url).content.decode()
        assert (
            'Source: <a href="https://www.nrmp.org/match-calendar/" rel="noopener noreferrer">'
            "Main Residency Match calendar, NRMP, 2027</a>." in page
        ), url


def test_the_advisor_sees_the_basis_of_the_checkpoint_dates() -> None:
    applicant = UserFactory()
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=applicant)
    season = SeasonFactory(owner=applicant, match_year=2027)
    page = logged_in(advisor).get(reverse("tracker:advise", args=[season.pk])).content.decode()
    assert "Checkpoints" in page
    assert "not a published rule" in page  # rules.CHECKPOINT_BASIS


def test_without_season_data_the_rank_fees_are_the_active_fee_schedules() -> None:
    """As the engine prices a plan: no NRMP season row left, the active fee schedule decides
    (an admin's figures, not a second copy of the defaults in the tracker)."""
    NrmpSeason.objects.all().delete()
    FeeSchedule.objects.filter(active=True).update(
        nrmp_included_ranks=15, nrmp_extra_rank_fee=45, source_note="Admin's NRMP figures."
    )
    season = SeasonFactory(match_year=2027)
    for n in range(17):
        application = applied(season, status=Status.INTERVIEWED, interviewed=True)
        RankListEntry.objects.create(season=season, application=application, position=n + 1)
    page = logged_in(season.owner).get(reverse("tracker:rank_list")).content.decode()
    assert "15 are included in the NRMP registration" in page
    assert "the 2 beyond cost $45 each, <strong>$90</strong> in all" in page
    assert "Rank fees: fee schedule of the 2026 season: Admin&#x27;s NRMP figures." in page
