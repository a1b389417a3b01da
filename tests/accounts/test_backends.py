"""The user load answers User.is_advisor in the same query (accounts.backends)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import ModelBackend
from accounts.models import ADVISORS_GROUP
from tests.factories import AdvisorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_advisor_loads_with_the_flag_set_in_one_query():
    advisor = AdvisorFactory()
    UserFactory()  # another user, in no group

    with CaptureQueriesContext(connection) as context:
        user = ModelBackend().get_user(advisor.pk)
        flag = user.is_advisor

    assert user.pk == advisor.pk
    assert flag is True
    assert len(context.captured_queries) == 1


def test_other_groups_do_not_make_an_advisor():
    user = UserFactory()
    user.groups.add(Group.objects.create(name="Editors"))
    AdvisorFactory()  # an advisor exists, but is somebody else

    loaded = ModelBackend().get_user(user.pk)

    assert loaded.is_advisor is False
    # The same answer as the model's own query.
    assert loaded.is_advisor == user.groups.filter(name=ADVISORS_GROUP).exists()


def test_a_user_who_leaves_the_group_is_no_longer_an_advisor_on_the_next_load():
    advisor = AdvisorFactory()
    advisor.groups.clear()

    assert ModelBackend().get_user(advisor.pk).is_advisor is False


def test_an_inactive_or_missing_user_is_not_loaded():
    inactive = UserFactory(is_active=False)

    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(inactive.pk + 1000) is None
