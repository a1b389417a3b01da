from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    """Site-wide pieces every app shares: the home page, /healthz, the error pages'
    handler, request guards, the outage middleware, the layout's context and the htmx
    request type.

    core is the bottom layer: it imports no other MatchPlan app (tests/infra/
    test_import_graph.py checks), so any app may import it.
    """

    name = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        if settings.DEBUG:
            from django.utils.autoreload import file_changed

            file_changed.connect(template_edited, dispatch_uid="core.template_edited")


def template_edited(sender: Any, file_path: Path, **kwargs: Any) -> None:
    """Under `make run`, an edited template shows at the next request: the server reloads
    templates without restarting, and the cached fragments drawn from the old one go with
    the local-memory cache (in production a release changes CACHE_KEY_PREFIX, settings.py).
    A Redis cache is left alone: clearing it would empty its whole database, other
    prefixes included; with REDIS_URL set, restart the server after editing a template."""
    if Path(file_path).suffix != ".html":
        return
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
