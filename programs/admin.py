from __future__ import annotations

import io
from typing import Any

import tablib
from django.contrib import admin, messages
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from programs.models import Program, Specialty, stale_cutoff
from programs.resources import ProgramResource, iter_row_errors
from programs.services import (
    ImportFileError,
    csv_table,
    not_utf8_message,
    program_mark_verified,
    xlsx_table,
)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "track"]
    list_filter = ["track"]
    search_fields = ["code", "name"]
    ordering = ["name"]


SHORT_TYPES = {
    "university": "University",
    "community_university": "Univ.-affiliated",
    "community": "Community",
    "military": "Military",
    "unknown": "Unknown",
}


class NewProgramFilter(admin.SimpleListFilter):
    title = "accreditation"
    parameter_name = "accredited"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("new", "New (last 5 years)"), ("older", "Older"), ("unknown", "Unknown")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Program]) -> QuerySet[Program]:
        since = timezone.localdate().year - 5
        if self.value() == "new":
            return queryset.filter(first_accredited__gte=since)
        if self.value() == "older":
            return queryset.filter(first_accredited__lt=since)
        if self.value() == "unknown":
            return queryset.filter(first_accredited__isnull=True)
        return queryset


class ImgShareBandFilter(admin.SimpleListFilter):
    title = "IMG share"
    parameter_name = "img_band"

    BANDS: dict[str, tuple[str, Q]] = {
        "unknown": ("Unknown", Q(img_share__isnull=True)),
        "lt25": ("Under 25%", Q(img_share__lt=25)),
        "25-49": ("25–49%", Q(img_share__gte=25, img_share__lt=50)),
        "50plus": ("50% or more", Q(img_share__gte=50)),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _q) in self.BANDS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Program]) -> QuerySet[Program]:
        band = self.BANDS.get(self.value() or "")
        return queryset.filter(band[1]) if band else queryset


class VerificationFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verification"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("stale", "Stale (over 12 months or never)"),
            ("never", "Never verified"),
            ("current", "Verified in the last 12 months"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Program]) -> QuerySet[Program]:
        cutoff = stale_cutoff()
        if self.value() == "stale":
            return queryset.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))
        if self.value() == "never":
            return queryset.filter(last_verified__isnull=True)
        if self.value() == "current":
            return queryset.filter(last_verified__gte=cutoff)
        return queryset


class ProgramCSV(CSV):
    """import-export's CSV format, read as the command line's import reads a CSV file
    (services.csv_table): a row with more or fewer cells than the header is an error naming
    its row, where tablib said only "InvalidDimensions"."""

    def create_dataset(self, in_stream: str | bytes) -> tablib.Dataset:
        # The admin hands over the text it decoded with from_encoding; bytes only when the
        # confirm step is skipped.
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(ProgramAdmin.from_encoding)
        table = csv_table(io.StringIO(in_stream, newline=""), "The file")
        dataset = tablib.Dataset(headers=table.headers)
        for row in table.rows:
            dataset.append(row)
        return dataset


class ProgramXLSX(XLSX):
    """import-export's XLSX format, read as the command line's import reads a workbook
    (services.xlsx_table): each row whole (openpyxl cuts rows to the size the sheet states,
    which dropped a value beyond it silently), and a value beyond the header's columns is an
    error naming its row and column."""

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        table = xlsx_table(io.BytesIO(in_stream), "The workbook")
        dataset = tablib.Dataset(headers=table.headers)
        for row in table.rows:
            dataset.append(row)
        return dataset


@admin.register(Program)
class ProgramAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [ProgramResource]
    formats = [ProgramCSV, ProgramXLSX]
    # Excel writes "CSV UTF-8" with a byte-order mark; utf-8-sig reads both.
    from_encoding = "utf-8-sig"

    # Short column titles keep the list readable beside the admin's sidebars.
    list_display = [
        "name",
        "specialty_code",
        "location",
        "type_display",
        "track",
        "accepting_display",
        "j1_display",
        "h1b_display",
        "img_share_display",
        "step2_display",
        "verified_display",
    ]
    list_display_links = ["name"]
    list_filter = [
        "specialty",
        "state",
        "track",
        "program_type",
        "affiliation",
        "accepting_applications",
        "accepting_season",
        "application_platform",
        NewProgramFilter,
        "j1",
        "h1b",
        ImgShareBandFilter,
        VerificationFilter,
        "source",
    ]
    # acgme_id__exact (not "=", which is iexact) keeps the unique index usable.
    search_fields = ["name", "institution", "city", "acgme_id__exact"]
    search_help_text = "Name, institution or city (part of the word), or an exact ACGME id."
    list_select_related = ["specialty"]
    list_per_page = 50
    # With 50,000 programs the unfiltered COUNT(*) on every filtered page is waste.
    show_full_result_count = False
    ordering = ["name", "id"]
    actions = ["mark_verified_today"]
    readonly_fields = ["updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "acgme_id", "specialty", "track", "program_type"]}),
        ("Where", {"fields": ["institution", "city", "state", "website", "affiliation"]}),
        (
            "This season",
            {
                "fields": [
                    "accepting_applications",
                    "accepting_season",
                    "application_platform",
                ]
            },
        ),
        ("Visas", {"fields": ["j1", "h1b"]}),
        (
            "What the program looks for",
            {
                "fields": [
                    "positions",
                    "total_positions",
                    "first_accredited",
                    "img_share",
                    "usmd_share",
                    "do_share",
                    "step2_min",
                    "step2_typical",
                    "max_yog",
                    "accepts_failures",
                    "requires_usce",
                ],
                "description": "Leave a number empty, or choose “Unknown”, when the "
                "program has not said. Unknown is not the same as no.",
            },
        ),
        ("Provenance", {"fields": ["source", "last_verified", "notes", "updated_at"]}),
    ]

    @admin.display(description="specialty", ordering="specialty__code")
    def specialty_code(self, obj: Program) -> str:
        return obj.specialty.code

    @admin.display(description="city, state", ordering="state")
    def location(self, obj: Program) -> str:
        return f"{obj.city}, {obj.state}"

    @admin.display(description="type", ordering="program_type")
    def type_display(self, obj: Program) -> str:
        return SHORT_TYPES.get(obj.program_type, obj.program_type)

    @admin.display(description="accepting", ordering="accepting_applications")
    def accepting_display(self, obj: Program) -> str:
        answer = obj.get_accepting_applications_display()
        if obj.accepting_season and obj.accepting_applications != "unknown":
            return f"{answer} ({obj.accepting_season})"
        return answer

    @admin.display(description="J-1", ordering="j1")
    def j1_display(self, obj: Program) -> str:
        return obj.get_j1_display()

    @admin.display(description="H-1B", ordering="h1b")
    def h1b_display(self, obj: Program) -> str:
        return obj.get_h1b_display()

    @admin.display(description="IMG %", ordering="img_share")
    def img_share_display(self, obj: Program) -> str:
        return "unknown" if obj.img_share is None else f"{obj.img_share}%"

    @admin.display(description="Step 2 typical", ordering="step2_typical")
    def step2_display(self, obj: Program) -> str:
        return "unknown" if obj.step2_typical is None else str(obj.step2_typical)

    @admin.display(description="verified", ordering="last_verified")
    def verified_display(self, obj: Program) -> str:
        if obj.last_verified is None:
            return "never"
        stale = " (stale)" if obj.is_stale else ""
        return f"{obj.last_verified.isoformat()}{stale}"

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        """A file our readers refuse says why (the row and column), not only the error's
        type as import-export words it."""
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        elif isinstance(e, UnicodeDecodeError):  # decoded before the format reads it
            form.add_error("import_file", not_utf8_message("The file", e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    @admin.action(description="Mark selected programs verified today", permissions=["change"])
    def mark_verified_today(self, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        count = program_mark_verified(programs=queryset, user=request.user)
        self.message_user(request, f"Marked {count} program(s) verified today.", messages.SUCCESS)

    def process_result(self, result: Any, request: HttpRequest) -> HttpResponse:
        # The confirm step re-runs the import; if the data changed since the preview and
        # a row failed, ProgramResource rolled everything back: say so, not "success".
        if result.has_errors() or result.has_validation_errors():
            for row, column, reason in list(iter_row_errors(result))[:20]:
                where = f"Row {row}, column {column}" if row is not None else "File"
                self.message_user(request, f"{where}: {reason}", messages.ERROR)
            self.message_user(
                request, "Nothing was imported: fix the rows above and try again.", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:programs_program_import"))
        return super().process_result(result, request)
