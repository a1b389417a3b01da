from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
    )
    answers = models.JSONField(default=dict, blank=True)
    # Which steps these answers complete, recorded when the wizard saves them, so the
    # progress indicator need not validate every step's form on every request:
    # {"on": ISO date, "answers": digest of the answers, "completed": [step names]}.
    # Kept apart from `answers` (those are exactly what the user gave); the wizard trusts
    # it only for the same answers on the same day (assessments.wizard.WizardFlow).
    progress = models.JSONField(default=dict, blank=True)
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
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


class PlanPrograms(models.Model):
    """A plan's program lists (``programs`` and ``excluded_programs`` of the engine's output),
    stored apart from ``Plan.output`` so that reading a plan's summary never loads them.

    ``data`` is compressed JSON in the packed, columnar form of
    ``assessments.engine.program_lists_pack`` (the facts of every program of the plan's
    specialties as they were when the plan was made, and the plan's own columns; docs/assess.md,
    "Saved plans"); ``assessments.selectors.plan_program_lists`` reads it back.
    Written once, with the plan, and never changed. Plans saved before this table existed
    keep their lists inside ``Plan.output`` and have no row here.
    """

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, primary_key=True, related_name="program_lists"
    )
    data = models.BinaryField(help_text="zlib-compressed packed JSON (docs/assess.md).")

    class Meta:
        verbose_name = "plan program lists"
        verbose_name_plural = "plan program lists"

    def __str__(self) -> str:
        return f"Program lists of plan {self.plan_id}"


# --- Rule parameters (strategy engine) -------------------------------------------------
# The engine (assessments/engine.py) never reads these models: assessments/selectors.py turns
# them into plain dataclasses. Defaults are installed by migration 0003 and documented, with
# their sources, in docs/rules.md.

STEP2CK_SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(300)]


class RuleBasis(models.TextChoices):
    ARTICLE = "article", "Source article"
    DERIVED = "derived", "Derived from the NRMP matched median"
    ASSUMPTION = "assumption", "Stated assumption"


def _apps_field(label: str, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(400)]
    )


class SpecialtyRule(models.Model):
    """Step 2 CK bands, application ranges and advice parameters of one specialty.

    A Step 2 CK score at or above ``strong_min`` is strong, at or above ``viable_min``
    viable, at or above ``risk_min`` risk, and below ``risk_min`` high risk.
    """

    specialty = models.OneToOneField(
        "programs.Specialty", on_delete=models.PROTECT, related_name="rule"
    )
    basis = models.CharField(
        max_length=12,
        choices=RuleBasis.choices,
        default=RuleBasis.ASSUMPTION,
        help_text="Where the Step 2 CK bands come from; shown to users.",
    )
    strong_min = models.PositiveSmallIntegerField(
        "strong from (Step 2 CK)", validators=STEP2CK_SCORE_VALIDATORS
    )
    viable_min = models.PositiveSmallIntegerField(
        "viable from (Step 2 CK)", validators=STEP2CK_SCORE_VALIDATORS
    )
    risk_min = models.PositiveSmallIntegerField(
        "risk from (Step 2 CK)",
        validators=STEP2CK_SCORE_VALIDATORS,
        help_text="Below this score the tier is high risk.",
    )
    apps_strong_min = _apps_field("applications when strong: from", 30)
    apps_strong_max = _apps_field("applications when strong: to", 45)
    apps_viable_min = _apps_field("applications when viable: from", 50)
    apps_viable_max = _apps_field("applications when viable: to", 70)
    apps_risk_min = _apps_field("applications when at risk: from", 70)
    apps_risk_max = _apps_field("applications when at risk: to", 100)
    apps_high_risk_min = _apps_field("applications when high risk: from", 100)
    apps_high_risk_max = _apps_field("applications when high risk: to", 130)
    dual_partners = models.ManyToManyField(
        "programs.Specialty",
        blank=True,
        related_name="+",
        through="DualPartner",
        help_text="Second specialties or parallel tracks advised when dual application is worth it.",
    )
    recommended_ranks = models.PositiveSmallIntegerField(
        "recommended contiguous ranks",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    yog_limit_years = models.PositiveSmallIntegerField(
        "years since graduation before the yog_old flag",
        default=5,
        validators=[MaxValueValidator(60)],
    )
    h1b_band_shift = models.PositiveSmallIntegerField(
        "H-1B-only bar raise (points)",
        default=5,
        validators=[MaxValueValidator(30)],
        help_text="Every band is raised by this many points when only an H-1B will do.",
    )
    after_failure_min_step2 = models.PositiveSmallIntegerField(
        "Step 2 CK needed after a failed attempt",
        default=230,
        validators=STEP2CK_SCORE_VALIDATORS,
        help_text="With a failed attempt on record, a Step 2 CK under this score means high risk.",
    )
    usce_target_months = models.PositiveSmallIntegerField(
        "US clinical experience target (months)", default=3, validators=[MaxValueValidator(24)]
    )
    us_letters_target = models.PositiveSmallIntegerField(
        "US letters target", default=3, validators=[MaxValueValidator(10)]
    )
    sloes_target = models.PositiveSmallIntegerField(
        "SLOE target",
        default=0,
        validators=[MaxValueValidator(10)],
        help_text="0 when the specialty does not use SLOEs (no no_sloe flag).",
    )
    matched_median = models.PositiveSmallIntegerField(
        "median Step 2 CK of matched applicants",
        null=True,
        blank=True,
        validators=STEP2CK_SCORE_VALIDATORS,
    )
    unmatched_median = models.PositiveSmallIntegerField(
        "median Step 2 CK of unmatched applicants",
        null=True,
        blank=True,
        validators=STEP2CK_SCORE_VALIDATORS,
    )
    matched_ranks_median = models.DecimalField(
        "median contiguous ranks, matched", max_digits=4, decimal_places=1, null=True, blank=True
    )
    unmatched_ranks_median = models.DecimalField(
        "median contiguous ranks, unmatched", max_digits=4, decimal_places=1, null=True, blank=True
    )
    match_rate_pct = models.PositiveSmallIntegerField(
        "non-US IMG match rate (%)", null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    stats_source = models.CharField(
        "source of the medians",
        max_length=200,
        blank=True,
        default="NRMP Charting Outcomes 2026, non-US IMGs",
    )
    source_note = models.TextField(
        help_text="Where these numbers come from, in plain words; shown to users with the plan."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["specialty__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(strong_min__gt=F("viable_min")) & Q(viable_min__gt=F("risk_min")),
                name="specialtyrule_bands_ordered",
            ),
            models.CheckConstraint(
                condition=Q(strong_min__lte=300) & Q(risk_min__gte=1),
                name="specialtyrule_bands_in_range",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"apps_{tier}_min__lte": F(f"apps_{tier}_max")})
                    & Q(**{f"apps_{tier}_min__gte": 1}),
                    name=f"specialtyrule_apps_{tier}_range",
                )
                for tier in ("strong", "viable", "risk", "high_risk")
            ],
        ]

    def __str__(self) -> str:
        return f"Rules for {self.specialty.code}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if None not in (self.strong_min, self.viable_min, self.risk_min) and not (
            self.strong_min > self.viable_min > self.risk_min
        ):
            errors["viable_min"] = "Bands must be ordered: strong > viable > risk."
        for tier in ("strong", "viable", "risk", "high_risk"):
            low, high = getattr(self, f"apps_{tier}_min"), getattr(self, f"apps_{tier}_max")
            if low is not None and high is not None and low > high:
                errors[f"apps_{tier}_max"] = "The upper end must not be under the lower end."
        if errors:
            raise ValidationError(errors)


class DualPartner(models.Model):
    """One dual-application partner of a specialty; ``position`` orders the advice."""

    rule = models.ForeignKey(SpecialtyRule, on_delete=models.CASCADE, related_name="partners")
    specialty = models.ForeignKey("programs.Specialty", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "specialty"], name="dualpartner_unique")
        ]

    def __str__(self) -> str:
        return f"{self.specialty.code} (#{self.position})"


class FeeSchedule(models.Model):
    """ERAS, USMLE transcript and NRMP fees of one application season. One is active."""

    season = models.PositiveSmallIntegerField(
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The ERAS season (the year applications are sent).",
    )
    eras_fee_first_tier = models.PositiveSmallIntegerField(
        "ERAS fee per program, first tier (USD)", default=11
    )
    eras_first_tier_size = models.PositiveSmallIntegerField(
        "programs in the first tier, per specialty",
        default=30,
        validators=[MinValueValidator(1)],
    )
    eras_fee_after = models.PositiveSmallIntegerField(
        "ERAS fee per program after the first tier (USD)", default=30
    )
    usmle_transcript_fee = models.PositiveSmallIntegerField(
        "USMLE transcript fee per season (USD)", default=80
    )
    nrmp_registration_fee = models.PositiveSmallIntegerField(
        "NRMP registration fee (USD)", default=75
    )
    nrmp_included_ranks = models.PositiveSmallIntegerField(
        "ranks included in the NRMP registration", default=20
    )
    nrmp_extra_rank_fee = models.PositiveSmallIntegerField(
        "NRMP fee per extra rank (USD)", default=30
    )
    source_note = models.TextField(help_text="Where the fees come from; shown to users.")
    active = models.BooleanField(
        default=False, help_text="The engine uses the active schedule; only one may be active."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-season"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="feeschedule_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"Fees {self.season}" + (" (active)" if self.active else "")
