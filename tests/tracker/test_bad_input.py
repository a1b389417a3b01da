"""Bodies no form expects, posted to every tracker endpoint: field errors or refusals, never
a server error, and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    AdvisorFactory,
    ApplicationFactory,
    AssignmentFactory,
    SeasonFactory,
    applied,
)
from tests.fuzz.strategies import logged_in
from tracker import reminders
from tracker.models import RankListEntry, Status

pytestmark = pytest.mark.django_db

BODIES = [
    {},
    {"status": "interview_scheduled", "interview_at": "31/31/2026 99:99", "interview_mode": "x"},
    {"status": ["applied", "rejected"], "platform": "eras" * 1000, "on": "yesterday"},
    {"program": "-1", "plan": "not-a-uuid", "result": "matched"},
    {"entry": ["a", "1", ""], "direction": "sideways", "notes": "\x00" * 10},
    {"body": "x" * 6000, "reminders": "maybe", "share_outcomes": ["1", "0"]},
]


def test_no_tracker_endpoint_fails_on_odd_input() -> None:
    season = SeasonFactory()
    app = ApplicationFactory(season=season)
    interviewed = applied(season, status=Status.INTERVIEWED, interviewed=True)
    entry = RankListEntry.objects.create(season=season, application=interviewed, position=1)
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=season.owner)
    owner = logged_in(season.owner)
    urls = [
        (owner, reverse("tracker:add")),
        (owner, reverse("tracker:settings")),
        (owner, reverse("tracker:move", args=[app.pk])),
        (owner, reverse("tracker:notes", args=[app.pk])),
        (owner, reverse("tracker:rank_add", args=[app.pk])),
        (owner, reverse("tracker:rank_order")),
        (owner, reverse("tracker:rank_move", args=[entry.pk])),
        (owner, reverse("tracker:outcome")),
        (logged_in(advisor), reverse("tracker:advise_comment", args=[season.pk])),
        (
            Client(),
            reverse(
                "tracker:unsubscribe", args=[reminders.unsubscribe_token(season.owner)[:-3] + "abc"]
            ),
        ),
    ]
    for client, url in urls:
        for body in BODIES:
            response = client.post(url, body)
            assert response.status_code < 500, (url, body, response.status_code)
        response = client.post(url, json.dumps({"a": [1]}), content_type="application/json")
        assert response.status_code < 500, (url, "json")
    app.refresh_from_db()
    assert app.status == Status.CONSIDERING
    assert list(RankListEntry.objects.values_list("pk", flat=True)) == [entry.pk]
    for query in ({"year": "abc"}, {"year": "99999999999999999999"}, {"program": "x"}):
        assert owner.get(reverse("tracker:home"), query).status_code == 200
        assert owner.get(reverse("tracker:add"), query).status_code in (200, 400)
