"""The advisor's read-only season view, comments, and the dashboard column and filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from advising import selectors as advising_selectors
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    SeasonFactory,
    UserFactory,
    applied,
    make_plan,
)
from tests.fuzz.strategies import logged_in
from tracker import selectors
from tracker.models import SeasonComment

pytestmark = pytest.mark.django_db


def _year_with_a_checkpoint_passed() -> int:
    today = dt.date.today()
    return today.year + 1 if (today.month, today.day) >= (10, 16) else today.year


@pytest.fixture
def advised() -> Any:
    applicant = UserFactory(full_name="Amal Applicant")
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=applicant)
    season = SeasonFactory(owner=applicant, match_year=_year_with_a_checkpoint_passed())
    applied(season, notes="Loved the program")
    return applicant, advisor, season


def test_advisor_reads_the_season_and_comments_with_a_notice(advised: Any) -> None:
    applicant, advisor, season = advised
    client = logged_in(advisor)
    page = client.get(reverse("tracker:advise", args=[season.pk])).content.decode()
    assert "Season of Amal Applicant" in page and "Loved the program" in page
    assert "Interview offers" in page and "Rank list draft" in page
    assert "Save status" not in page  # read-only

    response = client.post(
        reverse("tracker:advise_comment", args=[season.pk]),
        {"body": "Add five community programs."},
    )
    assert response.status_code == 302
    assert SeasonComment.objects.get().body == "Add five community programs."
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [applicant.email]
    assert "Add five" not in mail.outbox[0].body  # names and links only, as plan comments
    home = logged_in(applicant).get(reverse("tracker:home")).content.decode()
    assert "Add five community programs." in home


@pytest.mark.parametrize(
    ("full_name", "named"), [("Ada Advisor", "Ada Advisor"), ("", "ada@example.org")]
)
def test_the_season_comment_email_names_the_advisor_as_the_plan_comment_email_does(
    advised: Any, full_name: str, named: str
) -> None:
    _, _, season = advised
    advisor = AdvisorFactory(email="ada@example.org", full_name=full_name)
    AssignmentFactory(advisor=advisor, applicant=season.owner)

    logged_in(advisor).post(
        reverse("tracker:advise_comment", args=[season.pk]), {"body": "Add programs."}
    )

    assert f"{named} left a comment on your MatchPlan season" in mail.outbox[0].body
    assert "Your advisor left" not in mail.outbox[0].body


def test_an_empty_comment_shows_a_field_error(advised: Any) -> None:
    _, advisor, season = advised
    response = logged_in(advisor).post(
        reverse("tracker:advise_comment", args=[season.pk]), {"body": "  "}
    )
    assert response.status_code == 400
    assert not SeasonComment.objects.exists()


def test_the_advisors_season_pages_are_never_stored_by_the_browser(advised: Any) -> None:
    # The applicant's applications and notes: Back after logging out on a shared
    # computer must not show them, as on every other page with applicant data.
    _, advisor, season = advised
    client = logged_in(advisor)
    page = client.get(reverse("tracker:advise", args=[season.pk]))
    invalid = client.post(reverse("tracker:advise_comment", args=[season.pk]), {"body": ""})
    for response in (page, invalid):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_the_season_view_links_to_the_review_of_its_plan(advised: Any) -> None:
    applicant, advisor, season = advised
    season.plan = make_plan(applicant)
    season.save()
    client = logged_in(advisor)
    page = client.get(reverse("tracker:advise", args=[season.pk])).content.decode()
    review = reverse("advising:plan_review", args=[season.plan.pk])
    assert f'<a href="{review}">Review the plan this season is tracked against</a>' in page
    assert client.get(review).status_code == 200


def test_dashboard_shows_the_season_column_and_filters_behind_target(advised: Any) -> None:
    applicant, advisor, season = advised
    on_track = UserFactory(full_name="Olu OnTrack")
    AssignmentFactory(advisor=advisor, applicant=on_track)
    other = SeasonFactory(owner=on_track, match_year=season.match_year)
    for _ in range(12):
        applied(other, offered_on=dt.date.today())
    assert selectors.behind_offer_target([applicant.pk, on_track.pk]) == {applicant.pk}

    client = logged_in(advisor)
    page = client.get(reverse("advising:dashboard")).content.decode()
    assert "Season offers" in page
    assert reverse("tracker:advise", args=[season.pk]) in page
    filtered = client.get(reverse("advising:dashboard"), {"behind": "on"}).content.decode()
    assert "Amal Applicant" in filtered and "Olu OnTrack" not in filtered
    assert "Behind" in page
    # the box is the tracker's own rule, set once from TrackerConfig.ready() (no registry)
    assert advising_selectors.behind_offer_target is selectors.behind_offer_target


def test_an_advisors_deleted_account_leaves_the_comment(advised: Any) -> None:
    from accounts.services import user_delete

    applicant, advisor, season = advised
    SeasonComment.objects.create(season=season, author=advisor, body="Keep going.")
    user_delete(user=advisor)
    page = logged_in(applicant).get(reverse("tracker:home")).content.decode()
    assert "Keep going." in page and "A former advisor" in page


def test_the_notes_say_which_advisors_read_them_and_those_advisors_do(advised: Any) -> None:
    applicant, advisor, season = advised
    application = season.applications.get()
    application.notes = "Liked the residents. " + "x" * 200 + " SECRET-TAIL"
    application.save()
    page = logged_in(applicant).get(reverse("tracker:application", args=[application.pk]))
    assert (
        "Advisors you share your plans with (once they accept) and advisors assigned to you can "
        "read these notes: their view of your season shows the first 120 characters of each."
    ) in page.content.decode()
    shown = logged_in(advisor).get(reverse("tracker:advise", args=[season.pk])).content.decode()
    assert "Liked the residents. " + "x" * 98 + "…" in shown  # 120 characters with the ellipsis
    assert "SECRET-TAIL" not in shown
    # an advisor the applicant has not shared with, nor been assigned to, reads nothing
    stranger = AdvisorFactory()
    assert logged_in(stranger).get(reverse("tracker:advise", args=[season.pk])).status_code == 404


def test_the_applicant_page_asks_to_share_only_when_nobody_advises(client):
    season = SeasonFactory()
    applicant = season.owner
    client.force_login(applicant)
    html = client.get(reverse("tracker:home")).content.decode()
    assert "Share with an advisor</a> to get their view" in html

    AssignmentFactory(advisor=AdvisorFactory(), applicant=applicant)
    html = client.get(reverse("tracker:home")).content.decode()
    assert "Share with an advisor" not in html
    assert "Your advisor sees this season and can comment on it here." in html


def test_the_advisor_view_of_progress_speaks_of_the_applicant(client):
    season = SeasonFactory(plan=None)
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=season.owner)
    client.force_login(advisor)
    html = client.get(reverse("tracker:advise", args=[season.pk])).content.decode()
    assert "the applicant has not linked a plan to it yet" in html
    assert "save a plan to see" not in html and "Where you are" not in html
