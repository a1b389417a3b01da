from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.services import (
    MANY_NEW_PROGRAMS,
    ImportFileError,
    programs_import,
    table_from_file,
)

BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Import programs from a .csv or .xlsx file (format: docs/import-programs.md). "
        "All or nothing: if any row is bad, each problem is printed as "
        "'row N, column X: reason' and nothing is written (exit status 2)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv (UTF-8) or .xlsx file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="validate and report what would change, without writing anything",
        )
        parser.add_argument(
            "--season",
            type=int,
            help="the application season the file's accepting_applications column is "
            "about (the year applications are sent, e.g. 2026), for rows without a season",
        )

    def handle(
        self, *args: Any, file: Path, dry_run: bool, season: int | None, **options: Any
    ) -> None:
        def progress(rows: int, seconds: float) -> None:
            self.stdout.write(f"… {rows:,} rows checked in {seconds:.0f} s")
            self.stdout.flush()

        try:
            table = table_from_file(path=file)
            report = programs_import(
                table=table,
                dry_run=dry_run,
                file_name=file.name,
                season=season,
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None

        counts = (
            f"{report.created} created, {report.updated} updated, {report.skipped} unchanged, "
            f"{report.conflicts} conflicts"
        )
        if not report.ok:
            for row, column, reason in report.problems:
                where = f"row {row}, column {column}" if row is not None else f"file {file.name}"
                self.stderr.write(f"{where}: {reason}")
            rows = {row for row, _, _ in report.problems if row is not None}
            summary = f"{len(report.problems)} problem(s)"
            if rows:
                summary += f" in {len(rows)} row(s)"
            raise CommandError(
                f"{summary}; nothing was imported ({counts} among the valid rows). Row "
                "numbers count data rows (row 1 is the line after the header).",
                returncode=BAD_INPUT,
            )
        if report.many_new:
            self.stderr.write(
                self.style.WARNING(
                    f"WARNING: this file {'would create' if dry_run else 'created'} "
                    f"{report.created} new programs beside the {report.existing} already in "
                    f"the catalog (more than {MANY_NEW_PROGRAMS}). If the file describes "
                    "programs that are already there, its rows did not match them: check "
                    "the acgme_id column, or that name, city, state and specialty are "
                    "spelt as in the catalog."
                )
            )
        if dry_run:
            self.stdout.write(f"Dry run, nothing written. Would be: {counts}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file.name}: {counts}."))
