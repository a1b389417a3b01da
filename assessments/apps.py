from __future__ import annotations

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments and plans"

    def ready(self) -> None:
        from assessments import exporters, receivers, rule_data

        rule_data.connect()
        exporters.register()
        receivers.connect()
