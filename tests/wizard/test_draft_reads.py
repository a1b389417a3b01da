"""Which draft the wizard reads: a user's latest, or the anonymous one of the session's own
token (never an owned draft by token)."""

from __future__ import annotations

import pytest
from django.db import transaction

from assessments import drafts
from assessments.models import AssessmentDraft
from tests.factories import DraftFactory, UserFactory, complete_answers

pytestmark = pytest.mark.django_db


def orm_latest(user) -> AssessmentDraft | None:
    return AssessmentDraft.objects.filter(owner=user).order_by("-updated_at", "-pk").first()


@pytest.mark.parametrize("lock", [False, True])
def test_a_users_latest_draft_is_the_orms(lock):
    users = [UserFactory() for _ in range(3)]
    for user in users[:2]:
        DraftFactory(owner=user, answers={"country": "Old"})
        DraftFactory(owner=user, answers=complete_answers())

    with transaction.atomic():
        for user in users:
            found = drafts.draft_for_user(user=user, lock=lock)
            expected = orm_latest(user)
            assert (found.pk if found else None) == (expected.pk if expected else None)
            if found is not None:
                assert found.answers == expected.answers
                assert found.updated_at == expected.updated_at
                assert found.owner_id == user.pk


@pytest.mark.parametrize("lock", [False, True])
def test_an_anonymous_draft_is_found_by_its_own_token_only(client, lock):
    mine = DraftFactory(owner=None)
    other = DraftFactory(owner=None, answers={"country": "Elsewhere"})
    owned = DraftFactory(owner=UserFactory())

    def found_with(token):
        session = client.session
        session[drafts.SESSION_DRAFT_KEY] = str(token)
        session.save()
        request = type("Request", (), {})()
        request.user = type("Anonymous", (), {"is_authenticated": False})()
        request.session = client.session
        with transaction.atomic():
            return drafts.draft_for_request(request, lock=lock)

    assert found_with(mine.token).pk == mine.pk
    assert found_with(mine.token).answers == mine.answers
    assert found_with(other.token).pk == other.pk
    assert found_with(owned.token) is None
