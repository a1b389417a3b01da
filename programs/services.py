"""Write-side operations on the program catalog."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history
from tablib import Dataset

from programs.context_processors import DEMO_CACHE_KEY
from programs.models import Program
from programs.resources import (
    ProgramBatchResource,
    header_problems,
    iter_row_errors,
    normalise_headers,
)

IMPORT_FORMATS = {".csv": "CSV", ".xlsx": "XLSX"}
# Rows validated and written together. Memory holds one batch's row results (and the
# programs it may update), whatever the file size.
IMPORT_BATCH_ROWS = 1000
PROGRESS_EVERY_ROWS = 5000  # the command prints progress for files longer than this
# A file that would add more new programs than this beside an existing catalog is
# probably matching nothing (a file without ids, renamed programs): the dry run says so.
MANY_NEW_PROGRAMS = 5


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
    conflicts: int = 0  # rows refused: ambiguous match, contradicting duplicate or id
    rows: int = 0
    existing: int = 0  # programs in the catalog before the import

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def many_new(self) -> bool:
        """The file would add more than a few programs beside an existing catalog."""
        return self.existing > 0 and self.created > MANY_NEW_PROGRAMS


@dataclass
class Table:
    """A file's header and an iterator over its data rows (read as they are consumed)."""

    headers: list[str]
    rows: Iterator[list[Any]]


def _without_trailing_blanks(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """Blank rows are held back until a non-blank row follows: blank rows at the end of a
    spreadsheet are dropped, blank rows in the middle kept (row numbers match the file)."""
    held: list[list[Any]] = []
    for row in rows:
        if all(v is None or str(v).strip() == "" for v in row):
            held.append(row)
            continue
        yield from held
        held.clear()
        yield row


def table_from_file(*, path: Path) -> Table:
    """Open a .csv (UTF-8) or .xlsx file for reading row by row, or raise ImportFileError.

    The rows are read as the import consumes them, so a 100,000-row file is never in
    memory at once; a CSV line with the wrong number of cells, or an XLSX value beyond the
    header's columns, is an ImportFileError raised while reading.
    """
    suffix = path.suffix.lower()
    if suffix not in IMPORT_FORMATS:
        raise ImportFileError(
            f"{path.name}: unsupported file type “{suffix or '(none)'}”; use .csv or .xlsx."
        )
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if suffix == ".csv":
        return csv_table(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""), path.name)
    return xlsx_table(handle, path.name)


def csv_table(text: TextIO, name: str) -> Table:
    """A CSV table read from ``text`` (closed when the rows are read), row by row, or raise
    ImportFileError; ``name`` names it in messages. The command line's import and Django
    admin's (programs.admin.ProgramCSV) read CSV files here."""
    reader = csv.reader(text)
    try:
        headers = next(reader, [])
    except UnicodeDecodeError as exc:
        text.close()
        raise ImportFileError(not_utf8_message(name, exc)) from None
    except csv.Error as exc:
        text.close()
        raise ImportFileError(f"{name} is not a well-formed CSV table ({exc}).") from None
    width = len(headers)

    def csv_rows() -> Iterator[list[Any]]:
        line = 1
        try:
            for row in reader:
                line += 1
                if not row:
                    row = [""] * width
                if len(row) != width:
                    raise ImportFileError(
                        f"{name}, row {line - 1}: the row has {len(row)} cell(s) but "
                        f"the header has {width} column(s); every row needs one cell per "
                        "column (leave a cell empty for unknown). Row numbers count data "
                        "rows: row 1 is the line after the header."
                    )
                yield row
        except UnicodeDecodeError as exc:
            raise ImportFileError(not_utf8_message(name, exc)) from None
        except csv.Error as exc:
            raise ImportFileError(
                f"{name} is not a well-formed CSV table (line {line}: {exc})."
            ) from None
        finally:
            text.close()

    if not headers or not any(str(h or "").strip() for h in headers):
        text.close()
        raise ImportFileError(f"{name} is empty: the first line must name the columns.")
    return Table(headers=list(headers), rows=_without_trailing_blanks(csv_rows()))


def xlsx_table(handle: BinaryIO, name: str) -> Table:
    """The first sheet of an XLSX workbook read from ``handle`` (closed when the rows are
    read), row by row, or raise ImportFileError; ``name`` names it in messages. The command
    line's import and Django admin's (programs.admin.ProgramXLSX) read workbooks here."""
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter

        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # openpyxl cuts every row to the size the file states, and some writers state
        # none or a wrong one: read each row whole, so a cell beyond the header is seen.
        sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        headers = list(next(values, ()))
        while headers and not str(headers[-1] or "").strip():  # styled empty cells
            headers.pop()
    except Exception as exc:  # openpyxl/zipfile raise many types for a broken workbook
        handle.close()
        raise ImportFileError(
            f"{name} is not a readable XLSX workbook ({type(exc).__name__})."
        ) from None
    width = len(headers)

    def xlsx_rows() -> Iterator[list[Any]]:
        try:
            for number, row in enumerate(values, start=1):
                cells = list(row)
                # Empty cells after the header's last column are formatting; a value
                # there is an error, as a CSV line with too many cells is.
                for column, value in enumerate(cells[width:], start=width + 1):
                    if value is not None and str(value).strip():
                        raise ImportFileError(
                            f"{name}, row {number}: “{value}” in column "
                            f"{get_column_letter(column)} is beyond the header's {width} "
                            "column(s); every value needs a column named in the header "
                            "(name the column or delete the cell). Row numbers count data "
                            "rows: row 1 is the line after the header."
                        )
                yield cells[:width] + [None] * (width - len(cells))
        finally:
            workbook.close()
            handle.close()

    rows = xlsx_rows()
    if not headers or not any(str(h or "").strip() for h in headers):
        raise ImportFileError(f"{name} is empty: the first line must name the columns.")
    return Table(headers=list(headers), rows=_without_trailing_blanks(rows))


def not_utf8_message(name: str, exc: UnicodeDecodeError) -> str:
    return f"{name} is not UTF-8 text (bad byte at position {exc.start}); save it as “CSV UTF-8”."


def programs_import(
    *,
    dataset: Dataset | None = None,
    table: Table | None = None,
    dry_run: bool = False,
    file_name: str = "",
    user: Any = None,
    season: int | None = None,
    batch_rows: int = IMPORT_BATCH_ROWS,
    progress: Callable[[int, float], None] | None = None,
) -> ImportReport:
    """Import a program table all or nothing: any bad row means nothing is written.

    Give a ``dataset`` (read whole) or a ``table`` (read row by row). Rows are validated
    and written in batches of ``batch_rows`` inside one transaction, rolled back at the
    end when a row was bad or on a dry run; every batch's row results are dropped once
    counted, so memory stays flat. ``season`` is the file's application season for rows
    that state ``accepting_applications`` without their own. ``progress(rows, seconds)``
    is called after every ``PROGRESS_EVERY_ROWS`` rows. The same ProgramResource (and so
    the same validation) serves the Django admin.
    """
    if table is None:
        if dataset is None:
            raise TypeError("programs_import needs a dataset or a table")
        table = Table(headers=list(dataset.headers or []), rows=iter(list(r) for r in dataset))
    raw_headers = normalise_headers(table.headers)
    problems: list[tuple[int | None, str, str]] = [
        (None, "-", problem) for problem in header_problems(raw_headers)
    ]
    if problems:
        return ImportReport(dry_run=dry_run, problems=problems)
    # Unnamed columns (formatted but empty spreadsheet columns) are dropped; a value in
    # one is a row error.
    named = [i for i, h in enumerate(raw_headers) if h != "(no header)"]
    unnamed = [i for i, h in enumerate(raw_headers) if h == "(no header)"]
    headers = [raw_headers[i] for i in named]

    resource = ProgramBatchResource(default_season=season)
    totals = {"new": 0, "update": 0, "skip": 0}
    existing = Program.objects.count()
    started = time.perf_counter()
    rows_seen = 0
    next_progress = PROGRESS_EVERY_ROWS
    with transaction.atomic():
        numbered = enumerate(table.rows, start=1)
        while True:
            batch = list(itertools.islice(numbered, batch_rows))
            if not batch:
                break
            chunk = Dataset(headers=headers)
            for number, row in batch:
                stray = [row[i] for i in unnamed if str(row[i] or "").strip()]
                if stray:
                    problems.append((number, "-", f"“{stray[0]}” is in a column without a name."))
                chunk.append([row[i] for i in named])
            first_row = batch[0][0]
            result = resource.import_batch(
                chunk,
                first_row=first_row,
                dry_run=False,
                raise_errors=False,
                file_name=file_name,
                user=user,
            )
            problems.extend(iter_row_errors(result, offset=first_row - 1))
            for key in totals:
                totals[key] += result.totals.get(key, 0)
            rows_seen += len(batch)
            del result, chunk, batch
            if progress is not None and rows_seen >= next_progress:
                progress(rows_seen, time.perf_counter() - started)
                next_progress += PROGRESS_EVERY_ROWS
        if dry_run or problems:
            transaction.set_rollback(True)
    if not dry_run and not problems:
        cache.delete(DEMO_CACHE_KEY)  # the file may have added or relabelled demo rows
    return ImportReport(
        created=totals["new"],
        updated=totals["update"],
        skipped=totals["skip"],
        dry_run=dry_run,
        problems=problems,
        conflicts=resource.conflicts,
        rows=rows_seen,
        existing=existing,
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
