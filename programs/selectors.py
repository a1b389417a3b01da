"""Read-side queries for the program catalog."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

from django.core.cache import cache
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
# Counts are cached per filter set and catalog version; the version changes with every
# catalog edit, so the TTL only bounds memory, not staleness.
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


def _filtered(filters: ProgramFilters, catalog: CatalogState | None = None) -> QuerySet[Program]:
    queryset = Program.objects.all()
    if filters.specialty:
        specialty_id = catalog.specialty_ids.get(filters.specialty) if catalog else None
        if specialty_id is not None:
            # By id: the (specialty, name, id) index serves the page without a join.
            queryset = queryset.filter(specialty_id=specialty_id)
        else:
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


# The columns of one row of the browser's table, in this order (see ProgramRow).
ROW_FIELDS = (
    "id",
    "name",
    "institution",
    "city",
    "state",
    "specialty_id",
    "program_type",
    "j1",
    "h1b",
    "img_share",
    "step2_typical",
)
ProgramRow = tuple[int, str, str, str, str, int, str, str, str, int | None, int | None]


def program_rows(
    *, filters: ProgramFilters, catalog: CatalogState, offset: int, limit: int
) -> list[ProgramRow]:
    """One page of the browser's table as plain tuples (ROW_FIELDS), without model
    instances or a join: the specialty's name comes from ``catalog``."""
    rows_sql, _count_sql, params = _statements(filters, catalog)
    with connection.cursor() as cursor:
        cursor.execute(f"{rows_sql} LIMIT %s OFFSET %s", [*params, limit, offset])
        return cursor.fetchall()


def program_count(*, filters: ProgramFilters, catalog: CatalogState) -> int:
    """How many programs match, cached per filter set and catalog version: every page and
    every order of a filter set shows the same total, so they need not count again."""
    filters = replace(filters, sort=DEFAULT_SORT)
    state = repr((catalog.version, sorted(asdict(filters).items())))
    key = "programs:count:" + hashlib.sha256(state.encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        _rows_sql, count_sql, params = _statements(filters, catalog)
        with connection.cursor() as cursor:
            cursor.execute(count_sql, params)
            count = cursor.fetchone()[0]
        # The version changes with every catalog edit: the TTL only bounds memory.
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


# (vendor, shape) -> (rows SQL, count SQL); see _statements
_STATEMENTS: dict[tuple[Any, ...], tuple[str, str]] = {}


def _statements(filters: ProgramFilters, catalog: CatalogState) -> tuple[str, str, list[Any]]:
    """The SQL of the browser's page and count queries for these filters, and its params.

    Building and compiling the queryset cost more than running it, and the SQL depends
    only on which filters are set and the sort (the "shape"), not on their values. So it
    is compiled by the ORM once per shape; later filter sets of that shape only compute
    their parameters (_params). A shape's SQL is kept only if _params agreed with the
    ORM's parameters when it was compiled.
    """
    params = _params(filters, catalog)
    key = (connection.vendor, _shape(filters, catalog))
    statements = _STATEMENTS.get(key)
    if statements is not None:
        return (*statements, params)
    queryset = _filtered(filters, catalog)
    rows_sql, rows_params = queryset.values_list(*ROW_FIELDS).query.sql_with_params()
    ids_sql, ids_params = queryset.order_by().values_list("id").query.sql_with_params()
    count_sql = f"SELECT COUNT(*) FROM ({ids_sql}) matching"  # noqa: S608  # nosec B608
    if list(rows_params) == params and list(ids_params) == params:
        _STATEMENTS[key] = (rows_sql, count_sql)
    return rows_sql, count_sql, list(rows_params)


def _shape(filters: ProgramFilters, catalog: CatalogState) -> tuple[Any, ...]:
    return (
        filters.specialty in catalog.specialty_ids if filters.specialty else None,
        bool(filters.state),
        filters.j1,
        filters.h1b,
        filters.min_img_share is not None,
        bool(filters.program_type),
        bool(filters.text),
        filters.sort if filters.sort in SORTS else DEFAULT_SORT,
    )


def _params(filters: ProgramFilters, catalog: CatalogState) -> list[Any]:
    """The query parameters _filtered's SQL takes, in the order it takes them."""
    params: list[Any] = []
    if filters.specialty:
        params.append(catalog.specialty_ids.get(filters.specialty, filters.specialty))
    if filters.state:
        params.append(filters.state)
    if filters.j1:
        params.append(YesNoUnknown.YES.value)
    if filters.h1b:
        params.append(YesNoUnknown.YES.value)
    if filters.min_img_share is not None:
        params.append(filters.min_img_share)
    if filters.program_type:
        params.append(filters.program_type)
    if filters.text:
        # as Django's icontains lookup prepares its pattern
        pattern = f"%{connection.ops.prep_for_like_query(filters.text)}%"
        params.extend([pattern] * 3)
    return params


def program_get(*, pk: int) -> Program:
    """One program with its specialty, or Http404."""
    return get_object_or_404(Program.objects.select_related("specialty"), pk=pk)


def specialty_choices() -> list[tuple[str, str]]:
    """(code, name) of every specialty, for filter menus."""
    return catalog_state().specialty_choices


@dataclass(frozen=True)
class CatalogState:
    """The catalog's version token and its specialties, read in one round trip."""

    version: str
    # (id, code, name) of every specialty, by name
    specialties: tuple[tuple[int, str, str], ...]

    @cached_property
    def specialty_choices(self) -> list[tuple[str, str]]:
        return [(code, name) for _id, code, name in self.specialties]

    @cached_property
    def specialty_ids(self) -> dict[str, int]:
        return {code: pk for pk, code, _name in self.specialties}

    @cached_property
    def specialty_names(self) -> dict[int, str]:
        return {pk: name for pk, _code, name in self.specialties}


def catalog_state() -> CatalogState:
    """The catalog version and the specialties (see catalog_version), in one query.

    The version covers the specialties too (their rows are hashed into it): renaming one
    changes what cached pages show, and specialties carry no timestamp of their own.
    """
    with connection.cursor() as cursor:
        cursor.execute(_catalog_sql(connection.vendor))
        rows = cursor.fetchall()
    specialties = tuple((pk, code, name) for *_version, pk, code, name in rows if pk is not None)
    digest = hashlib.sha256(repr(specialties).encode()).hexdigest()[:16]
    version = "-".join(str(value) for value in rows[0][:3])
    return CatalogState(version=f"{version}-{digest}", specialties=specialties)


@lru_cache(maxsize=4)
def _catalog_sql(vendor: str) -> str:
    """catalog_state's query (built once: reaching the history model is not free)."""
    quote = connection.ops.quote_name
    program_table = quote(Program._meta.db_table)
    history_table = quote(Program.history.model._meta.db_table)
    specialty_table = quote(Specialty._meta.db_table)
    # Three index-backed maxima (each its own sub-select so SQLite's min/max optimisation
    # applies; both databases evaluate them once), joined to every specialty row; the
    # LEFT JOIN keeps one row when there is no specialty. Only our own table names,
    # quoted by the backend, go into the string: no input.
    return (
        "SELECT v.updated, v.top_id, v.history, s.id, s.code, s.name FROM ("  # noqa: S608  # nosec B608
        f"SELECT (SELECT MAX(updated_at) FROM {program_table}) AS updated,"
        f" (SELECT MAX(id) FROM {program_table}) AS top_id,"
        f" (SELECT MAX(history_id) FROM {history_table}) AS history"
        f") v LEFT JOIN {specialty_table} s ON 1 = 1 ORDER BY s.name"
    )


def catalog_version() -> str:
    """A token that changes whenever the program catalog changes; keys cached pages.

    Three index-backed maxima, read in one round trip: the latest ``updated_at`` catches
    every save and our bulk updates (which set it), the highest id catches bulk inserts,
    and the highest history id catches deletions, which simple_history records; a digest
    of the specialties catches their edits. The result is the same in every worker
    process, unlike a per-process cache key.
    """
    return catalog_state().version
