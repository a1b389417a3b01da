from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces every app shares: the home page, /healthz, the error pages'
    handler, request guards, the outage middleware, the layout's context and the htmx
    request type.

    core is the bottom layer: it imports no other MatchPlan app (tests/infra/
    test_import_graph.py checks), so any app may import it.
    """

    name = "core"
    verbose_name = "Site"
