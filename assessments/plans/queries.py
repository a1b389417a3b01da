"""Which plans a viewer may open, and the small queries the plan pages need."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet

from assessments.models import Plan

_HEAVY_FIELDS = ("profile", "inputs", "output")
# The plan page reads the small answers (what-if defaults) but never the inputs, and reads the
# output only when its parsed view is not cached yet.
_PAGE_DEFERRED = ("inputs", "output")


def plans_of(user: Any) -> QuerySet[Plan]:
    """The user's plans, newest first, without their JSON columns (history, selects)."""
    return Plan.objects.filter(owner=user).defer(*_HEAVY_FIELDS).order_by("-created_at", "-id")


def plan_for_viewer(
    *, user: Any, session_tokens: Iterable[str], token: uuid.UUID | str, page: bool = False
) -> Plan | None:
    """The plan with ``token`` if this viewer may open it, else None.

    An account opens its own plans; anybody opens the not-yet-claimed plans whose tokens
    their session holds (the plans they generated before signing up). The JSON columns are
    deferred but the answers: the page reads the snapshot through :func:`plan_view`, which
    caches it.

    With ``page``, the same query also answers what other apps registered for the full page
    (``PAGE_ANNOTATIONS``): advising's ``has_advisor_comments`` and ``has_advisor_review``,
    so that it reads comments and reviews only where there are some.
    """
    tokens = list(session_tokens)
    allowed = Q(owner__isnull=True, token__in=tokens) if tokens else Q(pk__in=[])
    if getattr(user, "is_authenticated", False):
        allowed |= Q(owner=user)
    queryset = Plan.objects.filter(allowed, token=token).defer(*_PAGE_DEFERRED)
    if page:
        queryset = _with_page_extras(queryset)
    try:
        return queryset.get()  # the token is unique; get() needs no ORDER BY, unlike first()
    except Plan.DoesNotExist:
        return None


# Yes/no answers other apps add to the plan page's one query, as correlated sub-selects:
# name -> a function making the expression. Registered from their AppConfig.ready (advising:
# whether it holds comments or a review for the plan), so assessments imports no app above it.
PAGE_ANNOTATIONS: dict[str, Callable[[], Any]] = {}


def register_page_annotation(name: str, expression: Callable[[], Any]) -> None:
    PAGE_ANNOTATIONS[name] = expression


def _with_page_extras(queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    if not PAGE_ANNOTATIONS:
        return queryset
    return queryset.annotate(**{name: make() for name, make in PAGE_ANNOTATIONS.items()})


# --- small queries the pages need -------------------------------------------------------------


# The answers below change only when an admin edits the catalog or the rules, and a stale
# answer is harmless for a few minutes (a link to a just-deleted program, a new specialty
# missing from the what-if choices), so they are cached briefly instead of queried per view.
CATALOG_CHECK_SECONDS = 120
SPECIALTY_CHOICES_SECONDS = 300


def programs_in_catalog(ids: Iterable[int | None]) -> set[int]:
    """Which of these program ids still exist, to link only to live records (one query,
    cached for a short while per set of ids)."""
    from programs.models import Program

    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return set()
    digest = hashlib.sha256(",".join(map(str, wanted)).encode()).hexdigest()[:32]
    key = f"plans:in-catalog:{digest}"
    found = cache.get(key)
    if found is None:
        found = list(Program.objects.filter(pk__in=wanted).order_by().values_list("pk", flat=True))
        cache.set(key, found, CATALOG_CHECK_SECONDS)
    return set(found)


def whatif_specialty_choices() -> list[tuple[str, str]]:
    """Specialties the engine has rules for, for the what-if panel (cached briefly)."""
    from assessments.models import SpecialtyRule

    choices = cache.get("plans:whatif-specialties")
    if choices is None:
        rows = SpecialtyRule.objects.order_by("specialty__code").values_list(
            "specialty__code", "specialty__name"
        )
        choices = [(code, f"{name} ({code})") for code, name in rows]
        cache.set("plans:whatif-specialties", choices, SPECIALTY_CHOICES_SECONDS)
    return choices


def json_copy(data: Mapping[str, Any]) -> dict[str, Any]:
    """A deep, JSON-safe copy, as a plan stores its answers (``Plan.profile``): it never shares
    objects with the caller's (a later edit of the draft must not reach into a saved plan)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def plan_with_same_answers(
    *, user: Any, session_tokens: Iterable[str], profile_data: Mapping[str, Any]
) -> Plan | None:
    """The viewer's latest plan made from exactly these answers, if it is among their recent
    ones (then a new plan would repeat it)."""
    wanted = json_copy(profile_data)
    if getattr(user, "is_authenticated", False):
        recent = Plan.objects.filter(owner=user)
    else:
        tokens = list(session_tokens)
        if not tokens:
            return None
        recent = Plan.objects.filter(owner__isnull=True, token__in=tokens)
    for plan in recent.order_by("-created_at", "-id").only("token", "created_at", "profile")[:20]:
        if plan.profile == wanted:
            return plan
    return None
