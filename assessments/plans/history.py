"""The history page: each plan with what it was made from and what changed since the one before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import Q, Subquery

from assessments.models import Plan
from assessments.plans.compare import profile_changes
from assessments.profile import PracticeScore, Step2CK


@dataclass(frozen=True)
class HistoryRow:
    plan: Plan
    step2ck: str  # the score, or the latest practice score marked as such
    changes: list[str]  # empty: the same answers as the plan before
    first: bool  # no older plan to compare with


def _score_word(profile: Any) -> str:
    step2 = profile.get("step2ck") if isinstance(profile, dict) else None
    if not isinstance(step2, dict):
        return "—"
    if step2.get("score"):
        return str(step2["score"])
    latest = _latest_practice(step2.get("practice_scores") or [])
    return f"{latest} (practice)" if latest is not None else "not taken"


def _latest_practice(practice: list[Any]) -> Any:
    """The latest practice score as the engine picks it (profile.Step2CK.latest_practice),
    from the stored answers (a score, or {score, date})."""
    scores = []
    for item in practice:
        score, date = (
            (item.get("score"), item.get("date")) if isinstance(item, dict) else (item, None)
        )
        if score is None:
            continue
        try:
            when = dt.date.fromisoformat(str(date)) if date else None
        except ValueError:
            when = None
        scores.append(PracticeScore(score=score, date=when))
    latest = Step2CK(practice_scores=tuple(scores)).latest_practice
    return latest.score if latest is not None else None


def history_rows(plans_page: Page) -> list[HistoryRow]:
    """The history page's rows: each plan of the page with its Step 2 CK answer and what
    changed since the plan made before it. One query reads the answers of the page's plans
    and of the plan made just before the page's last (the list itself leaves the answers out),
    matched to them by primary key: a plan made or deleted meanwhile moves no answer to
    another plan's row."""
    page_plans = list(plans_page.object_list)
    if not page_plans:
        return []
    queryset = plans_page.paginator.object_list
    last = page_plans[-1]
    # The order of plans_of: newest first, ties by id.
    older = queryset.filter(
        Q(created_at__lt=last.created_at) | Q(created_at=last.created_at, pk__lt=last.pk)
    ).order_by("-created_at", "-pk")
    page_pks = [p.pk for p in page_plans]
    wanted = Q(pk__in=page_pks) | Q(pk=Subquery(older.values("pk")[:1]))
    profiles = dict(queryset.filter(wanted).order_by().values_list("pk", "profile"))
    older_pk = next((pk for pk in profiles if pk not in page_pks), None)
    befores = [*page_pks[1:], older_pk]
    rows = []
    for plan, before_pk in zip(page_plans, befores, strict=True):
        profile = profiles.get(plan.pk, {})
        before = profiles.get(before_pk) if before_pk is not None else None
        rows.append(
            HistoryRow(
                plan=plan,
                step2ck=_score_word(profile),
                changes=profile_changes(before, profile) if before is not None else [],
                first=before is None,
            )
        )
    return rows
