"""Hostile input to advising: sharing, comments, review status, invitations, the dashboard's
filters and the ids in its URLs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from advising.models import PlanComment, PlanReview, ReviewStatus, Share
from advising.selectors import STATUS_NO_PLAN, STATUS_NOT_REVIEWED, token_digest
from assessments.models import Tier
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    PlanFactory,
    ShareFactory,
    UserFactory,
)
from tests.fuzz.strategies import (
    FUZZ,
    FUZZ_FEW,
    assert_not_500,
    form_data,
    form_errors,
    logged_in,
    new_client,
    one_of_valid,
    posted,
    rolled_back,
    short_text,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
TOKEN = "fuzz-invitation-token"
INVITED = "invited-advisor@example.org"
GOOD_PASSWORD = "a-long-unusual-passphrase-42"


@dataclass
class Caseload:
    applicant: Any
    advisor: Any
    plan: Any
    invitation: Share


@pytest.fixture
def caseload(db: Any) -> Caseload:
    applicant = UserFactory(email="applicant@example.org")
    advisor = AdvisorFactory(email="advisor@example.org")
    AssignmentFactory(advisor=advisor, applicant=applicant)
    invitation = ShareFactory(
        applicant=applicant,
        advisor=None,
        advisor_email=INVITED,
        accepted_at=None,
        token_hash=token_digest(TOKEN),
    )
    return Caseload(applicant, advisor, PlanFactory(owner=applicant), invitation)


@given(
    data=form_data(
        {
            "advisor_email": st.one_of(
                one_of_valid("advisor@example.org", "applicant@example.org", INVITED),
                st.emails().filter(lambda e: len(e) <= 254),
            )
        }
    )
)
@FUZZ
def test_sharing_never_fails_and_creates_a_share_only_when_valid(
    caseload: Caseload, data: dict[str, Any]
) -> None:
    with rolled_back():
        before = Share.objects.count()
        mail.outbox.clear()

        response = logged_in(caseload.applicant).post(reverse("advising:sharing"), data)

        assert_not_500(response, 200, 302)
        if response.status_code == 200:
            assert form_errors(response)
            assert Share.objects.count() == before
            assert not mail.outbox
        else:
            assert Share.objects.count() == before + 1


@given(
    data=form_data({"body": one_of_valid("Add two US letters.", "  ok  ", "")}),
    htmx=st.booleans(),
)
@FUZZ
def test_a_comment_never_fails_and_is_saved_whole_or_not_at_all(
    caseload: Caseload, data: dict[str, Any], htmx: bool
) -> None:
    url = reverse("advising:plan_comment", args=[caseload.plan.pk])
    with rolled_back():
        response = logged_in(caseload.advisor).post(url, data, **(HX if htmx else {}))

        assert_not_500(response, 200, 302)
        comments = list(PlanComment.objects.values_list("body", flat=True))
        if comments:
            assert comments == [str(posted(data, "body")).strip()]
            assert response.status_code == (200 if htmx else 302)
        else:
            assert response.status_code == 200
            assert form_errors(response, "comment_form")


@given(
    data=form_data({"status": one_of_valid(*ReviewStatus.values)}),
    htmx=st.booleans(),
)
@FUZZ_FEW
def test_a_review_status_never_fails_and_is_saved_only_when_valid(
    caseload: Caseload, data: dict[str, Any], htmx: bool
) -> None:
    url = reverse("advising:plan_status", args=[caseload.plan.pk])
    with rolled_back():
        response = logged_in(caseload.advisor).post(url, data, **(HX if htmx else {}))

        assert_not_500(response, 200, 302)
        statuses = list(PlanReview.objects.values_list("status", flat=True))
        if posted(data, "status") in ReviewStatus.values:
            assert statuses == [posted(data, "status")]
        else:
            assert statuses == []
            assert form_errors(response, "status_form")


passwords = one_of_valid(GOOD_PASSWORD, "short", "password", INVITED)


@given(
    data=form_data(
        {
            "full_name": one_of_valid("Ada Advisor", ""),
            "password1": passwords,
            "password2": passwords,
        }
    )
)
@FUZZ
def test_an_invitation_sign_up_never_fails_and_creates_the_advisor_only_when_valid(
    caseload: Caseload, data: dict[str, Any]
) -> None:
    url = reverse("advising:invitation", args=[TOKEN])
    with rolled_back():
        users = get_user_model().objects.count()

        response = new_client().post(url, data)

        assert_not_500(response, 200, 302)
        caseload.invitation.refresh_from_db()
        if response.status_code == 200:
            assert form_errors(response)
            assert get_user_model().objects.count() == users
            assert caseload.invitation.accepted_at is None
        else:
            assert get_user_model().objects.filter(email=INVITED).exists()
            assert caseload.invitation.accepted_at is not None


@given(token=short_text, method=st.sampled_from(["get", "post"]))
@FUZZ_FEW
def test_a_hostile_invitation_token_never_fails(
    caseload: Caseload, token: str, method: str
) -> None:
    if not token.strip("/") or "/" in token:
        token = token.replace("/", "") or "x"
    with rolled_back():
        response = getattr(new_client(), method)(f"/advising/invitations/{token}/")
        assert_not_500(response)


@given(
    params=form_data(
        {
            "q": one_of_valid("applicant", "example.org", ""),
            "tier": one_of_valid(*Tier.values),
            "specialty": one_of_valid("EM", "IM"),
            "status": one_of_valid(STATUS_NO_PLAN, STATUS_NOT_REVIEWED, *ReviewStatus.values),
            "page": st.integers(min_value=-2, max_value=4).map(str),
        }
    ),
    htmx=st.booleans(),
)
@FUZZ
def test_the_dashboard_filters_never_fail(
    caseload: Caseload, params: dict[str, Any], htmx: bool
) -> None:
    response = logged_in(caseload.advisor).get(
        reverse("advising:dashboard"), params, **(HX if htmx else {})
    )

    assert_not_500(response, 200)
    assert ("<html" in response.content.decode()) is not htmx


@given(pk=st.integers(min_value=0, max_value=10**30))
@settings(FUZZ, max_examples=10)
def test_hostile_ids_in_advising_urls_never_fail(caseload: Caseload, pk: int) -> None:
    advisor, applicant = logged_in(caseload.advisor), logged_in(caseload.applicant)
    with rolled_back():
        assert_not_500(advisor.get(f"/advising/plans/{pk}/"))
        assert_not_500(advisor.post(f"/advising/plans/{pk}/comments/", {"body": "Hi"}))
        assert_not_500(advisor.post(f"/advising/plans/{pk}/status/", {"status": "reviewed"}))
        assert_not_500(applicant.post(f"/advising/sharing/{pk}/revoke/"))
        assert_not_500(new_client().get(f"/programs/{pk}/"))


def test_regression_an_empty_invitation_sign_up_post_names_the_missing_fields(
    caseload: Caseload,
) -> None:
    response = new_client().post(reverse("advising:invitation", args=[TOKEN]), {})

    assert response.status_code == 200
    assert {"password1", "password2"} <= set(form_errors(response))
    assert not get_user_model().objects.filter(email=INVITED).exists()


def test_regression_an_empty_share_post_asks_for_the_address(caseload: Caseload) -> None:
    response = logged_in(caseload.applicant).post(reverse("advising:sharing"), {})

    assert response.status_code == 200
    assert set(form_errors(response)) == {"advisor_email"}
    assert Share.objects.count() == 1  # the fixture's invitation only
