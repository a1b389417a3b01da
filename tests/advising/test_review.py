from __future__ import annotations

import re

import pytest
from django.core import mail
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse

from advising.emails import applicant_plan_path
from advising.models import PlanComment, PlanReview
from advising.selectors import plan_feedback
from tests.advising.conftest import World, client_for
from tests.factories import CommentFactory, PlanFactory, ReviewFactory, SeasonFactory

pytestmark = pytest.mark.django_db


def test_review_page_shows_the_plan_read_only_with_comments_and_status(world: World) -> None:
    CommentFactory(plan=world.plan_a, author=world.advisor_shared, body="Add IM as a backup.")
    ReviewFactory(plan=world.plan_a, reviewer=world.advisor_shared, status="needs_changes")

    response = client_for(world.advisor_assigned).get(
        reverse("advising:plan_review", args=[world.plan_a.pk])
    )

    html = response.content.decode()
    assert "Plan review: Amal Applicant" in html
    assert "Viable" in html
    assert "Red flag number 1." in html
    assert "Add IM as a backup." in html and "Sam Shared" in html
    assert "Needs changes" in html
    assert 'name="body"' in html
    assert reverse("advising:plan_status", args=[world.plan_a.pk]) in html
    # read-only: nothing on the page posts anywhere but the comment and status URLs
    post_actions = {
        re.search(r'action="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<form\b[^>]*>", html)
        if 'method="post"' in tag.lower()
    }
    assert post_actions == {
        reverse("advising:plan_comment", args=[world.plan_a.pk]),
        reverse("advising:plan_status", args=[world.plan_a.pk]),
        reverse("accounts:logout"),
    }


def test_review_page_lists_the_applicants_other_plans(world: World) -> None:
    older = PlanFactory(owner=world.applicant_a, specialty_code="IM")

    html = (
        client_for(world.advisor_assigned)
        .get(reverse("advising:plan_review", args=[world.plan_a.pk]))
        .content.decode()
    )

    assert reverse("advising:plan_review", args=[older.pk]) in html
    assert reverse("advising:plan_review", args=[world.plan_b.pk]) not in html


def test_review_page_links_to_the_applicants_seasons(world: World) -> None:
    url = reverse("advising:plan_review", args=[world.plan_a.pk])
    assert "Application season:" not in client_for(world.advisor_shared).get(url).content.decode()
    tracked = SeasonFactory(owner=world.applicant_a, match_year=2028, plan=world.plan_a)
    earlier = SeasonFactory(owner=world.applicant_a, match_year=2027)
    other = SeasonFactory(owner=world.applicant_b, match_year=2028)

    html = client_for(world.advisor_shared).get(url).content.decode()

    tracked_url = reverse("tracker:advise", args=[tracked.pk])
    assert f'<a href="{tracked_url}">Match 2028</a> (tracked against this plan)' in html
    assert f'<a href="{reverse("tracker:advise", args=[earlier.pk])}">Match 2027</a>' in html
    assert reverse("tracker:advise", args=[other.pk]) not in html
    # The link leads to a page the advisor may open.
    assert client_for(world.advisor_shared).get(tracked_url).status_code == 200


def test_adding_a_comment_stores_it_on_the_plan_and_emails_the_applicant(world: World) -> None:
    response = client_for(world.advisor_assigned).post(
        reverse("advising:plan_comment", args=[world.plan_a.pk]),
        {"body": "  Strong letters; apply early.  "},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#comments")
    comment = PlanComment.objects.get()
    assert comment.plan == world.plan_a
    assert comment.author == world.advisor_assigned
    assert comment.body == "Strong letters; apply early."
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.org"]
    assert "Ada Assigned" in message.body
    assert applicant_plan_path(world.plan_a) in message.body
    assert "Strong letters" not in message.body


def test_comment_with_htmx_returns_the_comments_partial(world: World) -> None:
    response = client_for(world.advisor_shared).post(
        reverse("advising:plan_comment", args=[world.plan_a.pk]),
        {"body": "Looks good."},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Looks good." in html
    assert "Comment added." in html
    assert "<html" not in html
    assert 'id="comments-heading"' in html
    assert PlanComment.objects.filter(plan=world.plan_a).count() == 1


@pytest.mark.parametrize("htmx", [True, False])
def test_empty_comment_shows_an_error_and_stores_nothing(world: World, htmx: bool) -> None:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = client_for(world.advisor_assigned).post(
        reverse("advising:plan_comment", args=[world.plan_a.pk]), {"body": "   "}, **headers
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not PlanComment.objects.exists()
    assert mail.outbox == []


def test_comments_stay_with_the_plan_they_were_written_on(world: World) -> None:
    client_for(world.advisor_assigned).post(
        reverse("advising:plan_comment", args=[world.plan_a.pk]), {"body": "On the first plan."}
    )
    newer = PlanFactory(owner=world.applicant_a)

    assert [c.body for c in plan_feedback(world.plan_a).comments] == ["On the first plan."]
    assert plan_feedback(newer).comments == []


@pytest.mark.parametrize("htmx", [True, False])
def test_setting_the_review_status(world: World, htmx: bool) -> None:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client = client_for(world.advisor_assigned)
    url = reverse("advising:plan_status", args=[world.plan_a.pk])

    response = client.post(url, {"status": "needs_changes"}, **headers)
    assert PlanReview.objects.get(plan=world.plan_a).status == "needs_changes"
    if htmx:
        assert response.status_code == 200
        assert "<html" not in response.content.decode()
        assert "Needs changes" in response.content.decode()
    else:
        assert response.status_code == 302

    client_for(world.advisor_shared).post(url, {"status": "reviewed"}, **headers)
    review = PlanReview.objects.get(plan=world.plan_a)
    assert review.status == "reviewed"
    assert review.reviewer == world.advisor_shared
    assert PlanReview.objects.count() == 1


def test_an_unknown_status_is_refused(world: World) -> None:
    response = client_for(world.advisor_assigned).post(
        reverse("advising:plan_status", args=[world.plan_a.pk]), {"status": "approved"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not PlanReview.objects.exists()


def test_plan_feedback_include_shows_comments_and_status_to_the_applicant(
    world: World, django_assert_max_num_queries
) -> None:
    CommentFactory(plan=world.plan_a, author=world.advisor_assigned, body="First note.")
    CommentFactory(plan=world.plan_a, author=world.advisor_shared, body="Second note.")
    CommentFactory(plan=world.plan_b, author=world.advisor_unrelated, body="Not for A.")
    ReviewFactory(plan=world.plan_a, reviewer=world.advisor_assigned, status="reviewed")
    with django_assert_max_num_queries(2):  # the comments with authors, the review
        html = render_to_string("advising/includes/plan_feedback.html", {"plan": world.plan_a})

    assert html.index("First note.") < html.index("Second note.")
    assert "Ada Assigned" in html and "Sam Shared" in html
    assert "Reviewed" in html
    assert "Not for A." not in html


def test_plan_feedback_include_says_when_there_is_nothing_yet(world: World) -> None:
    html = render_to_string("advising/includes/plan_feedback.html", {"plan": world.plan_a})

    assert "No comments yet." in html
    assert "Not reviewed" in html


def test_a_deleted_advisor_leaves_their_comments_on_the_plan(world: World) -> None:
    CommentFactory(plan=world.plan_a, author=world.advisor_shared, body="Keep this.")
    world.advisor_shared.delete()

    html = render_to_string("advising/includes/plan_feedback.html", {"plan": world.plan_a})

    assert "Keep this." in html
    assert "A former advisor" in html


def test_review_page_shows_the_plan_body_without_crashing_on_sparse_output(
    world: World,
) -> None:
    sparse = PlanFactory(owner=world.applicant_a, output={"tier": "risk"}, tier="risk")

    response = client_for(world.advisor_assigned).get(
        reverse("advising:plan_review", args=[sparse.pk])
    )

    assert response.status_code == 200
    assert "At risk" in response.content.decode()


def test_review_page_includes_the_plan_body_and_no_fallback_summary_is_left(world: World) -> None:
    # A compact summary (advising/includes/plan_summary.html) was kept as a fallback for a
    # plan body that has long existed: dead code that could drift from the real page.
    response = client_for(world.advisor_assigned).get(
        reverse("advising:plan_review", args=[world.plan_a.pk])
    )

    names = {t.name for t in response.templates}
    assert "assessments/includes/plan_body.html" in names
    assert 'class="plan-body"' in response.content.decode()
    with pytest.raises(TemplateDoesNotExist):
        get_template("advising/includes/plan_summary.html")
