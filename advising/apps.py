from __future__ import annotations

from django.apps import AppConfig


class AdvisingConfig(AppConfig):
    name = "advising"
    verbose_name = "Advising"

    def ready(self) -> None:
        from advising import demo, exporters, selectors
        from assessments.plans.queries import register_page_annotation
        from programs.signals import demo_users_ready

        exporters.register()
        register_page_annotation("has_advisor_comments", selectors.plan_has_comments)
        register_page_annotation("has_advisor_review", selectors.plan_has_review)
        demo_users_ready.connect(demo.add_demo_review, dispatch_uid="advising.demo_review")
