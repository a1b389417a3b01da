"""Bodies no form expects: JSON, an uploaded file, several values per key, odd methods.
Every endpoint that takes input answers them without a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    DraftFactory,
    ShareFactory,
    UserFactory,
)
from tests.factories import PlanFactory as AdvisingPlanFactory
from tests.fuzz.strategies import (
    FUZZ,
    assert_not_500,
    hostile_text,
    json_values,
    logged_in,
    new_client,
    rolled_back,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoints(db: Any) -> dict[str, Any]:
    applicant = UserFactory()
    DraftFactory(owner=applicant)
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=applicant)
    plan = AdvisingPlanFactory(owner=applicant)
    share = ShareFactory(applicant=applicant)
    return {
        "applicant": applicant,
        "advisor": advisor,
        "paths": {
            "applicant": [
                "/accounts/password/change/",
                "/accounts/delete/",
                "/assessment/background/",
                "/assessment/exams/",
                "/assessment/experience/",
                "/assessment/goals/",
                "/assessment/review/",
                f"/plans/{plan.token}/what-if/",
                "/advising/sharing/",
                f"/advising/sharing/{share.pk}/revoke/",
                "/season/add/",
                "/season/settings/",
                "/season/rank-list/order/",
                "/season/outcome/",
            ],
            "advisor": [
                f"/advising/plans/{plan.pk}/comments/",
                f"/advising/plans/{plan.pk}/status/",
            ],
            "anonymous": [
                "/accounts/signup/",
                "/accounts/login/",
                "/accounts/password/reset/",
                "/assessment/background/",
                "/advising/invitations/some-token/",
            ],
        },
    }


bodies = st.one_of(
    json_values.map(lambda v: ("application/json", json.dumps(v))),
    hostile_text.map(lambda t: ("application/json", t)),
    hostile_text.map(lambda t: ("application/x-www-form-urlencoded", t)),
    hostile_text.map(lambda t: ("text/plain", t)),
    st.just(("multipart/form-data; boundary=nope", "--nope\r\nbroken")),
)


# Each example posts to every endpoint: few examples cover a lot.
ACROSS_ENDPOINTS = settings(FUZZ, max_examples=8)


@given(body=bodies, htmx=st.booleans())
@ACROSS_ENDPOINTS
def test_a_body_no_form_expects_never_fails(
    endpoints: dict[str, Any], body: tuple[str, str], htmx: bool
) -> None:
    content_type, payload = body
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with rolled_back():
        for role, paths in endpoints["paths"].items():
            client = _client(endpoints, role)
            for path in paths:
                response = client.post(path, payload, content_type=content_type, **extra)
                assert_not_500(response)


@given(
    data=st.dictionaries(
        st.sampled_from(["email", "password1", "body", "visa", "country", "_validate"]),
        st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=4)),
        max_size=4,
    ),
    filename=st.text(max_size=30),
    content=st.binary(max_size=200),
)
@ACROSS_ENDPOINTS
def test_an_uploaded_file_where_text_belongs_never_fails(
    endpoints: dict[str, Any], data: dict[str, Any], filename: str, content: bytes
) -> None:
    upload = SimpleUploadedFile(filename.replace("\x00", "") or "f", content)
    with rolled_back():
        for role, paths in endpoints["paths"].items():
            client = _client(endpoints, role)
            for path in paths:
                upload.seek(0)
                assert_not_500(client.post(path, {**data, "country": upload}))


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "trace"])
def test_an_unexpected_method_is_refused_not_a_500(endpoints: dict[str, Any], method: str) -> None:
    for role, paths in endpoints["paths"].items():
        client = _client(endpoints, role)
        for path in paths:
            response = getattr(client, method)(path)
            assert_not_500(response)


def _client(endpoints: dict[str, Any], role: str) -> Client:
    return logged_in(endpoints[role]) if role in endpoints else new_client()
