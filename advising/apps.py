from __future__ import annotations

from django.apps import AppConfig


class AdvisingConfig(AppConfig):
    name = "advising"
    verbose_name = "Advising"

    def ready(self) -> None:
        from advising import exporters

        exporters.register()
