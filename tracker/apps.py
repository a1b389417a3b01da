from __future__ import annotations

from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Application season"

    def ready(self) -> None:
        from tracker import exporters

        exporters.register()
