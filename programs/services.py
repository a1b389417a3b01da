"""Write-side operations on the program catalog."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from import_export.formats.base_formats import CSV, XLSX
from simple_history.utils import bulk_update_with_history
from tablib import Dataset

from programs.context_processors import DEMO_CACHE_KEY
from programs.models import Program
from programs.resources import ProgramResource, iter_row_errors

IMPORT_FORMATS = {".csv": "CSV", ".xlsx": "XLSX"}


class ImportFileError(Exception):
    """The file cannot be read as a program table at all (as opposed to bad rows)."""


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    dry_run: bool = False
    # (row number or None for the whole file, column, reason)
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def dataset_from_file(*, path: Path) -> Dataset:
    """Read a .csv (UTF-8) or .xlsx file into a dataset, or raise ImportFileError."""
    suffix = path.suffix.lower()
    if suffix not in IMPORT_FORMATS:
        raise ImportFileError(
            f"{path.name}: unsupported file type “{suffix or '(none)'}”; use .csv or .xlsx."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"{path.name} is not UTF-8 text (bad byte at position {exc.start}); "
                "save it as “CSV UTF-8”."
            ) from None
        ragged = _ragged_row(text)
        if ragged is not None:
            number, cells, columns = ragged
            raise ImportFileError(
                f"{path.name}, row {number}: the row has {cells} cell(s) but the header has "
                f"{columns} column(s); every row needs one cell per column (leave a cell "
                "empty for unknown). Row numbers count data rows: row 1 is the line after "
                "the header."
            )
        try:
            dataset = CSV().create_dataset(text)
        except Exception as exc:  # tablib raises several types for a malformed table
            raise ImportFileError(
                f"{path.name} is not a well-formed CSV table ({type(exc).__name__}): "
                "every line needs the same number of columns as the header."
            ) from None
    else:
        try:
            dataset = XLSX().create_dataset(data)
        except Exception as exc:  # openpyxl/zipfile raise many types for a broken workbook
            raise ImportFileError(
                f"{path.name} is not a readable XLSX workbook ({type(exc).__name__})."
            ) from None
    if not dataset.headers or not any(str(h or "").strip() for h in dataset.headers):
        raise ImportFileError(f"{path.name} is empty: the first line must name the columns.")
    return dataset


def _ragged_row(text: str) -> tuple[int, int, int] | None:
    """The first data row whose number of cells differs from the header's, as (row number,
    cells, header columns); None when every row fits. tablib would pad a short row with
    empty cells, which then fail as "required" or "not a code", hiding the real problem."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            return None
        for number, row in enumerate(reader, start=1):
            if row and len(row) != len(header):
                return number, len(row), len(header)
    except csv.Error:
        return None  # tablib's own reading reports a malformed file
    return None


def programs_import(
    *, dataset: Dataset, dry_run: bool = False, file_name: str = "", user: Any = None
) -> ImportReport:
    """Import a program table all or nothing: any bad row means nothing is written.

    The same ProgramResource (and so the same validation) serves the Django admin.
    """
    result = ProgramResource().import_data(
        dataset, dry_run=dry_run, raise_errors=False, file_name=file_name, user=user
    )
    problems = list(iter_row_errors(result))
    if not dry_run and not problems:
        cache.delete(DEMO_CACHE_KEY)  # the file may have added or relabelled demo rows
    totals = result.totals
    return ImportReport(
        created=totals.get("new", 0),
        updated=totals.get("update", 0),
        skipped=totals.get("skip", 0),
        dry_run=dry_run,
        problems=problems,
    )


def program_mark_verified(
    *, programs: QuerySet[Program], user: Any = None, on: dt.date | None = None
) -> int:
    """Set last_verified on the given programs, recording one history entry each."""
    on = on or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        objs = list(programs.select_for_update())
        for program in objs:
            program.last_verified = on
            program.updated_at = now  # bulk_update skips auto_now; the browser cache keys on it
        bulk_update_with_history(
            objs,
            Program,
            ["last_verified", "updated_at"],
            batch_size=500,
            default_user=user,
            default_change_reason="Marked verified",
        )
    return len(objs)
