"""accounts.backends.UserBackend and accounts.sessions.SessionStore: the per-request loads
must give exactly what Django's ModelBackend and database session store give."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import UserBackend
from accounts.models import ADVISORS_GROUP, User
from accounts.sessions import SessionStore
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_loaded_user_equals_the_orms_field_by_field() -> None:
    user = UserFactory(full_name="Ada Lovelace", is_staff=True)
    user.last_login = timezone.now()
    user.save()
    loaded = UserBackend().get_user(user.pk)
    expected = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert isinstance(loaded.date_joined, dt.datetime)
    assert loaded.is_staff is True
    assert loaded._state.adding is False
    assert loaded._state.db == "default"


def test_advisor_flag_comes_with_the_user_in_one_query() -> None:
    user = UserFactory()
    Group.objects.get_or_create(name=ADVISORS_GROUP)[0].user_set.add(user)
    other = UserFactory()
    Group.objects.get_or_create(name="Something else")[0].user_set.add(other)
    with CaptureQueriesContext(connection) as queries:
        advisor = UserBackend().get_user(user.pk)
        assert advisor.is_advisor is True
        not_advisor = UserBackend().get_user(other.pk)
        assert not_advisor.is_advisor is False
    assert len(queries) == 2


@pytest.mark.parametrize("user_id", [None, "", "abc", "9" * 30, 10**12])
def test_unknown_or_garbled_ids_are_nobody(user_id) -> None:
    UserFactory()
    assert UserBackend().get_user(user_id) is None


def test_inactive_users_are_not_loaded() -> None:
    user = UserFactory(is_active=False)
    assert UserBackend().get_user(user.pk) is None


def test_session_store_reads_what_djangos_store_wrote() -> None:
    store = DjangoStore()
    store["answer"] = {"visa": "j1", "score": 241}
    store.save()
    ours = SessionStore(store.session_key)
    assert ours.load() == {"answer": {"visa": "j1", "score": 241}}
    assert ours.session_key == store.session_key


def test_expired_or_unknown_sessions_start_empty() -> None:
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(1)
    store.save()
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=5)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("nosuchsessionkey1234").load() == {}


def test_signed_in_page_loads_session_and_user_in_two_queries(client) -> None:
    user = UserFactory()
    Group.objects.get_or_create(name=ADVISORS_GROUP)[0].user_set.add(user)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("accounts:password_change")).content.decode()
    # the navigation's advisor link needed no query of its own
    assert f'href="{reverse("advising:dashboard")}"' in html
    sqls = [q["sql"] for q in queries]
    assert len(sqls) == 3, sqls  # the session, the user with its advisor flag, the demo notice
    assert "django_session" in sqls[0]
    assert "accounts_user" in sqls[1] and "auth_group" in sqls[1]


def test_login_with_email_and_password_still_works(client) -> None:
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    assert client.session["_auth_user_backend"] == "accounts.backends.UserBackend"
