"""The advising part of an account's personal-data export (accounts.services).

Invitation token digests stay out: they are credentials, not information about anyone.
"""

from __future__ import annotations

from typing import Any

from advising.models import AdvisorAssignment, PlanComment, PlanReview, Share


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def export_advising(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "advisors_assigned_to_me": [
            {"advisor": a.advisor.email, "assigned_at": _when(a.created_at)}
            for a in AdvisorAssignment.objects.filter(applicant=user).select_related("advisor")
        ],
        "my_shares": [
            {
                "advisor_email": s.advisor_email,
                "status": s.status.value,
                "created_at": _when(s.created_at),
                "accepted_at": _when(s.accepted_at),
                "revoked_at": _when(s.revoked_at),
            }
            for s in Share.objects.filter(applicant=user).order_by("created_at", "pk")
        ],
        "comments_on_my_plans": [
            {
                "plan": str(c.plan.token),
                "author": c.author.email if c.author else None,
                "created_at": _when(c.created_at),
                "body": c.body,
            }
            for c in PlanComment.objects.filter(plan__owner=user).select_related("plan", "author")
        ],
        "reviews_of_my_plans": [
            {
                "plan": str(r.plan.token),
                "status": r.status,
                "reviewer": r.reviewer.email if r.reviewer else None,
                "updated_at": _when(r.updated_at),
            }
            for r in PlanReview.objects.filter(plan__owner=user).select_related("plan", "reviewer")
        ],
        # as an advisor
        "applicants_assigned_to_me": [
            {"applicant": a.applicant.email, "assigned_at": _when(a.created_at)}
            for a in AdvisorAssignment.objects.filter(advisor=user).select_related("applicant")
        ],
        "shares_with_me": [
            {
                "applicant": s.applicant.email,
                "status": s.status.value,
                "accepted_at": _when(s.accepted_at),
                "revoked_at": _when(s.revoked_at),
            }
            for s in Share.objects.filter(advisor=user).select_related("applicant")
        ],
        "comments_i_wrote": [
            {"plan": str(c.plan.token), "created_at": _when(c.created_at), "body": c.body}
            for c in PlanComment.objects.filter(author=user).select_related("plan")
        ],
    }


def register() -> None:
    from accounts.services import register_user_data_exporter

    register_user_data_exporter(
        "advising",
        export_advising,
        models=["advising.Share", "advising.AdvisorAssignment"],
    )
