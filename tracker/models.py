"""An applicant's application season, from the plan to Match Day.

A Season belongs to one applicant and one Match year (AAMC names the cycle by the Match
year: the "ERAS 2027 season" sends applications in September 2026 and matches in March
2027). Applications move forward through the statuses below; every change is recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    CONSIDERING = "considering", "Considering"
    APPLIED = "applied", "Applied"
    SIGNAL_SENT = "signal_sent", "Signal sent"
    WAITLISTED = "waitlisted", "Waitlisted for an interview"
    INTERVIEW_OFFERED = "interview_offered", "Interview offered"
    INTERVIEW_SCHEDULED = "interview_scheduled", "Interview scheduled"
    INTERVIEWED = "interviewed", "Interviewed"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Platform(models.TextChoices):
    ERAS = "eras", "ERAS (AAMC)"
    RESIDENCYCAS = "residencycas", "ResidencyCAS (Liaison)"
    OTHER = "other", "Other / program's own"


class SignalKind(models.TextChoices):
    SIGNAL = "signal", "Signal"
    GOLD = "gold", "Gold signal"
    SILVER = "silver", "Silver signal"


class InterviewMode(models.TextChoices):
    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person"


class OutcomeResult(models.TextChoices):
    MATCHED = "matched", "Matched"
    MATCHED_SOAP = "matched_soap", "Matched in SOAP"
    NOT_MATCHED = "not_matched", "Not matched"


MATCH_YEAR_VALIDATORS = [MinValueValidator(2020), MaxValueValidator(2100)]


class Season(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seasons"
    )
    match_year = models.PositiveSmallIntegerField(
        validators=MATCH_YEAR_VALIDATORS,
        help_text="The Match year (the ERAS season's name): Match Day is in March of it.",
    )
    plan = models.ForeignKey(
        "assessments.Plan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seasons",
        help_text="The plan this season is tracked against.",
    )
    share_outcomes = models.BooleanField(
        default=False,
        help_text="Contribute this season, anonymously and only in aggregate, to program statistics.",
    )
    reminders = models.BooleanField(
        default=False, help_text="Email reminders of upcoming deadlines and interviews."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-match_year"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "match_year"], name="season_one_per_year")
        ]

    def __str__(self) -> str:
        return f"Season {self.match_year} of {self.owner}"


class Application(models.Model):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="applications")
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="tracked_applications"
    )
    # What the plan said about the program when it was added (the plan may be replaced later).
    plan_label = models.CharField(max_length=20, blank=True)
    plan_reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.CONSIDERING)
    platform = models.CharField(max_length=20, choices=Platform.choices, blank=True)
    signal_kind = models.CharField(max_length=10, choices=SignalKind.choices, blank=True)
    applied_on = models.DateField(null=True, blank=True)
    offered_on = models.DateField(null=True, blank=True)
    interview_at = models.DateTimeField(null=True, blank=True)
    interview_mode = models.CharField(max_length=10, choices=InterviewMode.choices, blank=True)
    interviewed = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["season", "program"], name="application_once"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="application_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["program", "season"], name="application_program")]

    def __str__(self) -> str:
        return f"{self.program} ({self.get_status_display()})"


class StatusChange(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=30, choices=Status.choices)
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.changed_at:%Y-%m-%d}"


class RankListEntry(models.Model):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="rank_entries")
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="rank_entry"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "rank list entries"

    def __str__(self) -> str:
        return f"#{self.position} {self.application.program}"


class Outcome(models.Model):
    season = models.OneToOneField(Season, on_delete=models.CASCADE, related_name="outcome")
    result = models.CharField(max_length=20, choices=OutcomeResult.choices)
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.get_result_display()


class SignalAllowance(models.Model):
    """Program signals a specialty allows in one season, by kind. Read only through
    tracker.selectors.signals_allowed (the one place to rewire when season data lands)."""

    specialty = models.ForeignKey(
        "programs.Specialty", on_delete=models.CASCADE, related_name="signal_allowances"
    )
    match_year = models.PositiveSmallIntegerField(validators=MATCH_YEAR_VALIDATORS)
    kind = models.CharField(max_length=10, choices=SignalKind.choices, default=SignalKind.SIGNAL)
    allowed = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["specialty__name", "-match_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["specialty", "match_year", "kind"], name="signal_allowance_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.specialty.code} {self.match_year}: {self.allowed} {self.kind}"


class SeasonComment(models.Model):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="comments")
    # As plan comments: an advisor's deleted account leaves the comment, without its author.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="season_comments",
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.season}"


class ReminderLog(models.Model):
    """One row per email sent: the reminder command sends nothing whose key is here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_logs"
    )
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="reminder_once")]

    def __str__(self) -> str:
        return self.key


class ReminderOptOut(models.Model):
    """Set by the one-click unsubscribe: no reminder of any kind goes to this user again
    (advisors have no season switch, so this is the switch for them too)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_out"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Opted out: {self.user}"
