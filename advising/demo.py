"""Demo advising data for `manage.py load_demo`: the demo advisor advises the demo applicant,
whose saved plan carries the advisor's comment and review status. load_demo (in programs)
sends programs.signals.demo_users_ready; AdvisingConfig.ready() connects the receiver here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from advising.models import AdvisorAssignment, PlanComment, PlanReview, ReviewStatus
from advising.services import advisors_group

DEMO_ADVISOR_EMAIL = "advisor@example.com"
DEMO_APPLICANT_EMAIL = "applicant@example.com"


@transaction.atomic
def ensure_demo_assignment() -> AdvisorAssignment | None:
    """Assign the demo applicant to the demo advisor. Safe to run again; does nothing
    (returns None) while either demo user is missing."""
    users = {
        u.email: u
        for u in get_user_model().objects.filter(
            email__in=[DEMO_ADVISOR_EMAIL, DEMO_APPLICANT_EMAIL]
        )
    }
    advisor = users.get(DEMO_ADVISOR_EMAIL)
    applicant = users.get(DEMO_APPLICANT_EMAIL)
    if advisor is None or applicant is None:
        return None
    advisor.groups.add(advisors_group())
    assignment, _ = AdvisorAssignment.objects.get_or_create(advisor=advisor, applicant=applicant)
    return assignment


DEMO_COMMENT = (
    "A solid start. Your Step 2 CK puts you in the viable band for emergency medicine: "
    "apply broadly to the community programs that take J-1, ask for your second SLOE "
    "before September, and weigh your internal medicine backup against the plan's partner advice."
)


def demo_profile(today: dt.date) -> dict[str, Any]:
    """The demo applicant's answers: a J-1 applicant aiming at emergency medicine."""
    return {
        "specialty": "EM",
        "backup_specialties": ["IM"],
        "visa": "j1",
        "graduation_year": today.year - 2,
        # the next season to open: this year's until ERAS opens in June, then next year's
        "application_year": today.year if today.month < 6 else today.year + 1,
        "step1": {"result": "pass", "attempts": 1, "score": None},
        "step2ck": {
            "score": 240,
            "attempts": 1,
            "test_date": (today - dt.timedelta(days=60)).isoformat(),
            "planned_date": None,
            "practice_scores": [],
        },
        "step3": {"result": "not_taken"},
        "ecfmg_certified": False,
        "usce_months": 4,
        "usce_in_specialty_months": 2,
        "us_letters": 3,
        "sloes": 1,
        "publications": 1,
        "presentations": 1,
        "specialty_experience_years": 0,
        "preferred_states": ["NY", "NJ"],
        "program_types": ["community_university"],
        "budget_usd": 2500,
    }


@transaction.atomic
def ensure_demo_review() -> PlanComment | None:
    """Give the demo applicant a saved plan with a comment and a status from the demo
    advisor, so an advisor's first look shows a real review. Safe to run again: a plan is
    made only while the applicant has none, a comment only while that plan has none from
    the advisor. Returns the comment (None while a demo user or the assignment is missing)."""
    from assessments.services import plan_create

    assignment = ensure_demo_assignment()
    if assignment is None:
        return None
    advisor, applicant = assignment.advisor, assignment.applicant
    plan = applicant.plans.order_by("-created_at", "-pk").first()
    if plan is None:
        plan = plan_create(owner=applicant, profile_data=demo_profile(timezone.localdate()))
    comment = plan.advisor_comments.filter(author=advisor).first()
    if comment is None:
        comment = PlanComment.objects.create(plan=plan, author=advisor, body=DEMO_COMMENT)
        PlanReview.objects.get_or_create(
            plan=plan, defaults={"status": ReviewStatus.NEEDS_CHANGES, "reviewer": advisor}
        )
    return comment


def add_demo_review(sender: Any, users: dict[str, Any], **kwargs: Any) -> None:
    """Receiver of programs.signals.demo_users_ready (sent by `manage.py load_demo`)."""
    ensure_demo_review()
