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


def main() -> int:
    _django()
    from django.db import connections, router
    from django.urls import reverse

    from accounts.backends import ModelBackend
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

    user = User.objects.order_by("pk").first()
    if user is not None:
        backend = ModelBackend()
        print(
            "user load with the advisor flag:         "
            f"{cpu_ms(lambda: backend.get_user(user.pk), 500):.3f} ms"
        )
        print(
            "user load, plain get:                    "
            f"{cpu_ms(lambda: User.objects.get(pk=user.pk), 500):.3f} ms"
        )

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
