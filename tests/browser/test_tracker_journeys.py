"""The application season in Chromium, with JavaScript on and off: adding programs from a
plan, moving an application through the season, hitting the signal limit, the .ics file
(parsed back), building and reordering the rank list, an advisor's comment on a season and
the k-of-5 threshold of shared statistics."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import csp_violations
from tests.factories import (
    PASSWORD,
    AdvisorFactory,
    AssignmentFactory,
    PlanFactory,
    ProgramFactory,
    SeasonFactory,
    UserFactory,
    applied,
    em_programs,
    install_signals,
    make_plan,
)
from tracker.models import Application, RankListEntry, SeasonComment, Status
from tracker.rules import default_match_year

pytestmark = pytest.mark.browser


def _log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _plan_for_the_season_under_way(user):
    """A plan whose season has begun (its applications go out this year): a later season's
    applications cannot be marked sent yet."""
    return make_plan(owner=user, application_year=default_match_year(timezone.localdate()) - 1)


def _order(season) -> list[str]:
    return list(
        RankListEntry.objects.filter(season=season)
        .order_by("position")
        .values_list("application__program__name", flat=True)
    )


def test_season_with_javascript(page, console_messages, screenshot, tmp_path) -> None:
    install_signals()
    programs = em_programs(3)
    user = UserFactory(email="amal@example.com")
    plan = _plan_for_the_season_under_way(user)
    _log_in(page, user.email)

    # Add two programs from the plan's table: one click each, swapped to "Added".
    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    for program in programs[:2]:
        row = page.locator("#program-results tr", has_text=program.name)
        row.get_by_role("link", name="Add to my applications").click()
        expect(row.locator(".tracker-add.badge")).to_contain_text("Added")
    screenshot(page, "tracker-01-plan-added")
    added = Application.objects.filter(season__owner=user)
    assert added.count() == 2
    season = added.first().season

    # Five EM signals are already used: the sixth is refused with a clear message.
    for _ in range(5):
        applied(
            season,
            ProgramFactory(specialty=programs[0].specialty),
            status=Status.SIGNAL_SENT,
            signal_kind="signal",
        )
    application = added.order_by("id").first()
    page.goto(reverse("tracker:application", args=[application.pk]))
    page.get_by_label("New status").select_option("applied")
    page.get_by_label("Platform").select_option("residencycas")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved: Applied").wait_for()
    page.get_by_label("New status").select_option("signal_sent")
    page.get_by_label("Signal kind").select_option("signal")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("You have used all 5 signals Emergency Medicine allows").wait_for()
    screenshot(page, "tracker-02-signal-limit")

    # Offered, scheduled, interviewed: the timeline keeps every step.
    page.get_by_label("New status").select_option("interview_offered")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved: Interview offered").wait_for()
    when = (dt.datetime.now() + dt.timedelta(days=10)).replace(hour=9, minute=30)
    page.get_by_label("New status").select_option("interview_scheduled")
    page.get_by_label("Interview date and time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Interview", exact=True).select_option("virtual")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved: Interview scheduled").wait_for()
    timeline = page.locator(".tracker-timeline").inner_text()
    assert (
        "Applied" in timeline
        and "Interview offered" in timeline
        and "Interview scheduled" in timeline
    )

    # The calendar file downloads and parses back.
    page.goto(reverse("tracker:calendar"))
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the calendar file (.ics)").click()
    path = tmp_path / "interviews.ics"
    info.value.save_as(path)
    events = list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == [f"Interview: {application.program.name}"]

    # Not done before its day: the program moved it earlier, so it is rescheduled first.
    page.goto(reverse("tracker:application", args=[application.pk]))
    page.get_by_label("New status").select_option("interviewed")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("reschedule it first").wait_for()
    earlier = (dt.datetime.now() - dt.timedelta(days=1)).replace(hour=9, minute=30)
    page.get_by_label("New status").select_option("interview_scheduled")
    page.get_by_label("Interview date and time").fill(earlier.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Interview", exact=True).select_option("virtual")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved: Interview scheduled").wait_for()

    # Interviewed programs build the rank list; drag and drop reorders it.
    page.get_by_label("New status").select_option("interviewed")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved: Interviewed").wait_for()
    for name in ("Second Choice", "Third Choice"):
        applied(season, ProgramFactory(name=name), status=Status.INTERVIEWED, interviewed=True)
    page.goto(reverse("tracker:rank_list"))
    for n in range(1, 4):
        page.locator("#ranks form button", has_text="Rank ").first.click()
        expect(page.locator("li.rank-entry")).to_have_count(n)
    assert len(_order(season)) == 3
    first = _order(season)[0]
    entries = page.locator("li.rank-entry")
    with page.expect_response(lambda r: "/rank-list/order/" in r.url):
        entries.nth(0).drag_to(entries.nth(2))
    expect(page.locator("li.rank-entry").nth(0)).not_to_contain_text(first)
    assert _order(season)[0] != first  # the server saved the dropped order
    assert _order(season) == [
        t.split("\n")[0].strip() for t in page.locator("li.rank-entry a").all_inner_texts()
    ]
    before = _order(season)
    page.locator("li.rank-entry").nth(1).get_by_role("button", name="Up").click()
    expect(page.locator("li.rank-entry").nth(0)).to_contain_text(before[1])
    assert _order(season) == [before[1], before[0], before[2]]
    screenshot(page, "tracker-03-rank-list")
    page.goto(reverse("tracker:home"))
    page.get_by_role("heading", name="Signals").wait_for()
    screenshot(page, "tracker-05-home")
    page.goto(reverse("tracker:progress"))
    page.get_by_role("heading", name="Checkpoints").wait_for()
    screenshot(page, "tracker-06-progress")
    page.goto(reverse("tracker:calendar"))
    screenshot(page, "tracker-07-calendar")
    assert csp_violations(console_messages) == []
    assert not [m for m in console_messages if m.type == "pageerror"]


def test_season_without_javascript(js_disabled_page, screenshot) -> None:
    page = js_disabled_page
    install_signals()
    em_programs(2)
    user = UserFactory(email="bo@example.com")
    plan = _plan_for_the_season_under_way(user)
    _log_in(page, user.email)

    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    page.get_by_role("link", name="Add to my applications").first.click()
    page.get_by_role("button", name="Add to my applications").click()
    page.get_by_text("is in My applications").wait_for()
    application = Application.objects.get(season__owner=user)
    assert application.plan_label

    page.goto(reverse("tracker:application", args=[application.pk]))
    page.get_by_label("New status").select_option("applied")
    page.get_by_label("Platform").select_option("eras")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved: Applied").wait_for()
    page.get_by_label("New status").select_option("interviewed")
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved: Interviewed").wait_for()

    applied(
        application.season,
        ProgramFactory(name="Zed Program"),
        status=Status.INTERVIEWED,
        interviewed=True,
    )
    page.goto(reverse("tracker:rank_list"))
    page.locator("#ranks form button", has_text="Rank ").first.click()
    page.locator("#ranks form button", has_text="Rank ").first.click()
    before = _order(application.season)
    assert len(before) == 2
    page.locator("li.rank-entry").nth(1).get_by_role("button", name="Up").click()
    page.wait_for_load_state()
    assert _order(application.season) == [before[1], before[0]]
    screenshot(page, "tracker-04-rank-list-no-js")


def test_advisor_comments_on_a_season(page) -> None:
    applicant = UserFactory(email="cy@example.com", full_name="Cy Applicant")
    advisor = AdvisorFactory(email="adv@example.com")
    AssignmentFactory(advisor=advisor, applicant=applicant)
    season = SeasonFactory(owner=applicant, plan=PlanFactory(owner=applicant))
    applied(season, ProgramFactory(name="Advised Program"))

    _log_in(page, advisor.email)
    page.goto(reverse("advising:dashboard"))
    page.get_by_role("link", name=f"Match {season.match_year}").click()
    page.get_by_text("Advised Program").wait_for()
    page.get_by_label("Comment on this season").fill("Add three community programs in Texas.")
    page.get_by_role("button", name="Add comment").click()
    page.get_by_text("Comment added").wait_for()
    assert SeasonComment.objects.get().body == "Add three community programs in Texas."
    assert mail.outbox[-1].to == [applicant.email]

    page.context.clear_cookies()
    _log_in(page, applicant.email)
    page.goto(reverse("tracker:home"))
    page.get_by_text("Add three community programs in Texas.").wait_for()


def test_shared_statistics_show_from_five_contributors(page) -> None:
    program = ProgramFactory(name="Shared Program")
    viewer = UserFactory(email="dee@example.com")

    def contribute() -> None:
        plan = PlanFactory(profile={"step2ck": {"score": 240}})
        season = SeasonFactory(owner=plan.owner, plan=plan, share_outcomes=True, match_year=2026)
        applied(season, program, offered_on=dt.date(2025, 11, 1))

    for _ in range(4):
        contribute()
    _log_in(page, viewer.email)
    page.goto(reverse("programs:detail", args=[program.pk]))
    page.get_by_text("Not enough shared seasons yet").wait_for()
    contribute()
    page.reload()
    page.get_by_text("Match 2026: 5 contributors applied").wait_for()
    assert "Median Step 2 CK of those offered: 240" in page.locator(".shared-outcomes").inner_text()
