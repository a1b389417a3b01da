"""The advising emails. Plain text, sent with the configured email backend.

They carry names and links only, never scores or comment text: email is forwarded
and stored in places the applicant does not control, so the details stay behind a login.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from advising.models import PlanComment, Share
    from assessments.models import Plan


def applicant_plan_path(plan: Plan) -> str:
    """The applicant's own page for `plan`, whichever key its URL takes; the plan list
    when the plan page is not installed."""
    for key in (plan.token, plan.pk):
        try:
            return reverse("assessments:plan_detail", args=[key])
        except NoReverseMatch:
            continue
    return reverse("assessments:plan_list")


def _one_line(value: object) -> str:
    # Names end up in the Subject header, where a line break would be refused.
    return " ".join(str(value).split())


def _send(*, template: str, subject: str, to: str, context: dict[str, object]) -> None:
    body = render_to_string(f"advising/email/{template}.txt", context)
    send_mail(subject, body, None, [to])


def send_invitation(*, share: Share, token: str, base_url: str) -> None:
    applicant = share.applicant
    _send(
        template="invitation",
        subject=f"{_one_line(applicant)} invited you to review their MatchPlan plans",
        to=share.advisor_email,
        context={
            "share": share,
            "applicant": applicant,
            "url": base_url + reverse("advising:invitation", args=[token]),
        },
    )


def send_comment_notice(*, comment: PlanComment, base_url: str) -> None:
    plan = comment.plan
    if plan.owner is None:  # an unsaved plan has nobody to tell
        return
    _send(
        template="comment_notice",
        subject="Your advisor commented on your MatchPlan plan",
        to=plan.owner.email,
        context={
            "comment": comment,
            "plan": plan,
            "author": comment.author,
            "url": base_url + applicant_plan_path(plan),
        },
    )
