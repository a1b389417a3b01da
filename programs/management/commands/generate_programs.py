from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.demo import GENERATE_MAX, generated_remove, programs_generate


class Command(BaseCommand):
    help = (
        "Bulk-insert N fictional programs for benchmarks (1 to 100,000). They bypass "
        "edit history and are marked with the source 'Generated benchmark data (fictional)'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, nargs="?", help=f"1 to {GENERATE_MAX:,}")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete previously generated programs first",
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="only delete previously generated programs",
        )

    def handle(
        self, *args: Any, count: int | None, seed: int, replace: bool, remove: bool, **options: Any
    ) -> None:
        if remove:
            self.stdout.write(f"Removed {generated_remove()} generated program(s).")
            return
        if count is None or not 1 <= count <= GENERATE_MAX:
            raise CommandError(
                f"count must be a whole number from 1 to {GENERATE_MAX:,} (got {count}).",
                returncode=2,
            )
        started = time.perf_counter()
        created = programs_generate(count=count, seed=seed, replace=replace)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {created:,} program(s) in {elapsed:.1f} s (seed {seed})."
            )
        )
