from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from advising.models import Share
from advising.selectors import token_digest
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    PlanFactory,
    ShareFactory,
    UserFactory,
)

INVITATION_TOKEN = "invitation-token-for-tests"
INVITED_EMAIL = "new-advisor@example.org"


@dataclass
class World:
    """Applicant A (with a plan, an assigned advisor, a sharing advisor and a pending
    invitation), applicant B (with a plan and their own advisor), and a staff user."""

    applicant_a: Any
    applicant_b: Any
    plan_a: Any
    plan_b: Any
    advisor_assigned: Any
    advisor_shared: Any
    advisor_unrelated: Any
    staff: Any
    share: Share
    invitation: Share

    def user(self, role: str) -> Any:
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db: Any) -> World:
    applicant_a = UserFactory(email="a@example.org", full_name="Amal Applicant")
    applicant_b = UserFactory(email="b@example.org", full_name="Bo Applicant")
    advisor_assigned = AdvisorFactory(email="assigned@example.org", full_name="Ada Assigned")
    advisor_shared = AdvisorFactory(email="shared@example.org", full_name="Sam Shared")
    advisor_unrelated = AdvisorFactory(email="other@example.org", full_name="Uma Unrelated")
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    AssignmentFactory(advisor=advisor_assigned, applicant=applicant_a)
    AssignmentFactory(advisor=advisor_unrelated, applicant=applicant_b)
    share = ShareFactory(applicant=applicant_a, advisor=advisor_shared)
    invitation = ShareFactory(
        applicant=applicant_a,
        advisor=None,
        advisor_email=INVITED_EMAIL,
        accepted_at=None,
        token_hash=token_digest(INVITATION_TOKEN),
    )
    return World(
        applicant_a=applicant_a,
        applicant_b=applicant_b,
        plan_a=PlanFactory(owner=applicant_a),
        plan_b=PlanFactory(owner=applicant_b),
        advisor_assigned=advisor_assigned,
        advisor_shared=advisor_shared,
        advisor_unrelated=advisor_unrelated,
        staff=staff,
        share=share,
        invitation=invitation,
    )


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="accounts.backends.ModelBackend")
    return client
