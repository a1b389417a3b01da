from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from programs.models import Program

DEMO_CACHE_KEY = "programs:demo-present"


def demo_notice(request: HttpRequest) -> dict[str, bool]:
    """Tell every page whether fictional demo programs are in the catalog.

    Cached briefly: the answer changes only when demo data is loaded or removed.
    """
    present = cache.get(DEMO_CACHE_KEY)
    if present is None:
        present = Program.objects.filter(source=settings.DEMO_SOURCE).exists()
        cache.set(DEMO_CACHE_KEY, present, 60)
    return {"demo_data_present": present}
