from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import ADVISORS_GROUP, User
from advising.models import AdvisorAssignment, PlanComment, PlanReview, ReviewStatus, Share
from advising.selectors import token_digest
from assessments.models import Plan

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Applicant {n}")
    password = factory.django.Password(PASSWORD)


class AdvisorFactory(UserFactory):
    email = factory.Sequence(lambda n: f"advisor{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Advisor {n}")

    @factory.post_generation
    def advisor_group(obj, create, extracted, **kwargs):
        if create:
            # get_or_create: transactional tests flush the group the migration made
            obj.groups.add(Group.objects.get_or_create(name=ADVISORS_GROUP)[0])


def minimal_output(*, tier: str = "viable", red_flags: int = 2) -> dict:
    return {
        "tier": tier,
        "red_flags": [
            {"code": f"flag_{i}", "severity": "high", "message": f"Red flag number {i}."}
            for i in range(red_flags)
        ],
        "applications": {"min": 60, "max": 80, "estimated_cost_usd": 2130},
        "dual_apply": {
            "recommended": True,
            "specialties": ["IM"],
            "reason": "Apply to IM as well.",
        },
        "backups": [],
        "timeline": [],
        "actions": [],
        "programs": [{"id": 1, "name": "Demo program", "fit": "target", "reasons": []}],
        "excluded": {"visa_not_sponsored": 3},
        "engine_version": "test",
    }


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    owner = factory.SubFactory(UserFactory)
    engine_version = "test"
    specialty_code = "EM"
    tier = "viable"
    red_flag_count = 2
    profile = factory.LazyFunction(dict)
    inputs = factory.LazyFunction(dict)
    output = factory.LazyAttribute(
        lambda o: minimal_output(tier=o.tier, red_flags=o.red_flag_count)
    )


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisorAssignment

    advisor = factory.SubFactory(AdvisorFactory)
    applicant = factory.SubFactory(UserFactory)


class ShareFactory(factory.django.DjangoModelFactory):
    """An accepted share, unless built with `advisor=None, accepted_at=None`."""

    class Meta:
        model = Share

    class Params:
        token = factory.Sequence(lambda n: f"test-token-{n}")

    applicant = factory.SubFactory(UserFactory)
    advisor = factory.SubFactory(AdvisorFactory)
    advisor_email = factory.LazyAttribute(
        lambda o: o.advisor.email if o.advisor else "invited@example.org"
    )
    token_hash = factory.LazyAttribute(lambda o: token_digest(o.token))
    accepted_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanComment

    plan = factory.SubFactory(PlanFactory)
    author = factory.SubFactory(AdvisorFactory)
    body = "Looks solid; add two more US letters."


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanReview

    plan = factory.SubFactory(PlanFactory)
    reviewer = factory.SubFactory(AdvisorFactory)
    status = ReviewStatus.REVIEWED
