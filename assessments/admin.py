"""Admin for the strategy engine's rule parameters and fee schedules (with change history)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import (
    DualPartner,
    FeeSchedule,
    NrmpSeason,
    PlatformFeeSchedule,
    SeasonDate,
    Source,
    SpecialtyRule,
    SpecialtySeason,
)


class DualPartnerInline(admin.TabularInline):
    model = DualPartner
    extra = 1
    fields = ("position", "specialty")
    ordering = ("position",)


@admin.register(SpecialtyRule)
class SpecialtyRuleAdmin(SimpleHistoryAdmin):
    list_display = (
        "specialty",
        "basis",
        "strong_min",
        "viable_min",
        "risk_min",
        "recommended_ranks",
        "start_level",
        "matched_median",
        "updated_at",
    )
    list_filter = ("basis", "start_level")
    search_fields = ("specialty__code", "specialty__name", "source_note")
    readonly_fields = ("updated_at",)
    list_select_related = ("specialty",)
    inlines = [DualPartnerInline]
    fieldsets = (
        (None, {"fields": ("specialty", "basis", "source_note", "updated_at")}),
        (
            "Step 2 CK bands (lower bounds; under 'risk from' is high risk)",
            {
                "fields": (
                    "strong_min",
                    "viable_min",
                    "risk_min",
                    "h1b_band_shift",
                    "after_failure_min_step2",
                )
            },
        ),
        (
            "Applications per tier",
            {
                "fields": (
                    ("apps_strong_min", "apps_strong_max"),
                    ("apps_viable_min", "apps_viable_max"),
                    ("apps_risk_min", "apps_risk_max"),
                    ("apps_high_risk_min", "apps_high_risk_max"),
                )
            },
        ),
        (
            "Targets and flags",
            {
                "fields": (
                    "recommended_ranks",
                    "usce_target_months",
                    "us_letters_target",
                    "sloes_target",
                )
            },
        ),
        (
            "Years since graduation (graded flag)",
            {"fields": ("yog_limit_years", ("yog_just_past_years", "yog_well_past_years"))},
        ),
        ("First year of training", {"fields": ("start_level", "start_level_note")}),
        (
            "Reference figures",
            {
                "fields": (
                    "matched_median",
                    "unmatched_median",
                    "matched_ranks_median",
                    "unmatched_ranks_median",
                    "match_rate_pct",
                    "stats_source",
                )
            },
        ),
    )


@admin.register(FeeSchedule)
class FeeScheduleAdmin(SimpleHistoryAdmin):
    list_display = (
        "season",
        "active",
        "eras_fee_first_tier",
        "eras_first_tier_size",
        "eras_fee_after",
        "usmle_transcript_fee",
        "nrmp_registration_fee",
        "updated_at",
    )
    list_filter = ("active",)
    readonly_fields = ("updated_at",)


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    # Links are entered with their scheme; a bare host means https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "publisher", "season", "checked_on", "confirmed")
    list_filter = ("confirmed", "publisher")
    search_fields = ("key", "title", "publisher", "note")


@admin.register(PlatformFeeSchedule)
class PlatformFeeScheduleAdmin(SimpleHistoryAdmin):
    list_display = (
        "platform",
        "season",
        "confirmed_season",
        "base_fee",
        "base_programs",
        "mid_fee",
        "mid_until",
        "after_fee",
        "transcript_fee",
        "token_fee",
        "updated_at",
    )
    list_filter = ("platform", "season")
    readonly_fields = ("updated_at",)


@admin.register(SpecialtySeason)
class SpecialtySeasonAdmin(SimpleHistoryAdmin):
    list_display = (
        "specialty",
        "season",
        "platform",
        "signals_first",
        "signals_first_label",
        "signals_second",
        "signals_second_label",
        "signals_confirmed_season",
        "updated_at",
    )
    list_filter = ("season", "platform")
    list_select_related = ("specialty",)
    readonly_fields = ("updated_at",)


@admin.register(NrmpSeason)
class NrmpSeasonAdmin(SimpleHistoryAdmin):
    list_display = (
        "season",
        "confirmed_season",
        "registration_fee",
        "included_ranks",
        "extra_rank_fee",
        "late_fee",
        "standard_deadline",
        "updated_at",
    )
    readonly_fields = ("updated_at",)


@admin.register(SeasonDate)
class SeasonDateAdmin(SimpleHistoryAdmin):
    list_display = ("season", "event", "date", "source", "updated_at")
    list_filter = ("season", "event")
    list_select_related = ("source",)
    readonly_fields = ("updated_at",)
    search_fields = ("note", "source__title")
