from __future__ import annotations

from django.apps import AppConfig


class AdvisingConfig(AppConfig):
    name = "advising"
    verbose_name = "Advising"
