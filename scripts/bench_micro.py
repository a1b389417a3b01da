"""The small per-call figures written next to the code, measured again: CPU per call of the
pieces a measured reason stands on. Run against the benchmark database (DATABASE_URL, as
scripts/profile_request.py; with programs and at least one user):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/matchplan_bench_dev \\
        .venv/bin/python scripts/bench_micro.py

It prints one line per figure; nothing here is a pass or fail.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.profile_request import _django


def cpu_ms(work: Callable[[], object], repeat: int) -> float:
    work()
    start = time.process_time()
    for _ in range(repeat):
        work()
    return (time.process_time() - start) / repeat * 1000


def cpu_wall_ms(work: Callable[[], object], repeat: int) -> str:
    """CPU and wall time per call: a query's wall time holds its round trip."""
    work()
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        work()
    cpu = (time.process_time() - start_cpu) / repeat * 1000
    wall = (time.perf_counter() - start) / repeat * 1000
    return f"{cpu:.3f} ms CPU, {wall:.3f} ms wall"


def _flag_queries(user, plan) -> None:
    """The per-request loads whose flags are RawSQL EXISTS (accounts.backends, the plan
    page's query), against the ORM's Exists(queryset) that they replace."""
    from django.contrib.auth.models import Group
    from django.db.models import Exists, OuterRef

    from accounts.backends import ModelBackend
    from accounts.models import ADVISORS_GROUP, User
    from advising.models import PlanComment, PlanReview
    from assessments.models import Plan
    from assessments.plans.queries import plan_for_viewer

    membership = User.groups.through
    backend = ModelBackend()

    def user_with_exists() -> object:
        advises = membership.objects.filter(user_id=OuterRef("pk"), group__name=ADVISORS_GROUP)
        return User.objects.annotate(is_advisor=Exists(advises)).get(pk=user.pk)

    def user_and_second_query() -> object:
        loaded = User.objects.get(pk=user.pk)
        return Group.objects.filter(user=loaded, name=ADVISORS_GROUP).exists()

    print(f"user load, flag as Exists(queryset):     {cpu_wall_ms(user_with_exists, 500)}")
    print(
        f"user load, flag as RawSQL (the backend): {cpu_wall_ms(lambda: backend.get_user(user.pk), 500)}"
    )
    print(
        f"user load, plain get:                    {cpu_wall_ms(lambda: User.objects.get(pk=user.pk), 500)}"
    )
    print(f"user load, flag as a second query:       {cpu_wall_ms(user_and_second_query, 500)}")

    def plan_with_exists() -> object:
        return (
            Plan.objects.filter(owner=plan.owner_id, token=plan.token)
            .defer("inputs", "output")
            .annotate(
                has_advisor_comments=Exists(PlanComment.objects.filter(plan=OuterRef("pk"))),
                has_advisor_review=Exists(PlanReview.objects.filter(plan=OuterRef("pk"))),
            )
            .get()
        )

    def plan_page_query() -> object:
        return plan_for_viewer(user=plan.owner, session_tokens=[], token=plan.token, page=True)

    def plan_without_flags() -> object:
        return plan_for_viewer(user=plan.owner, session_tokens=[], token=plan.token)

    print(f"plan page query, flags as Exists:        {cpu_wall_ms(plan_with_exists, 500)}")
    print(f"plan page query, flags as RawSQL (used): {cpu_wall_ms(plan_page_query, 500)}")
    print(f"plan page query, no flags:               {cpu_wall_ms(plan_without_flags, 500)}")


def main() -> int:
    _django()
    from django.db import connections, router
    from django.urls import reverse

    from accounts.models import User
    from assessments.engine.outputs import Reason
    from core.context_processors import NAV_URLS, navigation
    from programs.models import Specialty
    from programs.selectors import _state_statement, catalog_state

    alias = router.db_for_read(Specialty)

    def state_compiled_each_time() -> None:
        sql, params = _state_statement.__wrapped__(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    print(
        f"catalog_state, query compiled each call: {cpu_ms(state_compiled_each_time, 500):.3f} ms"
    )
    print(f"catalog_state, query compiled once:      {cpu_ms(catalog_state, 500):.3f} ms")

    print(
        "navigation URLs, reversed each request:  "
        f"{cpu_ms(lambda: {k: reverse(n) for k, n in NAV_URLS.items()}, 2000):.3f} ms"
    )
    print(
        f"navigation URLs, reversed once:          {cpu_ms(lambda: navigation(None), 2000):.4f} ms"
    )

    from assessments.models import Plan

    plan = Plan.objects.filter(owner__isnull=False).select_related("owner").order_by("pk").first()
    if plan is not None:
        _flag_queries(plan.owner, plan)

    draft_owner = User.objects.filter(drafts__isnull=False).order_by("pk").first()
    if draft_owner is not None:
        from django.core.cache import cache
        from django.test import RequestFactory

        from assessments.wizard import WizardFlow

        request = RequestFactory().get("/")
        request.user = draft_owner
        flow = WizardFlow(request)
        key = flow.progress_key
        cache.set(key, flow._validate_steps())

        def validate() -> object:
            flow._saved_forms.clear()  # built and validated anew, as on every request
            return flow._validate_steps()

        print(f"wizard progress, four forms validated:   {cpu_ms(validate, 300):.3f} ms")
        print(
            f"wizard progress, read from the cache:    {cpu_ms(lambda: cache.get(key), 300):.3f} ms"
        )

    reasons = [
        Reason("fit_score", f"Your score {i} against its typical", "Program") for i in range(40)
    ]
    items = [reasons[i % 40] for i in range(170_000)]
    by_id = {id(r): 1 for r in reasons}
    by_value = dict.fromkeys(reasons, 1)
    print(
        "170,000 reason look-ups by identity:     "
        f"{cpu_ms(lambda: [by_id.get(id(r)) for r in items], 5):.1f} ms"
    )
    print(
        "170,000 reason look-ups by value:        "
        f"{cpu_ms(lambda: [by_value.get(r) for r in items], 5):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
