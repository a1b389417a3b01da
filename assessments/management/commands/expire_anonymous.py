from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.expiry import anonymous_work_expire


class Command(BaseCommand):
    help = (
        "Delete anonymous wizard drafts and plans that no account claimed, and sign-ups "
        "never confirmed, older than ANONYMOUS_WORK_MAX_AGE_DAYS (default 30), then the "
        "catalog snapshots no plan uses any more. Safe to run from cron, e.g. daily: "
        "it deletes in small batches, keeps anything claimed meanwhile, and a second run "
        "at the same time does no harm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"age in days (default: {settings.ANONYMOUS_WORK_MAX_AGE_DAYS})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args: Any, days: int | None, dry_run: bool, **options: Any) -> None:
        try:
            result = anonymous_work_expire(days=days, dry_run=dry_run)
        except ValueError as exc:
            raise CommandError(f"--days: {exc}", returncode=2) from None
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {result.drafts} anonymous draft(s) and {result.plans} anonymous plan(s) "
            f"older than {result.cutoff:%Y-%m-%d %H:%M} UTC, {result.signups} "
            f"sign-up(s) never confirmed, and {result.snapshots} catalog snapshot(s) no plan "
            "uses any more."
        )
