"""Demo advising data for `manage.py load_demo`: the demo advisor advises the demo applicant."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from advising.models import AdvisorAssignment
from advising.services import advisors_group

DEMO_ADVISOR_EMAIL = "advisor@example.com"
DEMO_APPLICANT_EMAIL = "applicant@example.com"


@transaction.atomic
def ensure_demo_assignment() -> AdvisorAssignment | None:
    """Assign the demo applicant to the demo advisor. Safe to run again; does nothing
    (returns None) while either demo user is missing."""
    users = {
        u.email: u
        for u in get_user_model().objects.filter(
            email__in=[DEMO_ADVISOR_EMAIL, DEMO_APPLICANT_EMAIL]
        )
    }
    advisor = users.get(DEMO_ADVISOR_EMAIL)
    applicant = users.get(DEMO_APPLICANT_EMAIL)
    if advisor is None or applicant is None:
        return None
    advisor.groups.add(advisors_group())
    assignment, _ = AdvisorAssignment.objects.get_or_create(advisor=advisor, applicant=applicant)
    return assignment
