"""Read-side queries for the program catalog."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from programs.models import Program, Specialty, YesNoUnknown

# Sort keys offered by the browser. Every ordering ends in "id" so pages are stable,
# and unknown values sort last whatever the database's default NULL order is.
SORTS: dict[str, tuple[str, list]] = {
    "name": ("Name", ["name", "id"]),
    "state": ("State", ["state", "name", "id"]),
    "img_share": ("IMG share, highest first", [F("img_share").desc(nulls_last=True), "name", "id"]),
    "step2": (
        "Typical Step 2 CK, lowest first",
        [F("step2_typical").asc(nulls_last=True), "name", "id"],
    ),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class ProgramFilters:
    """What the browser filters on; None/empty means "any"."""

    specialty: str = ""
    state: str = ""
    j1: bool = False
    h1b: bool = False
    min_img_share: int | None = None
    program_type: str = ""
    text: str = ""
    sort: str = DEFAULT_SORT


def program_list(*, filters: ProgramFilters) -> QuerySet[Program]:
    """Programs matching the filters, with their specialty, in the chosen order."""
    queryset = Program.objects.select_related("specialty")
    if filters.specialty:
        queryset = queryset.filter(specialty__code=filters.specialty)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.j1:
        queryset = queryset.filter(j1=YesNoUnknown.YES)
    if filters.h1b:
        queryset = queryset.filter(h1b=YesNoUnknown.YES)
    if filters.min_img_share is not None:
        # Unknown IMG share never satisfies a minimum: the filter promises a known share.
        queryset = queryset.filter(img_share__gte=filters.min_img_share)
    if filters.program_type:
        queryset = queryset.filter(program_type=filters.program_type)
    if filters.text:
        queryset = queryset.filter(
            Q(name__icontains=filters.text)
            | Q(institution__icontains=filters.text)
            | Q(city__icontains=filters.text)
        )
    _label, ordering = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return queryset.order_by(*ordering)


def program_get(*, pk: int) -> Program:
    """One program with its specialty, or Http404."""
    return get_object_or_404(Program.objects.select_related("specialty"), pk=pk)


def specialty_choices() -> list[tuple[str, str]]:
    """(code, name) of every specialty, for filter menus."""
    return list(Specialty.objects.order_by("name").values_list("code", "name"))


def catalog_version() -> str:
    """A token that changes whenever the program catalog changes; keys cached pages.

    Three index-backed maxima, read in one round trip (each as its own sub-select so
    SQLite's min/max optimisation applies): the latest ``updated_at`` catches every
    save and our bulk updates (which set it), the highest id catches bulk inserts,
    and the highest history id catches deletions, which simple_history records.
    The result is the same in every worker process, unlike a per-process cache key.
    """
    program_table = connection.ops.quote_name(Program._meta.db_table)
    history_table = connection.ops.quote_name(Program.history.model._meta.db_table)
    # Only our own table names, quoted by the backend, go into the string: no input.
    sql = (
        f"SELECT (SELECT MAX(updated_at) FROM {program_table}),"  # noqa: S608  # nosec B608
        f" (SELECT MAX(id) FROM {program_table}),"
        f" (SELECT MAX(history_id) FROM {history_table})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return "-".join(str(value) for value in row)
