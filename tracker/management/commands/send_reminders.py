"""Send the reminder emails that are due. Safe to run every day (or every hour) from cron or
the `reminders` service of docker-compose: every email is logged by key and never sent twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker import reminders


class Command(BaseCommand):
    help = "Send due season reminders (applicants who opted in) and weekly advisor notes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="YYYY-MM-DD: send as if it were this date.")
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "SITE_URL", "") or "http://localhost:8000",
            help="Site address the links in the emails start with (default: SITE_URL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(
                    f"--today: expected YYYY-MM-DD, got {options['today']!r}."
                ) from exc
        base_url = options["base_url"].rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url: expected an http(s) address, got {base_url!r}.")
        sent = reminders.send_due(today=today, base_url=base_url)
        self.stdout.write(f"{sent} reminder email{'s' if sent != 1 else ''} sent for {today}.")
