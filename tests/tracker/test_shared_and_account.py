"""Shared outcomes (k-of-5) on the program page; the account export and deletion."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from accounts.services import user_delete, user_export_data
from tests.factories import PlanFactory, ProgramFactory, SeasonFactory, UserFactory, applied
from tests.fuzz.strategies import logged_in
from tracker import selectors, services
from tracker.models import Application, ReminderLog, ReminderOptOut, Season, Status

pytestmark = pytest.mark.django_db


def _contributor(program, *, share=True, offered=False, matched=False, step2=240):
    plan = PlanFactory(profile={"step2ck": {"score": step2}})
    season = SeasonFactory(owner=plan.owner, plan=plan, match_year=2026, share_outcomes=share)
    applied(season, program, offered_on=dt.date(2025, 11, 1) if offered else None)
    if matched:
        services.outcome_record(season=season, result="matched", program=program)
    return season


def test_figures_appear_only_with_five_contributors() -> None:
    program = ProgramFactory()
    for _ in range(4):
        _contributor(program, offered=True)
    _contributor(program, share=False, offered=True)  # not opted in: never counted
    assert selectors.shared_outcomes(program) == []
    page = logged_in(UserFactory()).get(reverse("programs:detail", args=[program.pk]))
    assert "Not enough shared seasons yet" in page.content.decode()

    _contributor(program, offered=False, step2=250)
    [figure] = selectors.shared_outcomes(program)
    assert (figure.match_year, figure.contributors, figure.offered) == (2026, 5, None)
    assert figure.median_step2 is None and figure.matched is None
    _contributor(program, offered=True, step2=230)
    [figure] = selectors.shared_outcomes(program)
    assert figure.offered == 5 and figure.median_step2 == 240 and figure.contributors == 6
    page = (
        logged_in(UserFactory()).get(reverse("programs:detail", args=[program.pk])).content.decode()
    )
    assert "Match 2026: 6 contributors applied" in page
    assert "Median Step 2 CK of those offered: 240" in page
    assert "Matched here: fewer than 5" in page


def test_the_export_holds_the_season_and_deletion_removes_it_and_its_contribution() -> None:
    program = ProgramFactory()
    seasons = [_contributor(program, offered=True) for _ in range(5)]
    user = seasons[0].owner
    Application.objects.filter(season=seasons[0]).update(notes="My private note")

    data = json.loads(json.dumps(user_export_data(user=user), cls=DjangoJSONEncoder))
    [exported] = data["seasons"]["my_seasons"]
    assert exported["match_year"] == 2026 and exported["share_outcomes"] is True
    assert exported["applications"][0]["notes"] == "My private note"
    assert exported["applications"][0]["timeline"] == []
    assert "tracker.Season" not in data["other"]

    assert selectors.shared_outcomes(program)[0].contributors == 5
    user_delete(user=user)
    assert not Season.objects.filter(owner_id=user.pk).exists()
    assert selectors.shared_outcomes(program) == []  # 4 left: below the threshold


def test_the_export_names_the_ranked_and_matched_programs() -> None:
    program = ProgramFactory(name="Ranked Program")
    season = _contributor(program, offered=True, matched=True)
    application = season.applications.get()
    Application.objects.filter(pk=application.pk).update(status=Status.INTERVIEWED)
    application.refresh_from_db()
    services.rank_list_add(season=season, application=application)

    data = json.loads(json.dumps(user_export_data(user=season.owner), cls=DjangoJSONEncoder))
    [exported] = data["seasons"]["my_seasons"]
    [entry] = exported["rank_list"]
    assert entry["position"] == 1 and entry["program"] == "Ranked Program"
    assert entry["acgme_id"] == program.acgme_id
    assert exported["outcome"]["result"] == "matched"
    assert exported["outcome"]["program"] == "Ranked Program"


def test_the_plan_history_shows_what_the_season_produced() -> None:
    program = ProgramFactory(name="Matched Program")
    season = _contributor(program, offered=True, matched=True)
    page = logged_in(season.owner).get(reverse("assessments:plan_list")).content.decode()
    assert "What your seasons produced" in page
    assert (
        "1 application sent, 1 interview offer; <strong>Matched</strong> at Matched Program" in page
    )


def test_the_export_lists_the_reminders_sent_and_the_unsubscribe() -> None:
    user = UserFactory()
    ReminderLog.objects.create(user=user, key="checkpoint:2027:first-offers")
    ReminderOptOut.objects.create(user=user)

    data = json.loads(json.dumps(user_export_data(user=user), cls=DjangoJSONEncoder))
    [sent] = data["seasons"]["reminders_sent"]
    assert sent["reminder"] == "checkpoint:2027:first-offers" and sent["sent_at"]
    assert data["seasons"]["reminders_unsubscribed_at"]
    assert "tracker.ReminderOptOut" not in data["other"]
