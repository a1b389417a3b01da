"""Reads for advising. The access rule lives here once: advisable_applicants."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import ADVISORS_GROUP
from advising.models import AdvisorAssignment, PlanComment, PlanReview, Share
from assessments.models import Plan

if TYPE_CHECKING:
    from accounts.models import User

# Dashboard "status" filter values besides the ReviewStatus values.
STATUS_NOT_REVIEWED = "not_reviewed"
STATUS_NO_PLAN = "no_plan"

# The dashboard's "behind offer target" box: applicant ids -> those behind their
# interview-offer target. The season tracker owns that rule and sets this from
# TrackerConfig.ready(): tracker builds on advising, so advising imports nothing from it
# (tests/infra/test_import_graph.py). None (no tracker): the box keeps everyone.
behind_offer_target: Callable[[list[int]], set[int]] | None = None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_is_advisor(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_advisor)


def advisable_applicants(advisor: Any) -> QuerySet[User]:
    """The users whose saved plans `advisor` may read: assigned by an admin, or with an
    active (accepted, not revoked) share. Nobody, unless `advisor` is in the Advisors
    group: removing someone from the group removes all their access at once."""
    user_model = get_user_model()
    if not getattr(advisor, "is_authenticated", False):
        return user_model.objects.none()
    assigned = AdvisorAssignment.objects.filter(
        advisor=advisor, advisor__groups__name=ADVISORS_GROUP
    ).values("applicant_id")
    shared = (
        Share.objects.active()
        .filter(advisor=advisor, advisor__groups__name=ADVISORS_GROUP)
        .values("applicant_id")
    )
    return user_model.objects.filter(Q(pk__in=assigned) | Q(pk__in=shared))


def has_advisor(applicant: Any) -> bool:
    """Whether somebody may advise the applicant now: an admin assignment or an accepted,
    not revoked share, to a member of the Advisors group (the other side of
    :func:`advisable_applicants`)."""
    in_group = Q(advisor__groups__name=ADVISORS_GROUP)
    return (
        AdvisorAssignment.objects.filter(in_group, applicant=applicant).exists()
        or Share.objects.active().filter(in_group, applicant=applicant).exists()
    )


def can_advise(advisor: Any, applicant: Any) -> bool:
    if applicant is None:
        return False
    return advisable_applicants(advisor).filter(pk=applicant.pk).exists()


def advisable_plans(advisor: Any) -> QuerySet[Plan]:
    """Saved plans (with an owner) of the applicants `advisor` may advise."""
    return Plan.objects.filter(owner__in=advisable_applicants(advisor)).select_related("owner")


def dashboard_rows(
    advisor: Any,
    *,
    q: str = "",
    tier: str = "",
    specialty: str = "",
    status: str = "",
    behind: bool = False,
) -> QuerySet[User]:
    """The advisor's applicants, each annotated with their latest saved plan and its review.

    Every figure comes from a correlated subquery, so one query returns a whole page
    however many applicants, plans and comments there are.
    """
    latest = Plan.objects.filter(owner=OuterRef("pk")).order_by("-created_at", "-id")
    plan_count = (
        Plan.objects.filter(owner=OuterRef("pk"))
        .order_by()
        .values("owner")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = advisable_applicants(advisor).annotate(
        latest_plan_id=Subquery(latest.values("id")[:1]),
        latest_specialty=Subquery(latest.values("specialty_code")[:1]),
        latest_tier=Subquery(latest.values("tier")[:1]),
        latest_red_flags=Subquery(latest.values("red_flag_count")[:1]),
        latest_created=Subquery(latest.values("created_at")[:1]),
        plan_count=Coalesce(Subquery(plan_count, output_field=IntegerField()), Value(0)),
    )
    rows = rows.annotate(
        review_status=Subquery(
            PlanReview.objects.filter(plan_id=OuterRef("latest_plan_id")).values("status")[:1]
        ),
    )
    if q:
        rows = rows.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if tier:
        rows = rows.filter(latest_tier=tier)
    if specialty:
        rows = rows.filter(latest_specialty=specialty)
    if status == STATUS_NO_PLAN:
        rows = rows.filter(latest_plan_id__isnull=True)
    elif status == STATUS_NOT_REVIEWED:
        rows = rows.filter(latest_plan_id__isnull=False, review_status__isnull=True)
    elif status:
        rows = rows.filter(review_status=status)
    if behind and behind_offer_target is not None:
        ids = list(advisable_applicants(advisor).values_list("pk", flat=True))
        rows = rows.filter(pk__in=behind_offer_target(ids))
    return rows.order_by(F("latest_created").desc(nulls_last=True), "email")


@dataclass(frozen=True)
class SharingOverview:
    assignments: list[AdvisorAssignment]
    shares: list[Share]

    @property
    def is_empty(self) -> bool:
        return not self.assignments and not self.shares


def sharing_overview(applicant: Any) -> SharingOverview:
    """Who can see the applicant's plans: admin assignments and not-revoked shares."""
    assignments = list(
        AdvisorAssignment.objects.filter(applicant=applicant).select_related("advisor")
    )
    shares = list(Share.objects.not_revoked().filter(applicant=applicant).select_related("advisor"))
    return SharingOverview(assignments=assignments, shares=shares)


@dataclass(frozen=True)
class PlanFeedback:
    comments: list[PlanComment]
    review: PlanReview | None

    @property
    def is_empty(self) -> bool:
        return not self.comments and self.review is None


def plan_feedback(plan: Plan) -> PlanFeedback:
    """The advisors' comments (oldest first, with authors) and review status of one plan.

    A plan loaded by ``plans.plan_for_viewer(..., page=True)`` knows whether it has comments
    and a review (``has_advisor_comments``/``has_advisor_review``): each is read only if it
    exists (most plans have neither)."""
    comments = (
        list(PlanComment.objects.filter(plan=plan).select_related("author"))
        if getattr(plan, "has_advisor_comments", True)
        else []
    )
    review = (
        PlanReview.objects.filter(plan=plan).select_related("reviewer").first()
        if getattr(plan, "has_advisor_review", True)
        else None
    )
    return PlanFeedback(comments=comments, review=review)


def applicant_plans(applicant: Any, *, limit: int = 50) -> list[Plan]:
    """An applicant's saved plans, newest first, without their heavy JSON columns."""
    return list(
        Plan.objects.filter(owner=applicant)
        .only("id", "owner_id", "created_at", "specialty_code", "tier", "red_flag_count")
        .order_by("-created_at", "-id")[:limit]
    )


def share_for_invitation(token: str) -> Share | None:
    return (
        Share.objects.select_related("applicant", "advisor")
        .filter(token_hash=token_digest(token))
        .first()
    )


# The plan page's two flags are RawSQL EXISTS, not Exists(queryset): compiling the ORM
# subqueries costs more than running them. scripts/bench_micro.py prints the plan page's query
# (7 December 2026, 23:00 UTC, benchmark database): with both flags as Exists 1.56 ms of CPU
# and 1.90 ms of wall time, as RawSQL 1.08 and 1.38, without flags 0.82 and 1.03 (and then
# two more queries on every page). tests/advising/test_feedback_flags.py checks both flags.


def _plan_has_row_in(model: type[PlanComment] | type[PlanReview]) -> RawSQL:
    q = connection.ops.quote_name
    plan = Plan._meta
    column = model._meta.get_field("plan").column
    # Table and column names from the models, quoted; no value from outside.
    sql = (
        f"EXISTS (SELECT 1 FROM {q(model._meta.db_table)} f"  # noqa: S608  # nosec B608
        f" WHERE f.{q(column)} = {q(plan.db_table)}.{q(plan.pk.column)})"
    )
    return RawSQL(sql, (), output_field=BooleanField())  # noqa: S611  # nosec B611


def plan_has_comments() -> RawSQL:
    """For the plan page's query: whether the plan has advisor comments."""
    return _plan_has_row_in(PlanComment)


def plan_has_review() -> RawSQL:
    """For the plan page's query: whether the plan has an advisor's review."""
    return _plan_has_row_in(PlanReview)
