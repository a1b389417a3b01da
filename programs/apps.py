from __future__ import annotations

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Program catalog"

    def ready(self) -> None:
        from accounts.services import register_user_data_exporter
        from programs.context_processors import DEMO_NOTICE, demo_data_present

        # The account's JSON export carries the demo warning while the demo catalog is in:
        # plans made from it rest on fictional programs.
        register_user_data_exporter(
            "demo_notice", lambda user: DEMO_NOTICE if demo_data_present() else None
        )
