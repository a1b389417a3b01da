"""``manage.py assess FILE``: print the plan of one profile (JSON) as JSON.

FILE is a path or ``-`` for standard input. Exit status 0 with the plan on standard output;
2 for malformed JSON or an invalid profile, with one line per invalid field on standard error
and nothing on standard output. docs/assess.md documents the input and the output.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.plan_json import plan_to_dict
from assessments.profile import ProfileError
from assessments.services import plan_compute

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Compute the plan for one applicant profile (JSON file, or - for standard input)."
    requires_system_checks: list[str] = []  # a read-only tool: don't fail on unrelated checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Profile JSON file, or - to read standard input.")
        parser.add_argument(
            "--today",
            help="Compute as of this date (YYYY-MM-DD) instead of today, for reproducible runs.",
        )
        parser.add_argument("--compact", action="store_true", help="Print the JSON on one line.")

    def fail(self, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        sys.exit(EXIT_INVALID)

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                self.fail(
                    [f"--today: must be a date written YYYY-MM-DD; got {options['today']!r}."]
                )
        path = options["file"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            self.fail([f"file: cannot read {path}: {exc}"])
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            self.fail(
                [f"(json): malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}."]
            )
        try:
            result, _inputs = plan_compute(profile_data=data, today=today)
        except ProfileError as exc:
            self.fail(exc.lines())
        indent = None if options["compact"] else 2
        self.stdout.write(json.dumps(plan_to_dict(result), indent=indent, ensure_ascii=False))
