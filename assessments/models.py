from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Tier(models.TextChoices):
    """The four tiers and their names: the one source of the words every page shows."""

    STRONG = "strong", "Strong"
    VIABLE = "viable", "Viable"
    RISK = "risk", "At risk"
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
    # Like the code, tier and count, a copy of the output's (its primary specialty's name):
    # the plan page's title reads it without parsing the plan, where it read the what-if
    # specialties from the cache, one read per page (0.26 ms of CPU, 0.34 ms of wall time:
    # scripts/profile_request.py --cache-reads, docs/benchmarks.md, stop 25).
    specialty_name = models.CharField(max_length=100, blank=True, default="")
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

    @property
    def specialty_label(self) -> str:
        """'Internal Medicine (IM)', or the code alone where the name is not known."""
        if self.specialty_name:
            return f"{self.specialty_name} ({self.specialty_code})"
        return self.specialty_code


class CatalogSnapshot(models.Model):
    """The facts of a specialty's programs as a plan saw them, stored once and shared by every
    plan made against the same facts (docs/assess.md, "Saved plans").

    Identified by the specialty and a digest of its facts (sha256 of their canonical JSON), so
    two plans made from the same catalog share one row whatever happened between them.
    ``facts`` maps each fact (``id``, ``name``, ... ``usmd_share``, as in the plan JSON) to one
    list with a value per program. Written once and never changed.
    """

    specialty_code = models.CharField(max_length=20)
    digest = models.CharField(max_length=64, help_text="sha256 of the facts' canonical JSON.")
    facts = models.JSONField(help_text="Fact name -> one value per program (docs/assess.md).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["specialty_code", "digest"], name="catalogsnapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.specialty_code} catalog snapshot {self.digest[:12]}"


class PlanPrograms(models.Model):
    """A plan's program lists (``programs`` and ``excluded_programs`` of the engine's output),
    stored apart from ``Plan.output`` so that reading a plan's summary never loads them.

    ``entries`` holds only what is the plan's own (per program: id, fit, points, preferences,
    reasons; docs/assess.md, "Saved plans"); the programs' facts are in the shared
    ``snapshots``. ``assessments.plan_store`` writes and reads both. Written once, with the
    plan, and never changed.
    """

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, primary_key=True, related_name="program_lists"
    )
    entries = models.JSONField(help_text="The plan's own columns (docs/assess.md).")
    snapshots = models.ManyToManyField(CatalogSnapshot, related_name="plan_lists")

    class Meta:
        verbose_name = "plan program lists"
        verbose_name_plural = "plan program lists"

    def __str__(self) -> str:
        return f"Program lists of plan {self.plan_id}"


# --- Rule parameters (strategy engine) -------------------------------------------------
# The engine (assessments/engine/) never reads these models: assessments/selectors.py turns
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


class StartLevel(models.TextChoices):
    PGY1 = "pgy1", "PGY-1 (categorical: the first year is part of the training)"
    MIXED = "mixed", "PGY-1 or PGY-2 (categorical and advanced positions both offered)"
    PGY2 = "pgy2", "PGY-2 (mostly advanced: a separate PGY-1 year is needed)"


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
    yog_just_past_years = models.PositiveSmallIntegerField(
        "years past that limit still graded 'just past'",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="1 up to this many years past the limit: a medium flag, softened by recent "
        "hands-on work.",
    )
    yog_well_past_years = models.PositiveSmallIntegerField(
        "years past that limit still graded 'well past'",
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(40)],
        help_text="Up to this many years past the limit: 'well past' (many programs screen you "
        "out); more: 'far past', a high flag.",
    )
    start_level = models.CharField(
        "first year of training in this specialty",
        max_length=5,
        choices=StartLevel.choices,
        default=StartLevel.PGY1,
        help_text="With advanced (PGY-2) positions the plan adds a preliminary or transitional "
        "PGY-1 year, its applications and cost, and the supplemental rank order lists.",
    )
    start_level_note = models.TextField(
        "source of the start level",
        blank=True,
        help_text="Where the start level comes from, in plain words; shown on the methodology "
        "page.",
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
            models.CheckConstraint(
                condition=Q(yog_just_past_years__lt=F("yog_well_past_years")),
                name="specialtyrule_yog_grades_ordered",
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
        if (
            self.yog_just_past_years is not None
            and self.yog_well_past_years is not None
            and self.yog_just_past_years >= self.yog_well_past_years
        ):
            errors["yog_well_past_years"] = "Must be more years than 'just past'."
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


# --- Season facts (platforms, fees, signals, NRMP) ----------------------------------------------
# Seasons use the platforms' naming: the 2027 season opens in June 2026 and ends with the March
# 2027 Match. assessments/selectors.py turns these rows into engine.SeasonFacts; defaults are
# installed by migration 0007 from assessments/season_data.py (frozen copy).


class Platform(models.TextChoices):
    ERAS = "ERAS", "ERAS (AAMC)"
    RCAS = "ResidencyCAS", "ResidencyCAS (Liaison)"


class Source(models.Model):
    """A citable source of a season fact, shown to users with its title, publisher, season and
    link, and the date it was last checked."""

    key = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    season = models.CharField(max_length=80, help_text="The season or year the source covers.")
    url = models.URLField(max_length=500, blank=True)
    checked_on = models.DateField("last checked")
    confirmed = models.BooleanField(
        default=True,
        help_text="Off for a lead that could not be confirmed from the primary source; plans "
        "then say so.",
    )
    note = models.TextField(blank=True, help_text="What the source says, in plain words.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher}, {self.season})"

    def clean(self) -> None:
        # Plans cite "last checked" as a fact; a date to come would be one nobody checked.
        # One day of slack: an admin in a time zone ahead of UTC may check "today".
        if self.checked_on and self.checked_on > timezone.localdate() + dt.timedelta(days=1):
            raise ValidationError({"checked_on": "The last checked date cannot be in the future."})


def _season_field(help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)], help_text=help_text
    )


def _confirmed_season_errors(row: models.Model, *fields: str) -> dict[str, str]:
    """Errors for ``fields`` (seasons figures were last confirmed for) later than the row's
    own season: a row's figures are confirmed for its season or an earlier one, and plans
    read a confirmed season at or after the applicant's as "confirmed for your season"."""
    season = getattr(row, "season", None)
    errors = {}
    for field in fields:
        confirmed = getattr(row, field)
        if season is not None and confirmed is not None and confirmed > season:
            errors[field] = (
                f"Cannot be later than this row's season ({season}): figures are confirmed "
                "for its season or an earlier one."
            )
    return errors


class PlatformFeeSchedule(models.Model):
    """One application platform's applicant fees in one season (per specialty: a flat fee for
    the first programs, then a per-program fee up to a limit, then another per-program fee)."""

    platform = models.CharField(max_length=20, choices=Platform.choices)
    season = _season_field("Match year of the season (the ERAS 2027 season opens in June 2026).")
    confirmed_season = _season_field("The season these figures were last confirmed for.")
    base_fee = models.PositiveSmallIntegerField("flat fee (USD)", default=0)
    base_programs = models.PositiveSmallIntegerField("programs covered by the flat fee", default=0)
    mid_fee = models.PositiveSmallIntegerField("fee per program after those (USD)")
    mid_until = models.PositiveSmallIntegerField("... up to program number")
    after_fee = models.PositiveSmallIntegerField("fee per program after that (USD)")
    transcript_fee = models.PositiveSmallIntegerField("USMLE transcript fee per season (USD)")
    token_fee = models.PositiveSmallIntegerField(
        "ECFMG token fee (USD)", default=0, help_text="ERAS only: graduates of foreign schools."
    )
    transcript_confirmed_season = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Season the transcript fee was last confirmed for, if not the same as the fees'.",
    )
    token_confirmed_season = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Season the token fee was last confirmed for."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    transcript_source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    token_source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-season", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "season"], name="platformfee_unique")
        ]

    def __str__(self) -> str:
        return f"{self.platform} fees, {self.season} season"

    def clean(self) -> None:
        errors = _confirmed_season_errors(
            self, "confirmed_season", "transcript_confirmed_season", "token_confirmed_season"
        )
        # The per-program fee starts after the flat fee's programs: a limit under them
        # would print contradictory tiers ("$99 for the first 30, $23 each from the 19th").
        if (
            self.base_programs is not None
            and self.mid_until is not None
            and self.mid_until < self.base_programs
        ):
            errors["mid_until"] = (
                f"Must not be under the {self.base_programs} programs the flat fee covers: "
                "the per-program fee starts after those."
            )
        if errors:
            raise ValidationError(errors)


class SpecialtySeason(models.Model):
    """Which platform a specialty uses in a season, and its program signals."""

    specialty = models.ForeignKey(
        "programs.Specialty", on_delete=models.PROTECT, related_name="seasons"
    )
    season = _season_field("Match year of the season.")
    platform = models.CharField(max_length=20, choices=Platform.choices, default=Platform.ERAS)
    signals_first = models.PositiveSmallIntegerField(
        "signals (first kind)", default=0, help_text="0 when the specialty takes no signals."
    )
    signals_first_label = models.CharField(max_length=20, default="signal", blank=True)
    signals_second = models.PositiveSmallIntegerField("signals (second kind)", default=0)
    signals_second_label = models.CharField(max_length=20, blank=True)
    signal_rule = models.TextField(blank=True, help_text="The specialty's own signalling rule.")
    signals_confirmed_season = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The season the signal numbers were last confirmed for."
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-season", "specialty__code"]
        constraints = [
            models.UniqueConstraint(fields=["specialty", "season"], name="specialtyseason_unique")
        ]

    def __str__(self) -> str:
        return f"{self.specialty.code}, {self.season} season"

    def clean(self) -> None:
        if errors := _confirmed_season_errors(self, "signals_confirmed_season"):
            raise ValidationError(errors)


class NrmpSeason(models.Model):
    """NRMP Main Residency Match fees and the registration deadline of one season."""

    season = _season_field("Match year.")
    confirmed_season = _season_field("The season these figures were last confirmed for.")
    registration_fee = models.PositiveSmallIntegerField("registration fee (USD)")
    included_ranks = models.PositiveSmallIntegerField("ranks included")
    extra_rank_fee = models.PositiveSmallIntegerField("fee per extra rank (USD)")
    late_fee = models.PositiveSmallIntegerField("late registration fee (USD)")
    standard_deadline = models.DateField(
        "standard registration deadline",
        help_text="Its day and month are applied to the applicant's season.",
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-season"]
        constraints = [models.UniqueConstraint(fields=["season"], name="nrmpseason_unique")]

    def __str__(self) -> str:
        return f"NRMP, {self.season} season"

    def clean(self) -> None:
        if errors := _confirmed_season_errors(self, "confirmed_season"):
            raise ValidationError(errors)


class SeasonEvent(models.TextChoices):
    """The key dates of a season. The keys are what the engine asks for (engine.SEASON_EVENTS
    names them and the weekday rule it falls back to when a season has no row)."""

    ERAS_OPENS = "eras_opens", "ERAS opens to applicants (MyERAS)"
    ERAS_SUBMIT = "eras_submit", "ERAS: applicants can submit to programs"
    ERAS_PROGRAMS = "eras_programs", "ERAS: programs start reviewing applications"
    RCAS_OPENS = "rcas_opens", "ResidencyCAS opens to applicants"
    RCAS_SUBMIT = "rcas_submit", "ResidencyCAS: applicants can submit"
    RCAS_DEADLINE = "rcas_deadline", "ResidencyCAS: submit by (for the best chance)"
    RCAS_PROGRAMS = "rcas_programs", "ResidencyCAS releases applications to programs"
    NRMP_REGISTRATION = "nrmp_registration", "NRMP: registration opens"
    NRMP_RANKING = "nrmp_ranking", "NRMP: rank order list entry opens"
    NRMP_RANK_DEADLINE = "nrmp_rank_deadline", "NRMP: rank order list certification deadline"
    SOAP_STARTS = "soap_starts", "Match Week and SOAP begin"
    MATCH_DAY = "match_day", "Match Day"


class SeasonDate(models.Model):
    """One key date of one season (the platforms' and the NRMP's calendars), with its source.

    A season without a row for an event is planned with the engine's weekday rule and the plan
    says the date is estimated. The NRMP standard registration deadline stays on NrmpSeason
    (it decides the late fee)."""

    season = _season_field("Match year of the season (the ERAS 2027 season ends in March 2027).")
    event = models.CharField(max_length=30, choices=SeasonEvent.choices)
    date = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True, help_text="Shown beside the date.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-season", "date", "event"]
        constraints = [
            models.UniqueConstraint(fields=["season", "event"], name="seasondate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()}, {self.season} season"

    def clean(self) -> None:
        # A season's dates run from June of the year before its Match to its Match Day.
        if (
            self.date
            and self.season
            and not (dt.date(self.season - 1, 5, 1) <= self.date <= dt.date(self.season, 6, 30))
        ):
            raise ValidationError(
                {
                    "date": f"A date of the {self.season} season falls between May "
                    f"{self.season - 1} and June {self.season}."
                }
            )
