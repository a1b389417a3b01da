from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from advising import services
from advising.models import AdvisorAssignment, Share
from advising.selectors import advisable_applicants, advisable_plans, can_advise
from tests.advising.conftest import World
from tests.factories import AdvisorFactory, PlanFactory, ShareFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_advisable_applicants_combines_assignments_and_active_shares(world: World) -> None:
    advisor = AdvisorFactory()
    assigned, shared, revoked, pending, stranger = UserFactory.create_batch(5)
    AdvisorAssignment.objects.create(advisor=advisor, applicant=assigned)
    ShareFactory(applicant=shared, advisor=advisor)
    ShareFactory(applicant=revoked, advisor=advisor, revoked_at=timezone.now())
    ShareFactory(applicant=pending, advisor=advisor, accepted_at=None)
    # both an assignment and a share: listed once
    ShareFactory(applicant=assigned, advisor=advisor)

    assert list(advisable_applicants(advisor).order_by("pk")) == [assigned, shared]
    assert not can_advise(advisor, stranger)


@pytest.mark.parametrize("role", ["advisor_shared", "advisor_assigned"])
def test_leaving_the_advisors_group_ends_all_access(world: World, role: str) -> None:
    advisor = getattr(world, role)
    assert can_advise(advisor, world.applicant_a)

    advisor.groups.clear()

    assert not advisable_applicants(advisor).exists()
    assert not can_advise(advisor, world.applicant_a)
    assert not advisable_plans(advisor).exists()


def test_advisable_plans_excludes_unsaved_and_other_plans(world: World) -> None:
    PlanFactory(owner=None)
    assert list(advisable_plans(world.advisor_assigned)) == [world.plan_a]


def test_services_refuse_advisors_without_access(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.comment_create(
            plan=world.plan_a, author=world.advisor_unrelated, body="x", base_url=""
        )
    with pytest.raises(PermissionDenied):
        services.review_set_status(plan=world.plan_a, reviewer=world.applicant_a, status="reviewed")
    with pytest.raises(PermissionDenied):
        services.share_revoke(share=world.share, applicant=world.applicant_b)


def test_review_status_must_be_a_known_value(world: World) -> None:
    with pytest.raises(ValidationError):
        services.review_set_status(
            plan=world.plan_a, reviewer=world.advisor_assigned, status="done"
        )


def test_database_allows_one_active_share_per_address(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ShareFactory(applicant=world.applicant_a, advisor=world.advisor_shared)


def test_an_advisor_cannot_be_assigned_to_themselves(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AdvisorAssignment.objects.create(
            advisor=world.advisor_assigned, applicant=world.advisor_assigned
        )


def test_invitation_token_is_stored_only_as_a_digest(world: World) -> None:
    share = services.share_create(
        applicant=world.applicant_b,
        advisor_email="digest@example.org",
        base_url="http://testserver",
    )
    from django.core import mail

    token = mail.outbox[0].body.split("/advising/invitations/")[1].split("/")[0]
    assert len(token) >= 40
    assert token not in share.token_hash
    assert Share.objects.filter(token_hash__contains=token).count() == 0


def test_a_failing_mail_server_shares_nothing(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "tests.advising.broken_mail.Backend"

    with pytest.raises(ValidationError, match="could not send"):
        services.share_create(
            applicant=world.applicant_b, advisor_email="down@example.org", base_url=""
        )

    assert not Share.objects.filter(advisor_email="down@example.org").exists()


def test_a_failing_mail_server_keeps_the_comment(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "tests.advising.broken_mail.Backend"

    comment = services.comment_create(
        plan=world.plan_a, author=world.advisor_assigned, body="Kept.", base_url=""
    )

    assert comment.pk is not None
