from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from programs.demo import (
    DEMO_PASSWORD,
    DEMO_URL,
    demo_catalog_load,
    demo_catalog_remove,
    ensure_demo_users,
)
from programs.signals import demo_users_ready


class Command(BaseCommand):
    help = (
        "Load the fictional demo catalog (idempotent) and, while DEBUG is on, the demo "
        "users admin@, advisor@ and applicant@example.com."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--remove",
            action="store_true",
            help="delete the demo programs instead (demo users are left alone)",
        )
        parser.add_argument(
            "--url",
            default=DEMO_URL,
            help=f"where the app will be served, printed at the end (default {DEMO_URL})",
        )

    def handle(self, *args: Any, remove: bool, url: str, **options: Any) -> None:
        if remove:
            deleted = demo_catalog_remove()
            self.stdout.write(f"Removed {deleted} demo record(s).")
            return

        result = demo_catalog_load()
        self.stdout.write(
            f"Demo catalog: {result.created} program(s) created, "
            f"{result.already_present} already present. All are fictional."
        )

        if not settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    "DEBUG is off: demo users were NOT created, because their password is "
                    "published. Create real accounts with `manage.py createsuperuser`."
                )
            )
            return

        users = ensure_demo_users()
        # Other apps add their demo relations (advising: the demo advisor advises the demo
        # applicant and has commented on a plan); see programs.signals.
        demo_users_ready.send(sender=self.__class__, users=users)

        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for role, user in users.items():
            self.stdout.write(f"  {role:<10} {user.email}")
        self.stdout.write(f"Open {url}")
