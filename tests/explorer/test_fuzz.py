"""The explorer never answers 500: odd query strings, odd pick bodies, tampered answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import AssessmentDraft
from tests.factories import DraftFactory, UserFactory, complete_answers
from tests.fuzz.strategies import (
    FUZZ,
    FUZZ_FEW,
    assert_not_500,
    form_data,
    json_values,
    logged_in,
    one_of_valid,
    rolled_back,
)

pytestmark = pytest.mark.django_db

QUERY = form_data(
    {
        "sort": one_of_valid("cost", "-likely", "chances", "signals", "-start"),
        "step2ck_score": one_of_valid("240", "199", "300", "-5", "2e3"),
        "visa": one_of_valid("j1", "h1b", "either", "none", "J1"),
        "sponsor": one_of_valid("on", "1", "false"),
        "preferred": one_of_valid("on", ""),
        "a": one_of_valid("IM", "FM", "NOPE"),
        "b": one_of_valid("IM", "RAD", ""),
    }
)


@pytest.fixture
def applicant(db: Any) -> Any:
    user = UserFactory()
    DraftFactory(owner=user)
    return user


@FUZZ
@given(query=QUERY, htmx=st.booleans())
def test_any_query_string_is_answered(applicant: Any, query: dict, htmx: bool) -> None:
    client = logged_in(applicant)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for url in ("/explore/", "/explore/compare/"):
        assert_not_500(client.get(url, query, **extra), 200, 400)  # 400: NUL guard


@FUZZ
@given(body=form_data({"pick": one_of_valid("IM:primary", "FM:backup", "EM:backup", "x:y")}))
def test_any_pick_body_is_answered(applicant: Any, body: dict) -> None:
    with rolled_back():
        response = logged_in(applicant).post("/explore/pick/", body)
        assert_not_500(response, 200, 302, 400)


@FUZZ_FEW
@given(
    key=st.sampled_from(
        ["specialty", "backup_specialties", "preferred_states", "step2ck", "visa", "step1"]
    ),
    value=json_values,
)
def test_tampered_answers_are_answered(applicant: Any, key: str, value: Any) -> None:
    with rolled_back():
        draft = AssessmentDraft.objects.get(owner=applicant)
        draft.answers = {**complete_answers(), key: value}
        draft.save()
        client = logged_in(applicant)
        assert_not_500(client.get("/explore/?preferred=on&sponsor=on"), 200)
        assert_not_500(client.post("/explore/pick/", {"pick": "IM:backup"}), 200, 302)
