from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Tier(models.TextChoices):
    STRONG = "strong", "Strong"
    VIABLE = "viable", "Viable"
    RISK = "risk", "Risk"
    HIGH_RISK = "high_risk", "High risk"


class AssessmentDraft(models.Model):
    """The wizard's answers, saved server-side after every step.

    An anonymous visitor's draft is keyed by a random token kept in their session;
    signing up or logging in moves it to their account.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="drafts",
    )
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="draft_owner_updated")]

    def __str__(self) -> str:
        return f"Draft {self.token}"


class Plan(models.Model):
    """An immutable snapshot: the answers, the engine version, the rule parameters and
    program facts used, and the outputs. Regenerating makes a new plan."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="plans",
        help_text="Empty while an anonymous visitor has not yet saved the plan to an account.",
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    engine_version = models.CharField(max_length=40)
    specialty_code = models.CharField(max_length=20)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    red_flag_count = models.PositiveSmallIntegerField(default=0)
    profile = models.JSONField(help_text="The answers the plan was computed from.")
    inputs = models.JSONField(
        default=dict, help_text="Rule parameters, fees and program facts the engine used."
    )
    output = models.JSONField(help_text="The engine's plan, as documented in docs/assess.md.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="plan_owner_created")]

    def __str__(self) -> str:
        return f"{self.specialty_code} plan of {self.created_at:%Y-%m-%d %H:%M}"
