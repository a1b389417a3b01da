from __future__ import annotations

from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Application season"

    def ready(self) -> None:
        from advising import selectors as advising
        from tracker import exporters, selectors

        exporters.register()
        # the advisor dashboard's "behind offer target" box (advising imports no tracker)
        advising.behind_offer_target = selectors.behind_offer_target
