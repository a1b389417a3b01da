from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from programs.models import Program, fictional_sources

DEMO_CACHE_KEY = "programs:demo-present"
DEMO_NOTICE = (
    "Demo data: the programs in this catalog are fictional and exist only to show how "
    "MatchPlan works. Do not use them to apply."
)


def demo_data_present() -> bool:
    """Whether fictional programs (demo or generated) are in the catalog.

    Cached briefly: the answer changes only when demo data is loaded or removed, and
    the commands that do so clear the key.
    """
    present = cache.get(DEMO_CACHE_KEY)
    if present is None:
        present = Program.objects.filter(source__in=fictional_sources()).exists()
        cache.set(DEMO_CACHE_KEY, present, 60)
    return present


def demo_notice(request: HttpRequest) -> dict[str, Any]:
    """Tell every page (Django admin included) whether the demo notice shows. Lazy, as
    Django's own ``auth`` context processor is: only the page shell reads it, so an htmx
    fragment (a wizard step, a page of programs, a what-if) makes no cache read for it."""
    return {"demo_data_present": SimpleLazyObject(demo_data_present)}
