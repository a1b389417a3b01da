from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from advising.models import AdvisorAssignment, PlanComment, PlanReview, Share
from assessments.models import Plan


class ReadOnlyAdminMixin:
    """Admins may look but not touch: plans and what advisors wrote are the record."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AdvisorAssignment)
class AdvisorAssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "advisor",
        "advisor_email",
        "applicant",
        "applicant_email",
        "assigned_by",
        "created_at",
    ]
    list_select_related = ["advisor", "applicant", "assigned_by"]
    search_fields = [
        "advisor__email",
        "advisor__full_name",
        "applicant__email",
        "applicant__full_name",
    ]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["advisor", "applicant"]
    fields = ["advisor", "applicant", "assigned_by", "created_at"]
    readonly_fields = ["assigned_by", "created_at"]

    @admin.display(description="advisor email", ordering="advisor__email")
    def advisor_email(self, obj: AdvisorAssignment) -> str:
        return obj.advisor.email

    @admin.display(description="applicant email", ordering="applicant__email")
    def applicant_email(self, obj: AdvisorAssignment) -> str:
        return obj.applicant.email

    def save_model(
        self, request: HttpRequest, obj: AdvisorAssignment, form: Any, change: bool
    ) -> None:
        if not change:
            obj.assigned_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Share)
class ShareAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "applicant",
        "advisor_email",
        "advisor",
        "share_status",
        "created_at",
        "accepted_at",
        "revoked_at",
    ]
    list_select_related = ["applicant", "advisor"]
    search_fields = ["applicant__email", "advisor_email"]
    list_filter = ["created_at", "accepted_at", "revoked_at"]
    # the token digest is of no use to a person and stays out of view
    fields = ["applicant", "advisor_email", "advisor", "created_at", "accepted_at", "revoked_at"]

    @admin.display(description="status")
    def share_status(self, obj: Share) -> str:
        return obj.status.label


@admin.register(PlanComment)
class PlanCommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "applicant", "author", "created_at", "excerpt"]
    list_select_related = ["plan", "plan__owner", "author"]
    search_fields = ["plan__owner__email", "author__email", "body"]
    list_filter = ["created_at"]
    fields = ["plan", "author", "created_at", "body"]

    @admin.display(description="applicant", ordering="plan__owner__email")
    def applicant(self, obj: PlanComment) -> str:
        return str(obj.plan.owner or "")

    @admin.display(description="comment")
    def excerpt(self, obj: PlanComment) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"


@admin.register(PlanReview)
class PlanReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "applicant", "status", "reviewer", "updated_at"]
    list_select_related = ["plan", "plan__owner", "reviewer"]
    list_filter = ["status", "updated_at"]
    search_fields = ["plan__owner__email", "reviewer__email"]
    fields = ["plan", "status", "reviewer", "updated_at"]

    @admin.display(description="applicant", ordering="plan__owner__email")
    def applicant(self, obj: PlanReview) -> str:
        return str(obj.plan.owner or "")


class PlanCommentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlanComment
    fields = ["author", "created_at", "body"]
    readonly_fields = ["author", "created_at", "body"]
    extra = 0


# assessments owns the Plan model and may register its own admin; admin discovery runs
# in INSTALLED_APPS order (assessments before advising), so this one only fills the gap.
if not admin.site.is_registered(Plan):

    @admin.register(Plan)
    class PlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
        list_display = [
            "__str__",
            "owner",
            "specialty_code",
            "tier",
            "red_flag_count",
            "engine_version",
            "created_at",
        ]
        list_select_related = ["owner"]
        list_filter = ["tier", "specialty_code", "engine_version"]
        search_fields = ["owner__email", "owner__full_name", "token"]
        date_hierarchy = "created_at"
        fields = [
            "owner",
            "token",
            "created_at",
            "engine_version",
            "specialty_code",
            "specialty_name",
            "tier",
            "red_flag_count",
            "profile",
            "inputs",
            "output",
        ]
        inlines = [PlanCommentInline]
