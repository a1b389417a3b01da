from __future__ import annotations

from typing import Any

import pytest

from advising.demo import DEMO_ADVISOR_EMAIL, DEMO_APPLICANT_EMAIL, ensure_demo_assignment
from advising.models import AdvisorAssignment
from advising.selectors import can_advise
from tests.advising.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_assignment_makes_the_demo_advisor_advise_the_demo_applicant(db: Any) -> None:
    advisor = UserFactory(email=DEMO_ADVISOR_EMAIL)
    applicant = UserFactory(email=DEMO_APPLICANT_EMAIL)

    ensure_demo_assignment()
    ensure_demo_assignment()

    assert AdvisorAssignment.objects.filter(advisor=advisor, applicant=applicant).count() == 1
    assert can_advise(advisor, applicant)


def test_demo_assignment_waits_for_the_demo_users(db: Any) -> None:
    UserFactory(email=DEMO_ADVISOR_EMAIL)

    assert ensure_demo_assignment() is None
    assert not AdvisorAssignment.objects.exists()
