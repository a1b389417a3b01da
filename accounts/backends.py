"""Django's ModelBackend, with the per-request user load also answering ``User.is_advisor``.

Every signed-in request loads its user and the navigation then asks whether they advise:
with the stock backend that is a second query on every page. Here the load annotates the
flag, so the two are one query.

The flag is a ``RawSQL`` EXISTS, not ``Exists(queryset)``: compiling the ORM subquery costs
more than the rest of the load. ``scripts/bench_micro.py`` prints the four ways per load (7
December 2026, 23:00 UTC, benchmark database): ``Exists`` 1.39 ms of CPU and 1.86 ms of
wall time, this ``RawSQL`` 0.70 and 1.04, a plain ``get(pk=...)`` 0.49 and 0.65, and the
plain get with a second query for the flag 1.10 and 1.51. Every signed-in page loads its
user; a warm plan page costs 6-9 ms. ``tests/accounts/test_backends.py`` checks the flag
against the groups.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from accounts.models import ADVISORS_GROUP


def _advisor_flag(model: Any) -> RawSQL:
    q = connection.ops.quote_name
    membership = model.groups.through._meta
    user_column = membership.get_field(model._meta.model_name).column
    group_column = membership.get_field("group").column
    groups = Group._meta
    # Table and column names from the models, quoted; the group name is a parameter.
    sql = (
        f"EXISTS (SELECT 1 FROM {q(membership.db_table)} m"  # noqa: S608  # nosec B608
        f" JOIN {q(groups.db_table)} g ON g.{q(groups.pk.column)} = m.{q(group_column)}"
        f" WHERE m.{q(user_column)} = {q(model._meta.db_table)}.{q(model._meta.pk.column)}"
        f" AND g.{q('name')} = %s)"
    )
    return RawSQL(sql, (ADVISORS_GROUP,), output_field=BooleanField())  # noqa: S611  # nosec B611


class ModelBackend(backends.ModelBackend):
    """Logs in exactly as Django's ModelBackend does."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            # The annotation fills the cached_property User.is_advisor.
            user = model._default_manager.annotate(is_advisor=_advisor_flag(model)).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
