"""Adding programs and moving applications through the season."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    ProgramFactory,
    SeasonFactory,
    UserFactory,
    applied,
    em_programs,
    make_plan,
    specialty,
)
from tests.fuzz.strategies import logged_in
from tracker import services
from tracker.models import Application, Status, StatusChange

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def planned() -> Any:
    programs = em_programs(3)
    user = UserFactory()
    plan = make_plan(owner=user)
    return user, plan, programs


def test_adding_from_a_plan_copies_the_plans_label_and_reasons(planned: Any) -> None:
    user, plan, programs = planned
    application, created = services.application_add(owner=user, program=programs[0], plan=plan)

    assert created
    assert application.plan_label in {"likely", "target", "reach"}
    assert application.plan_reasons and all(isinstance(r, str) for r in application.plan_reasons)
    assert application.season.plan == plan
    assert application.season.match_year == plan.profile["application_year"] + 1
    assert list(application.changes.values_list("status", flat=True)) == ["considering"]


def test_adding_twice_keeps_one_application(planned: Any) -> None:
    user, plan, programs = planned
    services.application_add(owner=user, program=programs[0], plan=plan)
    _, created = services.application_add(owner=user, program=programs[0], plan=plan)
    assert not created
    assert Application.objects.count() == 1


def test_htmx_add_swaps_in_added(planned: Any) -> None:
    user, plan, programs = planned
    response = logged_in(user).post(
        reverse("tracker:add"), {"program": programs[1].pk, "plan": str(plan.token)}, **HX
    )
    assert response.status_code == 200
    assert "Added to <a" in response.content.decode()  # "Added to my applications"
    assert "<html" not in response.content.decode()
    assert Application.objects.filter(season__owner=user, program=programs[1]).exists()


def test_the_no_javascript_path_confirms_then_adds(planned: Any) -> None:
    user, plan, programs = planned
    client = logged_in(user)
    page = client.get(reverse("tracker:add"), {"program": programs[2].pk, "plan": str(plan.token)})
    assert page.status_code == 200
    assert programs[2].name in page.content.decode()
    assert Application.objects.count() == 0  # a GET changes nothing
    response = client.post(
        reverse("tracker:add"), {"program": programs[2].pk, "plan": str(plan.token)}
    )
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert programs[2].name in home.content.decode()


def test_the_no_javascript_add_page_checks_the_season_the_plan_adds_to(planned: Any) -> None:
    user, _, programs = planned
    older = make_plan(owner=user, application_year=2026)  # the 2027 Match
    newer = make_plan(owner=user, application_year=2027)  # the 2028 Match
    in_2027 = services.application_add(owner=user, program=programs[0], plan=older)[0]
    services.application_add(owner=user, program=programs[1], plan=newer)
    assert in_2027.season.match_year == 2027
    client = logged_in(user)
    url = reverse("tracker:add")
    already = "This program is already in"

    page = client.get(url, {"program": programs[0].pk, "plan": str(older.token)}).content.decode()
    assert already in page
    assert f'href="{reverse("tracker:home")}?year=2027"' in page
    assert (
        already
        not in client.get(
            url, {"program": programs[0].pk, "plan": str(newer.token)}
        ).content.decode()
    )
    assert (
        already
        not in client.get(
            url, {"program": programs[1].pk, "plan": str(older.token)}
        ).content.decode()
    )


def test_add_rejects_a_missing_or_bad_program(planned: Any) -> None:
    user, _, _ = planned
    client = logged_in(user)
    assert client.post(reverse("tracker:add"), {"program": "abc"}).status_code == 400
    assert client.post(reverse("tracker:add"), {"program": 999999}).status_code == 404


def test_someone_elses_plan_is_ignored_when_adding(planned: Any) -> None:
    _, plan, programs = planned
    other = UserFactory()
    logged_in(other).post(
        reverse("tracker:add"), {"program": programs[0].pk, "plan": str(plan.token)}
    )
    application = Application.objects.get(season__owner=other)
    assert application.season.plan is None


def test_an_application_moves_through_the_season_and_keeps_its_timeline() -> None:
    application = ApplicationFactory(program__specialty=specialty("EM"))
    services.application_move(application=application, status="applied", platform="residencycas")
    services.application_move(application=application, status="interview_offered")
    when = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)
    services.application_move(
        application=application,
        status="interview_scheduled",
        interview_at=when,
        interview_mode="virtual",
    )
    services.application_move(application=application, status="interviewed")

    application.refresh_from_db()
    assert application.status == Status.INTERVIEWED
    assert application.applied_on and application.offered_on
    assert application.interview_at == when
    assert list(
        StatusChange.objects.filter(application=application).values_list("status", flat=True)
    ) == ["applied", "interview_offered", "interview_scheduled", "interviewed"]


def test_a_status_cannot_move_backwards() -> None:
    application = applied(SeasonFactory(), status=Status.INTERVIEW_OFFERED)
    with pytest.raises(ValidationError) as info:
        services.application_move(application=application, status="applied")
    assert "cannot move to applied" in str(info.value)


def test_applying_needs_a_platform_and_scheduling_needs_a_time() -> None:
    application = ApplicationFactory()
    with pytest.raises(ValidationError, match="platform"):
        services.application_move(application=application, status="applied")
    services.application_move(application=application, status="applied", platform="eras")
    with pytest.raises(ValidationError, match="date and time"):
        services.application_move(application=application, status="interview_scheduled")


def test_move_form_shows_field_errors_without_crashing() -> None:
    application = ApplicationFactory()
    client = logged_in(application.season.owner)
    response = client.post(
        reverse("tracker:move", args=[application.pk]), {"status": "interview_scheduled"}
    )
    assert response.status_code == 400
    assert "Enter the interview" in response.content.decode()
    response = client.post(reverse("tracker:move", args=[application.pk]), {"status": "nonsense"})
    assert response.status_code == 400


def test_move_by_form_redirects_and_shows_the_timeline() -> None:
    application = ApplicationFactory()
    client = logged_in(application.season.owner)
    response = client.post(
        reverse("tracker:move", args=[application.pk]),
        {"status": "applied", "platform": "eras", "on": "2026-09-10", "note": "Sent early"},
    )
    assert response.status_code == 302
    page = client.get(reverse("tracker:application", args=[application.pk])).content.decode()
    assert "Sent early" in page and "10 Sep 2026" in page


def test_signals_are_refused_beyond_the_specialtys_allowance() -> None:
    season = SeasonFactory(match_year=2025)
    em = specialty("EM")
    for _ in range(5):
        a = applied(season, ProgramFactory(specialty=em))
        services.application_move(application=a, status="signal_sent", signal_kind="signal")
    sixth = applied(season, ProgramFactory(specialty=em))
    with pytest.raises(ValidationError) as info:
        services.application_move(application=sixth, status="signal_sent", signal_kind="signal")
    assert "all 5 signals Emergency Medicine allows" in str(info.value)
    sixth.refresh_from_db()
    assert sixth.status == Status.APPLIED and sixth.signal_kind == ""


def test_signal_kinds_count_separately_and_later_seasons_use_the_last_confirmed_figures() -> None:
    season = SeasonFactory(match_year=2027)
    im = specialty("IM")
    for _ in range(3):
        services.application_move(
            application=_im_app(season, im), status="signal_sent", signal_kind="gold"
        )
    with pytest.raises(ValidationError, match="all 3 gold signals"):
        services.application_move(
            application=_im_app(season, im), status="signal_sent", signal_kind="gold"
        )
    services.application_move(
        application=_im_app(season, im), status="signal_sent", signal_kind="silver"
    )
    page = logged_in(season.owner).get(reverse("tracker:home"), {"year": 2027}).content.decode()
    assert "Gold" in page and "Silver" in page


def _im_app(season: Any, im: Any) -> Application:
    return applied(season, ProgramFactory(specialty=im))


def test_signal_limit_message_shows_on_the_application_page() -> None:
    season = SeasonFactory(match_year=2025)
    fm = specialty("FM")
    for _ in range(5):
        applied(
            season, ProgramFactory(specialty=fm), status=Status.SIGNAL_SENT, signal_kind="signal"
        )
    last = applied(season, ProgramFactory(specialty=fm))
    response = logged_in(season.owner).post(
        reverse("tracker:move", args=[last.pk]),
        {"status": "signal_sent", "signal_kind": "signal", "platform": "eras"},
    )
    assert response.status_code == 400
    assert "You have used all 5 signals Family Medicine allows" in response.content.decode()


def test_a_date_in_the_future_is_refused() -> None:
    application = ApplicationFactory()
    future = dt.date.today() + dt.timedelta(days=10)
    with pytest.raises(ValidationError, match="future"):
        services.application_move(
            application=application, status="applied", platform="eras", on=future
        )


def test_notes_are_saved_and_capped() -> None:
    application = ApplicationFactory()
    client = logged_in(application.season.owner)
    client.post(reverse("tracker:notes", args=[application.pk]), {"notes": "Great residents"})
    application.refresh_from_db()
    assert application.notes == "Great residents"
    response = client.post(reverse("tracker:notes", args=[application.pk]), {"notes": "x" * 5001})
    assert response.status_code == 400


def test_the_plan_table_and_the_program_page_offer_add_buttons(planned: Any) -> None:
    user, plan, programs = planned
    client = logged_in(user)
    page = client.get(reverse("assessments:plan_detail", args=[plan.token])).content.decode()
    assert page.count("Add to my applications") >= 3
    assert f'"plan": "{plan.token}"' in page
    assert f"/season/add/?program={programs[0].pk}&amp;plan={plan.token}" in page
    detail = client.get(reverse("programs:detail", args=[programs[0].pk])).content.decode()
    assert "Add to my applications" in detail
    assert "Shared outcomes of MatchPlan applicants" in detail


def test_the_program_browser_rows_offer_the_add_link(planned: Any) -> None:
    user, _, programs = planned
    page = logged_in(user).get(reverse("programs:list")).content.decode()
    assert f'href="/season/add/?program={programs[0].pk}"' in page
    assert f'hx-vals=\'{{"program": "{programs[0].pk}"}}\'' in page
    # Without JavaScript the row's form opens the confirmation page.
    confirm = logged_in(user).get("/season/add/", {"program": programs[0].pk})
    assert confirm.status_code == 200 and programs[0].name in confirm.content.decode()


def test_signal_allowances_come_from_the_season_data_and_fall_back_to_the_trackers() -> None:
    from tracker import selectors

    im = selectors.signals_allowed(specialty("IM"), 2027)
    assert im.kinds == {"gold": 3, "silver": 12}
    assert im.match_year == 2026 and "2027 season are not confirmed" in im.note
    assert im.source  # the season data's source, shown to users
    em_2025 = selectors.signals_allowed(specialty("EM"), 2025)  # before the season data
    assert em_2025.kinds == {"signal": 5} and em_2025.source.startswith("AAMC")


def test_a_specialty_the_season_data_gives_no_signals_refuses_a_plain_signal() -> None:
    from assessments.models import SpecialtySeason

    row = SpecialtySeason.objects.filter(specialty__code="PATH").order_by("-season").first()
    SpecialtySeason.objects.filter(pk=row.pk).update(signals_first=0, signals_second=0)
    season = SeasonFactory(match_year=row.season)
    application = applied(season, ProgramFactory(specialty=specialty("PATH")))
    with pytest.raises(ValidationError) as info:
        services.application_move(
            application=application, status="signal_sent", signal_kind="signal"
        )
    assert "no program signals" in str(info.value)


def test_dates_outside_the_season_are_field_errors_and_the_calendar_file_still_downloads() -> None:
    season = SeasonFactory(match_year=2027)
    application = applied(season, status=Status.INTERVIEW_OFFERED, applied_on=dt.date(2026, 9, 3))
    client = logged_in(season.owner)
    url = reverse("tracker:move", args=[application.pk])
    for body, field, text in [
        (
            {"status": "interview_scheduled", "interview_at": "9999-12-31T23:59"},
            "interview_at",
            "Interviews for the 2027 Match take place in 2026 or 2027",
        ),
        (
            {"status": "interview_scheduled", "interview_at": "1900-01-01T09:00"},
            "interview_at",
            "Interviews for the 2027 Match take place in 2026 or 2027",
        ),
        (
            {"status": "rejected", "on": "1900-01-01"},
            "on",
            "happen from 2026 on, not on 1 January 1900",
        ),
    ]:
        response = client.post(url, {**body, "interview_mode": "virtual"})
        assert response.status_code == 400
        assert f'id="error_1_id_{field}"' in response.content.decode()
        assert text in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.INTERVIEW_OFFERED and application.interview_at is None
    assert client.get(reverse("tracker:calendar_ics"), {"year": 2027}).status_code == 200


def test_a_later_seasons_application_cannot_be_marked_sent_before_its_cycle() -> None:
    # in December 2026, tracking the 2028 Match: nothing of that season can have happened yet
    today = timezone.localdate()
    application = ApplicationFactory(season=SeasonFactory(match_year=today.year + 2))
    with pytest.raises(ValidationError, match=f"from {today.year + 1} on, not on {today.day} "):
        services.application_move(application=application, status="applied", platform="eras")
    application.refresh_from_db()
    assert application.status == Status.CONSIDERING


def test_a_scheduled_interview_can_be_rescheduled_and_the_calendar_follows() -> None:
    season = SeasonFactory(match_year=2027)
    application = applied(season, status=Status.INTERVIEW_OFFERED)
    client = logged_in(season.owner)
    url = reverse("tracker:move", args=[application.pk])
    first = {"status": "interview_scheduled", "interview_mode": "virtual"}
    client.post(url, {**first, "interview_at": "2026-12-20T09:00"})
    page = client.get(reverse("tracker:application", args=[application.pk])).content.decode()
    assert "Interview rescheduled (enter the new date and time)" in page

    response = client.post(
        url, {**first, "interview_at": "2027-01-08T14:30", "note": "Program moved it"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.INTERVIEW_SCHEDULED
    assert application.interview_at == dt.datetime(2027, 1, 8, 14, 30, tzinfo=dt.UTC)
    assert list(application.changes.values_list("status", "note")) == [
        ("interview_scheduled", ""),
        ("interview_scheduled", "Program moved it"),
    ]
    ics = client.get(reverse("tracker:calendar_ics"), {"year": 2027}).content
    assert b"DTSTART:20270108T143000" in ics and b"20261220" not in ics


def test_an_interview_cannot_be_marked_done_before_its_scheduled_day() -> None:
    season = SeasonFactory(match_year=timezone.localdate().year + 1)
    when = timezone.now() + dt.timedelta(days=10)
    application = applied(
        season, status=Status.INTERVIEW_SCHEDULED, interview_at=when, interview_mode="virtual"
    )
    client = logged_in(season.owner)
    url = reverse("tracker:move", args=[application.pk])

    response = client.post(url, {"status": "interviewed"})

    assert response.status_code == 400
    page = response.content.decode()
    day = timezone.localdate(when)
    assert f"Your interview is scheduled for {day:%-d %B %Y}" in page
    assert "reschedule it first" in page
    application.refresh_from_db()
    assert application.status == Status.INTERVIEW_SCHEDULED
    assert not application.interviewed

    # Moved to an earlier day: rescheduled, it can then be marked done.
    earlier = timezone.localtime() - dt.timedelta(hours=2)
    client.post(
        url,
        {
            "status": "interview_scheduled",
            "interview_at": earlier.strftime("%Y-%m-%dT%H:%M"),
            "interview_mode": "virtual",
        },
    )
    assert client.post(url, {"status": "interviewed"}).status_code == 302
    application.refresh_from_db()
    assert application.status == Status.INTERVIEWED


def test_the_move_form_preselects_no_status_and_saving_it_unchosen_changes_nothing() -> None:
    application = applied(SeasonFactory(), status=Status.INTERVIEWED, interviewed=True)
    client = logged_in(application.season.owner)
    page = client.get(reverse("tracker:application", args=[application.pk])).content.decode()
    assert '<option value="" selected>Choose…</option>' in page
    response = client.post(reverse("tracker:move", args=[application.pk]), {"status": ""})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Status.INTERVIEWED

    application.status = Status.REJECTED
    application.save()
    page = client.get(reverse("tracker:application", args=[application.pk])).content.decode()
    assert "it cannot move any more" in page and "Choose…" not in page
