"""Per-client rate limits kept in Django's cache (``django.core.cache``).

Counters live in the configured cache, not in the process, so with a shared cache
(Redis) every worker counts against the same limit; with the default local-memory cache
each worker counts on its own, which still bounds one client per worker. A limit is a
fixed window: ``count`` uses per ``seconds``, the window starting on a multiple of
``seconds`` since the epoch, so a client may spend up to twice the count across a window
boundary. Limits are settings (``RATE_LIMITS``, "count/seconds") so that operators can
change them without code. The 429 page says when to try again (``Retry-After``).

A client is the signed-in user, or else the IP address as django-axes reads it (the same
address that log-in throttling uses).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class RateLimit:
    name: str
    count: int
    seconds: int

    @property
    def per_text(self) -> str:
        if self.seconds % 3600 == 0:
            hours = self.seconds // 3600
            return "hour" if hours == 1 else f"{hours} hours"
        minutes = math.ceil(self.seconds / 60)
        return "minute" if minutes == 1 else f"{minutes} minutes"


def rate_limit(name: str) -> RateLimit:
    """The limit called ``name`` in settings.RATE_LIMITS ("count/seconds")."""
    count, seconds = str(settings.RATE_LIMITS[name]).split("/")
    return RateLimit(name=name, count=int(count), seconds=int(seconds))


def ip_client(request: HttpRequest) -> str:
    return f"ip:{get_client_ip_address(request) or 'unknown'}"


def client_of(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return ip_client(request)


def _key(limit: RateLimit, client: str, now: int) -> tuple[str, int]:
    window = now - now % limit.seconds
    digest = hashlib.sha256(client.encode()).hexdigest()[:24]  # no address in cache keys
    return f"ratelimit:{limit.name}:{window}:{digest}", window + limit.seconds - now


def limit_used(*, limit: RateLimit, client: str) -> int | None:
    """Seconds until ``client`` may try again if it has used up ``limit``; None if not."""
    if not settings.RATE_LIMITS_ENABLED:
        return None
    key, remaining = _key(limit, client, int(time.time()))
    used = cache.get(key, 0)
    return max(remaining, 1) if used >= limit.count else None


def limit_hit(*, limit: RateLimit, client: str) -> int | None:
    """Count one use by ``client``. Seconds until it may try again if this use is over
    ``limit`` (the use is refused), None if it is allowed."""
    if not settings.RATE_LIMITS_ENABLED:
        return None
    key, remaining = _key(limit, client, int(time.time()))
    cache.add(key, 0, timeout=remaining + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=remaining + 1)
        used = 1
    return max(remaining, 1) if used > limit.count else None


def slot_acquire(*, name: str, at_once: int, seconds: int = 60) -> bool:
    """Take one of ``at_once`` slots for work that must not run many times at once
    (building a large file). False when all are taken. The count lives in the cache for at
    most ``seconds``, so a worker that died holding a slot frees it by then; with the
    local-memory cache the bound is per worker process, with a shared cache site-wide."""
    if not settings.RATE_LIMITS_ENABLED:
        return True
    key = f"slots:{name}"
    cache.add(key, 0, timeout=seconds)
    try:
        taken = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        taken = 1
    if taken > at_once:
        slot_release(name=name)
        return False
    return True


def slot_release(*, name: str) -> None:
    if not settings.RATE_LIMITS_ENABLED:
        return
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        cache.decr(f"slots:{name}")


def too_many_requests(
    request: HttpRequest,
    *,
    limit: RateLimit,
    retry_after: int,
    what: str,
    password_reset: bool = False,
    busy: bool = False,
    emails: bool = False,
) -> HttpResponse:
    """The 429 page: what was limited and when to try again. For htmx the message replaces
    the page's main region (base.html lets htmx swap a 429)."""
    minutes = max(1, math.ceil(retry_after / 60))
    context = {
        "limit": limit,
        "what": what,
        "retry_after": retry_after,
        "minutes": minutes,
        "password_reset": password_reset,
        "busy": busy,
        # the limit protects inboxes (reset emails), not the site's speed
        "emails": emails,
    }
    htmx = getattr(request, "htmx", False)
    template = "429.html#message" if htmx else "429.html"
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    if htmx:
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "innerHTML"
    return response
