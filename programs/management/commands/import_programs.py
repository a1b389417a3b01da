from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.services import ImportFileError, dataset_from_file, programs_import

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

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            dataset = dataset_from_file(path=file)
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None

        report = programs_import(dataset=dataset, dry_run=dry_run, file_name=file.name)
        if not report.ok:
            for row, column, reason in report.problems:
                where = f"row {row}, column {column}" if row is not None else f"file {file.name}"
                self.stderr.write(f"{where}: {reason}")
            rows = {row for row, _, _ in report.problems if row is not None}
            summary = f"{len(report.problems)} problem(s)"
            if rows:
                summary += f" in {len(rows)} row(s)"
            raise CommandError(
                f"{summary}; nothing was imported. Row numbers count data rows "
                "(row 1 is the line after the header).",
                returncode=BAD_INPUT,
            )

        counts = f"{report.created} created, {report.updated} updated, {report.skipped} unchanged"
        if dry_run:
            self.stdout.write(f"Dry run, nothing written. Would be: {counts}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file.name}: {counts}."))
