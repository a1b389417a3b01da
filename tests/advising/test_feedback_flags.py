"""The plan page's one query says whether the plan has advisor comments and a review
(advising.selectors.plan_has_comments/plan_has_review, registered as page annotations),
so that the feedback panel reads them only where there are some."""

from __future__ import annotations

import uuid

import pytest

from assessments.plans.queries import plan_for_viewer
from tests.advising.conftest import World
from tests.factories import CommentFactory, PlanFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _load(plan):
    return plan_for_viewer(user=plan.owner, session_tokens=[], token=plan.token, page=True)


def test_each_flag_is_true_only_for_the_plan_that_has_the_row(world: World) -> None:
    CommentFactory(plan=world.plan_a, author=world.advisor_assigned, body="A note.")
    ReviewFactory(plan=world.plan_b, reviewer=world.advisor_assigned, status="reviewed")
    bare = PlanFactory(owner=world.applicant_a)

    a, b, c = _load(world.plan_a), _load(world.plan_b), _load(bare)

    assert (a.has_advisor_comments, a.has_advisor_review) == (True, False)
    assert (b.has_advisor_comments, b.has_advisor_review) == (False, True)
    assert (c.has_advisor_comments, c.has_advisor_review) == (False, False)


def test_another_viewer_or_an_unknown_token_gets_no_plan(world: World) -> None:
    other = plan_for_viewer(
        user=world.advisor_unrelated, session_tokens=[], token=world.plan_a.token, page=True
    )
    unknown = plan_for_viewer(user=world.applicant_a, session_tokens=[], token=uuid.uuid4())

    assert (other, unknown) == (None, None)
