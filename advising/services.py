"""Writes for advising: sharing, invitations, comments and review status.

Each service checks who may do what itself, so a view that forgets a check still
cannot grant access.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone

from accounts.models import ADVISORS_GROUP
from advising import emails
from advising.models import INVITATION_MAX_AGE, PlanComment, PlanReview, ReviewStatus, Share
from advising.selectors import can_advise, token_digest
from assessments.models import Plan

logger = logging.getLogger(__name__)

COMMENT_MAX_LENGTH = 5000
# Each share sends an email to an address the applicant typed: a cap keeps the form
# from being used to send mail in bulk.
SHARES_PER_DAY = 10


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def advisors_group() -> Group:
    # get_or_create: the group comes from a data migration, but test databases that
    # are flushed between tests lose it.
    group, _ = Group.objects.get_or_create(name=ADVISORS_GROUP)
    return group


@transaction.atomic
def share_create(*, applicant: Any, advisor_email: str, base_url: str) -> Share:
    """Let the advisor at `advisor_email` see the applicant's plans.

    Every address gets the same: an invitation link by email. Accepting it creates the
    account if needed (or asks to log in with it) and joins the Advisors group. Linking
    existing advisors at once, or refusing non-advisor accounts, would tell the applicant
    which addresses have (advisor) accounts; the answer, the share's status and the
    page are the same whoever owns the address, and the link holder decides.
    Raises ValidationError (keyed by "advisor_email") for input the applicant can fix.
    """
    email = _normalize_email(advisor_email)
    if not email:
        raise ValidationError({"advisor_email": "Enter your advisor's email address."})
    if email == _normalize_email(applicant.email):
        raise ValidationError({"advisor_email": "This is your own email address."})
    current = Share.objects.not_revoked().filter(applicant=applicant, advisor_email=email).first()
    if current is not None and current.invitation_expired:
        # Inviting again is how the applicant asks for a fresh link: the dead one goes
        # (the rollback below brings it back if the new email cannot be sent).
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
    elif current is not None and current.accepted_at is None:
        # Pending: nothing is shared yet, so "you already share" would mislead.
        works_until = formats.date_format(
            timezone.localtime(current.created_at + INVITATION_MAX_AGE), "j M Y"
        )
        raise ValidationError(
            {
                "advisor_email": "You already invited this address; the link in that email "
                f"works until {works_until}. To send a new invitation, revoke the current "
                "one first."
            }
        )
    elif current is not None:
        raise ValidationError(
            {
                "advisor_email": "You already share your plans with this address. "
                "To send a new invitation, revoke the current one first."
            }
        )

    since = timezone.now() - dt.timedelta(days=1)
    if Share.objects.filter(applicant=applicant, created_at__gte=since).count() >= SHARES_PER_DAY:
        raise ValidationError(
            f"You can invite up to {SHARES_PER_DAY} advisors a day. Please try again tomorrow."
        )

    token = secrets.token_urlsafe(32)
    share = Share(applicant=applicant, advisor_email=email, token_hash=token_digest(token))
    try:
        with transaction.atomic():
            share.save()
    except IntegrityError as exc:  # a double submit raced us past the check above
        raise ValidationError(
            {"advisor_email": "You already share your plans with this address."}
        ) from exc

    try:
        emails.send_invitation(share=share, token=token, base_url=base_url)
    except (smtplib.SMTPException, OSError) as exc:
        # Undo the share: an invitation nobody received would only confuse.
        raise ValidationError(
            "We could not send the email just now. Nothing was shared; please try again later."
        ) from exc
    return share


@transaction.atomic
def share_revoke(*, share: Share, applicant: Any) -> Share:
    """Withdraw access at once. Revoking twice is harmless."""
    if share.applicant_id != applicant.pk:
        raise PermissionDenied("Only the applicant who shared can revoke.")
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return share


def _lock_usable_invitation(share: Share) -> Share:
    locked = Share.objects.select_for_update().select_related("applicant").get(pk=share.pk)
    if locked.revoked_at is not None:
        raise ValidationError("This invitation was withdrawn.")
    if locked.accepted_at is not None:
        raise ValidationError("This invitation was already accepted.")
    if locked.invitation_expired:
        raise ValidationError("This invitation has expired.")
    return locked


@transaction.atomic
def invitation_accept(*, share: Share, user: Any) -> Share:
    """The invited person, signed in with the invited address, becomes an advisor
    linked to the applicant."""
    locked = _lock_usable_invitation(share)
    if _normalize_email(user.email) != locked.advisor_email:
        raise PermissionDenied("This invitation is for another email address.")
    if user.pk == locked.applicant_id:
        raise PermissionDenied("You cannot advise yourself.")
    user.groups.add(advisors_group())
    user.refresh_advisor_flag()
    locked.advisor = user
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["advisor", "accepted_at"])
    return locked


@transaction.atomic
def invitation_signup(*, share: Share, password: str, full_name: str = "") -> Any:
    """Create the invited advisor's account (email fixed by the invitation) and accept."""
    user_model = get_user_model()
    email = share.advisor_email
    if user_model.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            "An account with this email address already exists. Log in to accept the invitation."
        )
    password_validation.validate_password(
        password, user=user_model(email=email, full_name=full_name)
    )
    user = user_model.objects.create_user(
        email=email, password=password, full_name=full_name.strip()
    )
    invitation_accept(share=share, user=user)
    return user


def _check_may_advise(plan: Plan, user: Any) -> None:
    if plan.owner_id is None or not can_advise(user, plan.owner):
        raise PermissionDenied("You do not advise the owner of this plan.")


@transaction.atomic
def comment_create(*, plan: Plan, author: Any, body: str, base_url: str) -> PlanComment:
    """Store an advisor's comment on the plan and tell the applicant by email.

    The email is a courtesy: if it cannot be sent, the comment is still kept.
    """
    _check_may_advise(plan, author)
    text = body.strip()
    if not text:
        raise ValidationError({"body": "Write a comment before sending it."})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"body": f"Keep the comment under {COMMENT_MAX_LENGTH} characters."})
    comment = PlanComment.objects.create(plan=plan, author=author, body=text)
    try:
        emails.send_comment_notice(comment=comment, base_url=base_url)
    except (smtplib.SMTPException, OSError):
        logger.warning("Comment notice for comment %s could not be sent", comment.pk)
    return comment


@transaction.atomic
def review_set_status(*, plan: Plan, reviewer: Any, status: str) -> PlanReview:
    """Record the advisor's verdict on the plan; the latest verdict replaces the last."""
    _check_may_advise(plan, reviewer)
    if status not in ReviewStatus.values:
        raise ValidationError({"status": "Choose needs changes or reviewed."})
    review, _ = PlanReview.objects.update_or_create(
        plan=plan, defaults={"status": status, "reviewer": reviewer}
    )
    return review
