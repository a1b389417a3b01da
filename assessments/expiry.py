"""Expiry of unclaimed anonymous work: drafts and plans that no account owns.

An anonymous visitor reaches their draft and plans only through tokens kept in their
session. Sessions last SESSION_COOKIE_AGE (two weeks); after ANONYMOUS_WORK_MAX_AGE_DAYS
(30 by default, longer than any session) nobody can open the work any more, and it only
costs storage (a plan holds a snapshot of the catalog). Sign-ups never confirmed (their
link expired after PASSWORD_RESET_TIMEOUT, three days) go after the same time.
``manage.py expire_anonymous`` runs this from cron, and then deletes the catalog snapshots
that no plan uses any more (unused_snapshots_delete).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from accounts.services import unconfirmed_signups_expire
from assessments import selectors
from assessments.models import AssessmentDraft, CatalogSnapshot, Plan
from assessments.plan_store import facts_columns, facts_digest

BATCH_SIZE = 500


@dataclass(frozen=True)
class ExpiryResult:
    cutoff: dt.datetime
    drafts: int
    plans: int
    signups: int = 0
    snapshots: int = 0


def _expired_drafts(cutoff: dt.datetime) -> QuerySet[AssessmentDraft]:
    return AssessmentDraft.objects.filter(owner__isnull=True, updated_at__lt=cutoff)


def _expired_plans(cutoff: dt.datetime) -> QuerySet[Plan]:
    return Plan.objects.filter(owner__isnull=True, created_at__lt=cutoff)


def _delete_in_batches(queryset: QuerySet[Model], batch_size: int) -> int:
    """Delete in short transactions so no run holds locks for long. The filter is applied
    again in each DELETE: a plan claimed by a sign-up meanwhile (owner set) is kept."""
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        with transaction.atomic():
            _total, per_model = queryset.filter(pk__in=ids).delete()
        deleted += per_model.get(queryset.model._meta.label, 0)


def anonymous_work_expire(
    *,
    now: dt.datetime | None = None,
    days: int | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ExpiryResult:
    """Delete anonymous drafts not changed and anonymous plans not claimed for ``days``
    (ANONYMOUS_WORK_MAX_AGE_DAYS). Safe to run at any time and more than once at once."""
    days = settings.ANONYMOUS_WORK_MAX_AGE_DAYS if days is None else days
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    signups = unconfirmed_signups_expire(cutoff=cutoff, dry_run=dry_run)
    if dry_run:
        return ExpiryResult(
            cutoff=cutoff,
            drafts=_expired_drafts(cutoff).count(),
            plans=_expired_plans(cutoff).count(),
            signups=signups,
            # as the real run finds them: after the expired plans are gone
            snapshots=_unused_snapshots(
                kept_plans=Plan.objects.exclude(pk__in=_expired_plans(cutoff).values("pk"))
            ).count(),
        )
    drafts = _delete_in_batches(_expired_drafts(cutoff), batch_size)
    plans = _delete_in_batches(_expired_plans(cutoff), batch_size)
    return ExpiryResult(
        cutoff=cutoff,
        drafts=drafts,
        plans=plans,
        signups=signups,
        snapshots=unused_snapshots_delete(),
    )


# --- catalog snapshots no plan uses ---------------------------------------------------------


def _unused_snapshots(kept_plans: QuerySet[Plan] | None = None) -> QuerySet[CatalogSnapshot]:
    """Snapshots no plan's program lists use (no plan of ``kept_plans``, when given), except
    each specialty's snapshot of today's catalog: a plan made now shares that one (its id may
    wait in the shared cache, plan_store.snapshot_ids), so it stays however many plans use
    it."""
    if kept_plans is None:
        unused = CatalogSnapshot.objects.filter(plan_lists__isnull=True)
    else:
        unused = CatalogSnapshot.objects.exclude(plan_lists__plan__in=kept_plans)
    codes = sorted(set(unused.values_list("specialty_code", flat=True)))
    if not codes:
        return unused
    catalog = selectors.catalog_facts(codes)
    today = [(code, facts_digest(facts_columns(catalog.by_code.get(code, ())))) for code in codes]
    for code, digest in today:
        unused = unused.exclude(specialty_code=code, digest=digest)
    return unused


def unused_snapshots_delete() -> int:
    """Delete the catalog snapshots that plans deleted or expired left unused (plans share a
    snapshot per specialty and catalog state: plan_store). Returns how many went.

    A snapshot of an earlier catalog state is only ever used again by a plan made from facts
    read before a catalog edit, in the instant of that edit: such a plan fails to save and
    can be generated again."""
    return _unused_snapshots().delete()[1].get(CatalogSnapshot._meta.label, 0)
