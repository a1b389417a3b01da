"""Who may advise whom, and what advisors write on saved plans.

Access comes from two sources, kept in separate tables because they are granted by
different people: an admin assigns an applicant to an advisor (AdvisorAssignment),
or the applicant shares with an advisor by email address (Share). The single place
that combines them is advising.selectors.advisable_applicants.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import ADVISORS_GROUP

# An invitation that nobody accepted within this time stops working; the applicant
# shares with the same address again to send a fresh link (services.share_create).
INVITATION_MAX_AGE = dt.timedelta(days=14)


class AdvisorAssignment(models.Model):
    """An admin's decision that an advisor looks after an applicant."""

    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="advisee_assignments",
        limit_choices_to={"groups__name": ADVISORS_GROUP},
        help_text="Only members of the Advisors group can be chosen.",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="advisor_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["advisor", "applicant"], name="advising_assignment_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(advisor=F("applicant")), name="advising_assignment_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advisor} advises {self.applicant}"


class ShareStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    EXPIRED = "expired", "Invitation expired"
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


class ShareQuerySet(models.QuerySet["Share"]):
    def not_revoked(self) -> ShareQuerySet:
        return self.filter(revoked_at__isnull=True)

    def active(self) -> ShareQuerySet:
        """Shares that currently grant access: accepted by a known advisor, not revoked."""
        return self.filter(
            revoked_at__isnull=True, accepted_at__isnull=False, advisor__isnull=False
        )


class Share(models.Model):
    """An applicant's decision to let the advisor behind an email address see their plans.

    Only a SHA-256 digest of the invitation token is stored: the token itself exists
    only in the email, so a copy of the database cannot be used to accept invitations.
    """

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advising_shares"
    )
    advisor_email = models.EmailField("advisor's email address")
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares_received",
        help_text="Empty until the invitation is accepted.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "advisor_email"],
                condition=Q(revoked_at__isnull=True),
                name="advising_share_one_active_per_email",
            ),
        ]
        indexes = [models.Index(fields=["advisor", "revoked_at"], name="share_advisor_revoked")]

    def __str__(self) -> str:
        return f"{self.applicant} shares with {self.advisor_email}"

    @property
    def status(self) -> ShareStatus:
        if self.revoked_at is not None:
            return ShareStatus.REVOKED
        if self.accepted_at is not None:
            return ShareStatus.ACTIVE
        if self.invitation_expired:
            return ShareStatus.EXPIRED
        return ShareStatus.INVITED

    @property
    def invitation_expired(self) -> bool:
        return self.accepted_at is None and self.created_at + INVITATION_MAX_AGE < timezone.now()


class PlanComment(models.Model):
    """An advisor's note on one saved plan; it stays with that plan, not with later ones."""

    plan = models.ForeignKey(
        "assessments.Plan", on_delete=models.CASCADE, related_name="advisor_comments"
    )
    # A deleted advisor account must not take its advice away from the applicant.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="plan_comments",
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["plan", "created_at"], name="comment_plan_created")]

    def __str__(self) -> str:
        return f"Comment by {self.author or 'a former advisor'} on plan {self.plan_id}"


class ReviewStatus(models.TextChoices):
    NEEDS_CHANGES = "needs_changes", "Needs changes"
    REVIEWED = "reviewed", "Reviewed"


class PlanReview(models.Model):
    """The review status of one saved plan; the latest advisor decision wins."""

    plan = models.OneToOneField(
        "assessments.Plan", on_delete=models.CASCADE, related_name="advisor_review"
    )
    status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="plan_reviews",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Plan {self.plan_id}: {self.get_status_display()}"
