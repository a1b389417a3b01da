"""Query budgets of the season pages: measured for a season of 2 and of 30 applications (with
their timelines, interviews and ranks); the counts must be equal and within the budget."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.budgets.conftest import cold_queries
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    ProgramFactory,
    UserFactory,
    applied,
    make_plan,
    specialty,
)
from tests.fuzz.strategies import logged_in
from tracker import services
from tracker.models import RankListEntry, SeasonComment, Status

pytestmark = pytest.mark.django_db

# Every page: session and user (2), the navigation's advisor check (1, HTML pages), the season with its plan and outcome (1); then its
# applications with programs and specialties (1) and per page: the signal allowances of all
# its specialties, the season list and the comments (home); the fee schedule and rank entries
# (rank list); the demo-catalog notice of the layout (1, HTML pages). The rank list reads its
# NRMP dates and rank fees from the season data (assessments.rule_data), and progress the day
# the platforms take applications: seven or eight queries on an empty cache, as here, and
# none once any page has read it since the last admin edit.
BUDGETS = {
    "tracker:home": 9,
    "tracker:progress": 13,
    "tracker:calendar": 6,
    "tracker:rank_list": 15,
    "tracker:rank_print": 15,
    "tracker:calendar_ics": 4,
    "tracker:rank_csv": 4,
}


def _season(size: int) -> Any:
    user = UserFactory()
    plan = make_plan(owner=user)
    season = services.season_get_or_create(owner=user, plan=plan)
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=user)
    for n in range(size):
        spec = specialty("EM" if n % 2 else "IM")
        a = applied(
            season,
            ProgramFactory(specialty=spec),
            status=Status.INTERVIEWED,
            interviewed=True,
            offered_on=timezone.localdate(),
            interview_at=timezone.now() + dt.timedelta(days=n + 1),
            interview_mode="virtual",
        )
        if n == 0:
            services.application_move(application=a, status="withdrawn")
        if n:
            RankListEntry.objects.create(season=season, application=a, position=n)
        SeasonComment.objects.create(season=season, author=advisor, body=f"c{n}")
    return user, advisor, season


def test_season_pages_do_not_grow_with_the_applications() -> None:
    small, large = _season(2), _season(30)
    for name, budget in BUDGETS.items():
        counts = [
            len(cold_queries(logged_in(user), reverse(name))) for user, _, _ in (small, large)
        ]
        assert counts[0] == counts[1], f"{name}: grows with the applications: {counts}"
        assert counts[0] <= budget, f"{name}: {counts[0]} queries, budget {budget}"


def test_the_advisor_view_does_not_grow_with_the_applications() -> None:
    counts = []
    for _, advisor, season in (_season(2), _season(30)):
        counts.append(
            len(cold_queries(logged_in(advisor), reverse("tracker:advise", args=[season.pk])))
        )
    assert counts[0] == counts[1], counts
    # the page's own 10 (the season's applications read once), and the season data on an
    # empty cache (8; see BUDGETS)
    assert counts[0] <= 18, counts


def test_a_refused_outcome_reads_the_season_once() -> None:
    """The form's programs and the page re-rendered with its errors share one read of the
    applications: the budget of the rank list page plus the outcome's own check."""
    user, _, _ = _season(5)
    client = logged_in(user)
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.post(reverse("tracker:outcome"), {"result": "matched"})
    assert response.status_code == 400
    applications = [q for q in context.captured_queries if 'FROM "tracker_application"' in q["sql"]]
    assert len(applications) == 1, applications
    assert len(context.captured_queries) <= 18
