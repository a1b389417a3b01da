from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

# US states, DC and the territories that host ACGME programs.
# fmt: off
US_STATES: list[tuple[str, str]] = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"),
    ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"),
    ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"),
    ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"),
    ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"),
    ("OK", "Oklahoma"), ("OR", "Oregon"), ("PA", "Pennsylvania"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"),
    ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
    ("PR", "Puerto Rico"), ("GU", "Guam"), ("VI", "U.S. Virgin Islands"),
    ("AS", "American Samoa"), ("MP", "Northern Mariana Islands"),
]
# fmt: on
US_STATE_CODES = frozenset(code for code, _ in US_STATES)


class Track(models.TextChoices):
    CATEGORICAL = "categorical", "Categorical"
    PRELIMINARY = "preliminary", "Preliminary"
    TRANSITIONAL = "transitional", "Transitional"
    ADVANCED = "advanced", "Advanced (PGY-2)"


# A preliminary track offered under a categorical program's ACGME id is stored as a program
# of the preliminary specialty with the same id (a program row is one track of a program).
PRELIMINARY_SPECIALTY = {"IM": "IM-PRELIM", "GS": "GS-PRELIM"}


class Specialty(models.Model):
    """A specialty and track that programs offer; codes are stable identifiers."""

    code = models.SlugField(max_length=20, unique=True, allow_unicode=False)
    name = models.CharField(max_length=100, unique=True)
    track = models.CharField(max_length=20, choices=Track.choices, default=Track.CATEGORICAL)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class ProgramType(models.TextChoices):
    UNIVERSITY = "university", "University-based"
    COMMUNITY_UNIVERSITY = "community_university", "Community, university-affiliated"
    COMMUNITY = "community", "Community-based"
    MILITARY = "military", "Military"
    # The source said "Other" or nothing: the type is not known.
    UNKNOWN = "unknown", "Unknown"


class Platform(models.TextChoices):
    ERAS = "eras", "ERAS"
    RESIDENCYCAS = "residencycas", "ResidencyCAS"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Affiliation(models.TextChoices):
    NONE = "none", "None"
    MILITARY = "military", "Military"
    VETERANS_AFFAIRS = "veterans_affairs", "Veterans Affairs"
    OTHER_GOVERNMENT = "other_government", "Other government"
    UNKNOWN = "unknown", "Unknown"


acgme_id_validator = RegexValidator(r"^\d{10}$", "The ACGME program id has exactly 10 digits.")


# Source of the benchmark programs made by `manage.py generate_programs`; like the demo
# catalog (settings.DEMO_SOURCE) they are fictional and trigger the demo notice.
GENERATED_SOURCE = "Generated benchmark data (fictional)"


def fictional_sources() -> tuple[str, str]:
    return (settings.DEMO_SOURCE, GENERATED_SOURCE)


# A fact checked more than this long ago is "stale": shown with a hint, filterable in admin.
STALE_AFTER = dt.timedelta(days=365)


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    """Records last verified before this date (or never) are stale."""
    return (today or timezone.localdate()) - STALE_AFTER


def validate_state(value: str) -> None:
    if value not in US_STATE_CODES:
        raise ValidationError(f"“{value}” is not a US state or territory code.")


class Program(models.Model):
    """One residency program with the facts IMGs filter on.

    Every nullable number and every yes/no/unknown field may be unknown: unknown is
    never the same as no, and the engine treats it as "verify with the program".
    """

    # NULL, not "": programs without an id must not collide in the unique constraint.
    acgme_id = models.CharField(  # noqa: DJ001
        "ACGME program id",
        max_length=10,
        blank=True,
        null=True,
        validators=[acgme_id_validator],
        help_text="One ACGME id may carry several tracks (categorical, preliminary, "
        "advanced): one record per track.",
    )
    name = models.CharField(max_length=200)
    institution = models.CharField("sponsoring institution", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=US_STATES, validators=[validate_state])
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="programs")
    track = models.CharField(max_length=20, choices=Track.choices, default=Track.CATEGORICAL)
    program_type = models.CharField(
        max_length=30, choices=ProgramType.choices, default=ProgramType.UNKNOWN
    )
    positions = models.PositiveSmallIntegerField(
        "first-year positions",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        help_text="0 when the program offers no first-year position this year.",
    )
    total_positions = models.PositiveSmallIntegerField(
        "total positions (all years)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(2000)],
    )
    accepting_applications = models.CharField(
        "accepting applications",
        max_length=7,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
        help_text="For the season below.",
    )
    accepting_season = models.PositiveSmallIntegerField(
        "season (application year)",
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The year applications are sent (ERAS opens in September of it); "
        "the Match is in March of the next year.",
    )
    application_platform = models.CharField(
        max_length=12, choices=Platform.choices, default=Platform.UNKNOWN
    )
    affiliation = models.CharField(
        "government affiliation",
        max_length=16,
        choices=Affiliation.choices,
        default=Affiliation.UNKNOWN,
    )
    first_accredited = models.PositiveSmallIntegerField(
        "first year of accreditation",
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    j1 = models.CharField(
        "J-1 sponsorship", max_length=7, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    h1b = models.CharField(
        "H-1B sponsorship", max_length=7, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    img_share = models.PositiveSmallIntegerField(
        "IMG residents (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of current residents who are IMGs; blank when unknown.",
    )
    do_share = models.PositiveSmallIntegerField(
        "DO residents (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    usmd_share = models.PositiveSmallIntegerField(
        "US MD residents (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    step2_min = models.PositiveSmallIntegerField(
        "Step 2 CK hard minimum",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(300)],
    )
    step2_typical = models.PositiveSmallIntegerField(
        "typical Step 2 CK of interviewees",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(300)],
    )
    max_yog = models.PositiveSmallIntegerField(
        "maximum years since graduation",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    accepts_failures = models.CharField(
        "accepts an exam failure",
        max_length=7,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    requires_usce = models.CharField(
        "requires US clinical experience",
        max_length=7,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    website = models.URLField(blank=True)
    source = models.CharField(max_length=200, blank=True)
    last_verified = models.DateField("last verified", null=True, blank=True)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["specialty", "state"], name="program_spec_state"),
            models.Index(fields=["state"], name="program_state"),
            models.Index(fields=["j1"], name="program_j1"),
            models.Index(fields=["h1b"], name="program_h1b"),
            models.Index(fields=["img_share"], name="program_img_share"),
            models.Index(fields=["program_type"], name="program_type"),
            models.Index(fields=["name", "id"], name="program_name_id"),
            models.Index(fields=["last_verified"], name="program_last_verified"),
            models.Index(fields=["source"], name="program_source"),
            # MAX(updated_at) is part of the catalog version that keys the browser's cache.
            models.Index(fields=["updated_at"], name="program_updated_at"),
            # The browser's commonest pages: one specialty by name, and the Step 2 CK
            # and IMG share sorts, each read 25 rows at a time in index order.
            models.Index(fields=["specialty", "name", "id"], name="program_spec_name"),
            models.Index(fields=["step2_typical", "name", "id"], name="program_step2_name"),
            models.Index(fields=["-img_share", "name", "id"], name="program_img_desc_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["acgme_id", "specialty", "track"],
                condition=Q(acgme_id__isnull=False),
                name="program_acgme_track_unique",
                violation_error_message="A program with this ACGME id, specialty and track "
                "already exists.",
            ),
            models.CheckConstraint(
                condition=Q(acgme_id__isnull=True) | Q(acgme_id__regex=r"^[0-9]{10}$"),
                name="program_acgme_id_10_digits",
            ),
            models.CheckConstraint(
                condition=Q(state__in=sorted(US_STATE_CODES)), name="program_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(program_type__in=ProgramType.values), name="program_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(positions__isnull=True) | Q(positions__gte=0, positions__lte=500),
                name="program_positions_range",
            ),
            models.CheckConstraint(
                condition=Q(img_share__isnull=True) | Q(img_share__gte=0, img_share__lte=100),
                name="program_img_share_range",
            ),
            models.CheckConstraint(
                condition=Q(step2_min__isnull=True) | Q(step2_min__gte=1, step2_min__lte=300),
                name="program_step2_min_range",
            ),
            models.CheckConstraint(
                condition=Q(step2_typical__isnull=True)
                | Q(step2_typical__gte=1, step2_typical__lte=300),
                name="program_step2_typical_range",
            ),
            models.CheckConstraint(
                condition=Q(max_yog__isnull=True) | Q(max_yog__gte=0, max_yog__lte=60),
                name="program_max_yog_range",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__in": YesNoUnknown.values}),
                    name=f"program_{field}_valid",
                )
                for field in ("j1", "h1b", "accepts_failures", "requires_usce")
            ],
            models.CheckConstraint(
                condition=Q(accepting_applications__in=YesNoUnknown.values),
                name="program_accepting_valid",
            ),
            models.CheckConstraint(
                condition=Q(application_platform__in=Platform.values),
                name="program_platform_valid",
            ),
            models.CheckConstraint(
                condition=Q(affiliation__in=Affiliation.values), name="program_affiliation_valid"
            ),
            models.CheckConstraint(condition=Q(track__in=Track.values), name="program_track_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.step2_min is not None
            and self.step2_typical is not None
            and self.step2_min > self.step2_typical
        ):
            errors["step2_min"] = (
                "The hard minimum cannot be higher than the typical score of interviewees."
            )
        if (
            self.img_share is not None
            and self.do_share is not None
            and self.usmd_share is not None
            and self.img_share + self.do_share + self.usmd_share > 102  # rounding slack
        ):
            errors["img_share"] = (
                f"IMG {self.img_share}% + DO {self.do_share}% + US MD {self.usmd_share}% "
                "add up to more than 100%."
            )
        # The first-year places are part of the total: more of them would contradict it.
        if (
            self.positions is not None
            and self.total_positions is not None
            and self.positions > self.total_positions
        ):
            errors["positions"] = (
                f"The {self.positions} first-year positions cannot be more than the "
                f"{self.total_positions} total positions (all years)."
            )
        # "Accepting: yes/no" is about one season: without it the engine cannot tell this
        # year's answer from an old one (docs/import-programs.md: yes/no need a season).
        if (
            self.accepting_applications in (YesNoUnknown.YES, YesNoUnknown.NO)
            and self.accepting_season is None
        ):
            errors["accepting_season"] = (
                f"Give the season that “accepting applications: "
                f"{self.get_accepting_applications_display()}” is about, or set it to Unknown."
            )
        # One day of slack: an admin in a time zone ahead of UTC may verify "today".
        if self.last_verified and self.last_verified > timezone.localdate() + dt.timedelta(days=1):
            errors["last_verified"] = "The last verified date cannot be in the future."
        if errors:
            raise ValidationError(errors)

    @property
    def is_fictional(self) -> bool:
        return self.source in fictional_sources()

    @property
    def is_stale(self) -> bool:
        if self.last_verified is None:
            return True
        return self.last_verified < stale_cutoff()
