from __future__ import annotations

from django.contrib import admin

from tracker.models import (
    Application,
    Outcome,
    RankListEntry,
    ReminderLog,
    ReminderOptOut,
    Season,
    SeasonComment,
    SignalAllowance,
    StatusChange,
)


@admin.register(SignalAllowance)
class SignalAllowanceAdmin(admin.ModelAdmin):
    list_display = ["specialty", "match_year", "kind", "allowed", "source"]
    list_filter = ["match_year", "kind"]
    list_editable = ["allowed"]


class ApplicationInline(admin.TabularInline):
    model = Application
    extra = 0
    fields = ["program", "status", "signal_kind", "applied_on", "offered_on", "interview_at"]
    raw_id_fields = ["program"]
    show_change_link = True


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["owner", "match_year", "share_outcomes", "reminders", "created_at"]
    list_filter = ["match_year", "share_outcomes", "reminders"]
    search_fields = ["owner__email"]
    raw_id_fields = ["owner", "plan"]
    inlines = [ApplicationInline]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["program", "season", "status", "signal_kind"]
    list_filter = ["status", "signal_kind"]
    raw_id_fields = ["season", "program"]
    inlines = [StatusChangeInline]


admin.site.register(RankListEntry)
admin.site.register(Outcome)
admin.site.register(SeasonComment)
admin.site.register(ReminderLog)


# An advisor has no season switch to lift a one-click unsubscribe: an admin deletes the row.
@admin.register(ReminderOptOut)
class ReminderOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
