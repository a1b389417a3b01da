"""The personal-data exporters of the applicant's own work: wizard drafts and saved plans.

Registered from AssessmentsConfig.ready() with accounts.services.register_user_data_exporter,
as the other apps (advising, tracker) register theirs: accounts imports no app above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.services import register_user_data_exporter
from assessments.plans.reader import plan_output

if TYPE_CHECKING:
    from accounts.models import User


def export_drafts(user: User) -> list[dict[str, Any]]:
    return [
        {
            "token": str(draft.token),
            "created_at": draft.created_at.isoformat(),
            "updated_at": draft.updated_at.isoformat(),
            "answers": draft.answers,
        }
        for draft in user.drafts.order_by("created_at", "pk")
    ]


def export_plans(user: User) -> list[dict[str, Any]]:
    return [
        {
            "token": str(plan.token),
            "created_at": plan.created_at.isoformat(),
            "engine_version": plan.engine_version,
            "specialty_code": plan.specialty_code,
            "specialty_name": plan.specialty_name,
            "tier": plan.tier,
            "red_flag_count": plan.red_flag_count,
            "profile": plan.profile,
            "inputs": plan.inputs,
            "output": plan_output(plan),  # with its program lists, stored apart
        }
        for plan in user.plans.select_related("program_lists").order_by("created_at", "pk")
    ]


def register() -> None:
    register_user_data_exporter("drafts", export_drafts, models=["assessments.AssessmentDraft"])
    register_user_data_exporter("plans", export_plans, models=["assessments.Plan"])
