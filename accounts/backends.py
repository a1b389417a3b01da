"""Django's ModelBackend, with the per-request user load also answering ``User.is_advisor``.

Every signed-in request loads its user and the navigation then asks whether they advise:
with the stock backend that is a second query on every page. Here the load annotates the
flag (an EXISTS subquery), so the two are one query.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends, get_user_model
from django.db.models import Exists, OuterRef

from accounts.models import ADVISORS_GROUP


class ModelBackend(backends.ModelBackend):
    """Logs in exactly as Django's ModelBackend does."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        advises = model.groups.through.objects.filter(
            user_id=OuterRef("pk"), group__name=ADVISORS_GROUP
        )
        try:
            # The annotation fills the cached_property User.is_advisor.
            user = model._default_manager.annotate(is_advisor=Exists(advises)).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
