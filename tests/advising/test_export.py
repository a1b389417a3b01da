from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from accounts.services import user_export_data
from tests.advising.conftest import World
from tests.factories import CommentFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_the_account_export_holds_advising_data_without_token_digests(world: World) -> None:
    CommentFactory(plan=world.plan_a, author=world.advisor_shared, body="Apply early.")
    ReviewFactory(plan=world.plan_a, reviewer=world.advisor_shared, status="needs_changes")

    applicant = user_export_data(user=world.applicant_a)
    advisor = user_export_data(user=world.advisor_shared)

    advising = applicant["advising"]
    assert advising["advisors_assigned_to_me"][0]["advisor"] == "assigned@example.org"
    assert {s["advisor_email"]: s["status"] for s in advising["my_shares"]} == {
        "shared@example.org": "active",
        "new-advisor@example.org": "invited",
    }
    assert advising["comments_on_my_plans"][0]["body"] == "Apply early."
    assert advising["reviews_of_my_plans"][0]["status"] == "needs_changes"
    assert advisor["advising"]["comments_i_wrote"][0]["body"] == "Apply early."
    assert advisor["advising"]["shares_with_me"][0]["applicant"] == "a@example.org"
    for data in (applicant, advisor):
        text = json.dumps(data, cls=DjangoJSONEncoder)
        assert "token_hash" not in text
        assert world.share.token_hash not in text
        assert "advising.Share" not in data["other"]
