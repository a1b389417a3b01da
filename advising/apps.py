from __future__ import annotations

from django.apps import AppConfig


class AdvisingConfig(AppConfig):
    name = "advising"
    verbose_name = "Advising"

    def ready(self) -> None:
        from advising import demo, exporters
        from programs.signals import demo_users_ready

        exporters.register()
        demo_users_ready.connect(demo.add_demo_review, dispatch_uid="advising.demo_review")
