"""Read-side queries for the program catalog."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.core.cache import cache
from django.db import connections, router
from django.db.models import F, Max, Q, QuerySet, Subquery
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
# Counts and fragments are cached per filter set and catalog version; the version changes
# with every catalog edit, so the TTL only bounds memory, not staleness.
COUNT_CACHE_SECONDS = 300


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

    def query_params(self) -> dict[str, str]:
        """The canonical query parameters of this filter set (links never echo bad input)."""
        params = {
            "q": self.text,
            "specialty": self.specialty,
            "state": self.state,
            "program_type": self.program_type,
            "j1": "yes" if self.j1 else "",
            "h1b": "yes" if self.h1b else "",
            "min_img": "" if self.min_img_share is None else str(self.min_img_share),
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        return {key: value for key, value in params.items() if value}


def program_list(*, filters: ProgramFilters) -> QuerySet[Program]:
    """The programs matching ``filters``, in the chosen order, with their specialties."""
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


def program_count(*, filters: ProgramFilters, version: str) -> int:
    """How many programs match, from the shared cache per filter set and catalog version:
    every page and every order of a filter set shows the same total."""
    filters = replace(filters, sort=DEFAULT_SORT)
    state = repr(sorted(asdict(filters).items()))
    key = f"programs:count:{version}:{hashlib.sha256(state.encode()).hexdigest()}"
    return cache.get_or_set(
        key, lambda: program_list(filters=filters).order_by().count(), COUNT_CACHE_SECONDS
    )


def program_get(*, pk: int) -> Program:
    """One program with its specialty, or Http404."""
    return get_object_or_404(Program.objects.select_related("specialty"), pk=pk)


def specialty_choices() -> list[tuple[str, str]]:
    """(code, name) of every specialty, by name, for filter menus."""
    return catalog_state()[0]


def catalog_version() -> str:
    """A token that changes whenever the program catalog changes (see catalog_state)."""
    return catalog_state()[1]


def catalog_state() -> tuple[list[tuple[str, str]], str]:
    """Every specialty's (code, name), by name, and the catalog version, in one query.

    The version keys cached counts, fragments and standings in the shared cache, so a
    catalog edit through any server is seen by all. The latest ``updated_at`` catches every
    save and our bulk updates (which set it), the highest id catches bulk inserts, the
    highest history id catches deletions (which simple_history records), and a digest of
    the specialties catches their edits (they carry no timestamp). The three maxima are
    index-backed scalar subqueries riding on the specialty list.
    """
    alias = router.db_for_read(Specialty)
    sql, params = _state_statement(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    specialties = [(code, name) for code, name, *_rest in rows]
    if rows:
        _code, _name, updated, top, history = rows[0]
    else:  # no specialty, hence no program; deletions still show in the history
        updated, top = None, None
        history = Program.history.aggregate(top=Max("history_id"))["top"]
    # updated: the latest updated_at as the database driver returns it (a date or a string),
    # a part of the token like the specialties.
    digest = hashlib.sha256(repr((updated, specialties)).encode()).hexdigest()[:16]
    return specialties, f"{top}-{history}-{digest}"


@functools.cache
def _state_statement(alias: str) -> tuple[str, tuple[Any, ...]]:
    """catalog_state's query, compiled by the ORM once per database. Every page that reads
    the catalog version runs it; compiled each time, catalog_state cost 1.0-1.2 ms of CPU per
    call, compiled once 0.19-0.26 ms (scripts/bench_micro.py, 5,000 programs, PostgreSQL)."""

    def latest(queryset: QuerySet, field: str) -> Subquery:
        return Subquery(queryset.order_by(f"-{field}").values(field)[:1])

    queryset = (
        Specialty.objects.using(alias)
        .order_by("name")
        .annotate(
            latest_update=latest(Program.objects.all(), "updated_at"),
            top_id=latest(Program.objects.all(), "id"),
            top_history=latest(Program.history.all(), "history_id"),
        )
        .values_list("code", "name", "latest_update", "top_id", "top_history")
    )
    return queryset.query.get_compiler(using=alias).as_sql()
