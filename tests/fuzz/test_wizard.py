"""Hostile input to the wizard: every step's POST (submit, live field check, region refresh,
with and without htmx), and a review whose saved draft is garbage."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.db.models import JSONField, Value
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from assessments.forms import (
    OET_CHOICES,
    STEP1_RESULT_CHOICES,
    STEP3_RESULT_CHOICES,
    VISA_CHOICES,
    application_years,
)
from assessments.models import AssessmentDraft, Plan
from assessments.wizard import STEPS, FormStep
from programs.models import US_STATE_CODES, ProgramType
from tests.factories import DraftFactory, UserFactory, complete_answers, step_post_data
from tests.fuzz.strategies import (
    FUZZ,
    FUZZ_FEW,
    assert_not_500,
    form_data,
    form_errors,
    hostile_text,
    json_text,
    json_values,
    logged_in,
    new_client,
    one_of_valid,
    rolled_back,
)
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
SPECIALTIES = ["EM", "IM", "FM", "PEDS", "PSYCH", "GS-PRELIM", "TY"]


def _values(choices: list[tuple[str, str]]) -> st.SearchStrategy[str]:
    return one_of_valid(*(value for value, _label in choices))


def _numbers(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(min_value=low - 2, max_value=high + 2).map(str)


def _dates(days_back: int, days_ahead: int) -> st.SearchStrategy[str]:
    return st.integers(min_value=-days_back, max_value=days_ahead).map(
        lambda days: (TODAY + dt.timedelta(days=days)).isoformat()
    )


yes_no = one_of_valid("yes", "no")
months = st.one_of(_numbers(0, 60), one_of_valid("1.5", "0.5", "2.25", "-0.5", "60.0"))

STEP_FIELDS: dict[str, dict[str, st.SearchStrategy[Any] | None]] = {
    "background": {
        "country": one_of_valid("India", "Nigeria", "São Tomé", "  "),
        "graduation_year": _numbers(TODAY.year - 8, TODAY.year + 1),
        "visa": _values(VISA_CHOICES),
        "ecfmg_certified": yes_no,
        "oet": _values(OET_CHOICES),
    },
    "exams": {
        "step1_result": _values(STEP1_RESULT_CHOICES),
        "step1_attempts": _numbers(1, 4),
        "step1_score": _numbers(1, 300),
        "step2ck_taken": yes_no,
        "step2ck_score": _numbers(180, 300),
        "step2ck_test_date": _dates(8000, 30),
        "step2ck_attempts": _numbers(1, 4),
        "step2ck_planned_date": _dates(100, 3000),
        "practice_score_1": _numbers(1, 300),
        "practice_score_2": _numbers(1, 300),
        "practice_score_3": _numbers(1, 300),
        "step3_result": _values(STEP3_RESULT_CHOICES),
    },
    "experience": {
        "usce_hands_on_months": months,
        "observership_months": months,
        "specialty_months": months,
        "us_letters": _numbers(0, 20),
        "sloes": _numbers(0, 10),
        "publications": _numbers(0, 500),
        "presentations": _numbers(0, 500),
        "specialty_experience_years": months,
    },
    "goals": {
        "specialty": one_of_valid(*SPECIALTIES),
        "backup_specialties": st.lists(one_of_valid(*SPECIALTIES), max_size=5),
        "application_year": st.sampled_from(application_years(TODAY) + [TODAY.year - 3]).map(str),
        "preferred_states": st.lists(one_of_valid(*sorted(US_STATE_CODES)), max_size=4),
        "program_types": st.lists(one_of_valid(*ProgramType.values), max_size=3),
        "budget_usd": _numbers(0, 100_000),
    },
}
FORM_STEPS = {step.name: step for step in STEPS if isinstance(step, FormStep)}


def _control(step: str) -> st.SearchStrategy[dict[str, Any]]:
    """The keys htmx adds (hx-vals) to a field check or a region refresh, or to come back
    to the review: real field names, and hostile ones."""
    names = one_of_valid(*STEP_FIELDS[step])
    return st.one_of(
        st.just({}),
        st.fixed_dictionaries({"_validate": st.one_of(names, hostile_text)}),
        st.fixed_dictionaries({"_refresh": st.one_of(names, hostile_text)}),
        st.just({"return": "review"}),
        st.fixed_dictionaries({"return": hostile_text}),
    )


def _submission(step: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda data, control: {**data, **control}, form_data(STEP_FIELDS[step]), _control(step)
    )


def _saved(response: Any) -> bool:
    return response.status_code == 302 or "HX-Location" in response


def _check_step_post(
    step: str, client: Client, draft_before: dict[str, Any] | None, data: dict, htmx: bool
) -> None:
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    drafts_before = AssessmentDraft.objects.count()

    response = client.post(step_url(step), data, **extra)

    assert_not_500(response, 200, 204, 302)
    draft = AssessmentDraft.objects.order_by("-updated_at", "-pk").first()
    checking = "_validate" in data or "_refresh" in data
    if checking or not _saved(response):
        # Nothing saved: the draft's earlier answers are exactly as they were.
        assert AssessmentDraft.objects.count() == drafts_before
        assert (draft.answers if draft else None) == draft_before
        if not checking:
            assert response.status_code == 200
            assert form_errors(response), "a refused step must show its errors"
    else:
        # Saved: what the form accepted reads back as a completed step (no half-written
        # answers that the next visit would reject), and the other steps' answers stay.
        assert draft is not None
        assert FORM_STEPS[step].is_completed(draft, today=TODAY)
        if draft_before:
            keys = set(FORM_STEPS[step].form_class.answer_keys)
            assert {k: v for k, v in draft.answers.items() if k not in keys} == {
                k: v for k, v in draft_before.items() if k not in keys
            }


@pytest.mark.parametrize("step", list(STEP_FIELDS))
@given(data=st.data(), htmx=st.booleans())
@FUZZ
def test_a_step_post_never_fails_and_never_half_saves(
    step: str, data: st.DataObject, htmx: bool
) -> None:
    submission = data.draw(_submission(step))
    with rolled_back():
        user = UserFactory()
        answers = complete_answers()
        DraftFactory(owner=user, answers=answers)
        _check_step_post(step, logged_in(user), copy.deepcopy(answers), submission, htmx)


@given(data=_submission("background"), htmx=st.booleans())
@FUZZ_FEW
def test_an_anonymous_first_step_creates_a_draft_only_when_valid(data: dict, htmx: bool) -> None:
    with rolled_back():
        _check_step_post("background", new_client(), None, data, htmx)


# --- a draft saved by an older version, or tampered with -----------------------------------

ANSWER_KEYS = sorted(complete_answers())


@st.composite
def corrupted_answers(draw: st.DrawFn) -> Any:
    """A complete draft with some answers replaced by arbitrary JSON, keys dropped or added;
    now and then not even a JSON object."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(json_values)
    answers: dict[str, Any] = complete_answers()
    for key in draw(st.lists(st.sampled_from(ANSWER_KEYS), min_size=1, max_size=4, unique=True)):
        action = draw(st.sampled_from(["replace", "drop", "nested"]))
        if action == "drop":
            answers.pop(key)
        elif action == "nested" and isinstance(answers[key], dict):
            inner = draw(st.sampled_from(sorted(answers[key]) + ["junk"]))
            answers[key][inner] = draw(json_values)
        else:
            answers[key] = draw(json_values)
    for key, value in draw(st.dictionaries(json_text, json_values, max_size=2)).items():
        answers.setdefault(key, value)
    return answers


def _draft_with(user: Any, answers: Any) -> None:
    # Python's None would be SQL NULL, which the column refuses; JSON null is what a
    # tampered row can hold.
    DraftFactory(owner=user, answers=Value(None, JSONField()) if answers is None else answers)


@given(answers=corrupted_answers(), htmx=st.booleans())
@FUZZ
def test_a_corrupted_draft_never_fails_the_wizard(answers: Any, htmx: bool) -> None:
    """Every step opens, and generating either makes a plan or sends the user to a step
    that fixes the answer, with a message; never a 500, never a plan from bad answers."""
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with rolled_back():
        user = UserFactory()
        _draft_with(user, answers)
        client = logged_in(user)

        for step in STEPS:
            assert_not_500(client.get(step_url(step.name), **extra), 200, 302)
        response = client.post(step_url("review"), **extra)

        assert_not_500(response, 200, 302)
        plans = Plan.objects.filter(owner=user)
        location = response.get("Location") or response.get("HX-Redirect") or ""
        if "/plans/" in location:
            assert plans.count() == 1
        else:
            assert not plans.exists()
            if response.status_code == 200 and "HX-Location" not in response:
                assert response.context["profile_errors"], "the review must say what to fix"


@given(answers=corrupted_answers())
@FUZZ_FEW
def test_a_corrupted_draft_never_fails_a_step_post(answers: Any) -> None:
    """Saving a valid step on top of a garbage draft works or is refused, never a 500."""
    with rolled_back():
        user = UserFactory()
        _draft_with(user, answers)
        client = logged_in(user)
        for step in ("background", "exams", "experience", "goals"):
            response = client.post(step_url(step), step_post_data(step))
            assert_not_500(response, 200, 302)


@pytest.mark.parametrize(
    "change",
    [
        lambda answers: ["not", "an", "object"],
        lambda answers: answers | {"backup_specialties": True},
        lambda answers: answers | {"preferred_states": 7, "program_types": {"a": 1}},
        lambda answers: (
            answers | {"step2ck": {**answers["step2ck"], "score": None, "practice_scores": 5}}
        ),
    ],
    ids=["not-an-object", "backups-not-a-list", "states-not-a-list", "practice-not-a-list"],
)
def test_regression_a_draft_with_a_wrong_json_type_opens_instead_of_a_500(change: Any) -> None:
    user = UserFactory()
    _draft_with(user, change(complete_answers()))
    client = logged_in(user)

    for step in STEPS:
        assert client.get(step_url(step.name)).status_code in (200, 302)
    response = client.post(step_url("review"))

    assert not Plan.objects.exists()
    if response.status_code == 200:
        # The forms took the value; the engine did not: the review says where to fix it.
        fix = response.context["profile_errors"][0]["url"]
    else:
        fix = response["Location"]
        assert "/plans/" not in fix
        assert client.get(fix).status_code == 200
    # Saving that step again repairs the draft.
    step = fix.rstrip("/").rsplit("/", 1)[-1]
    assert client.post(step_url(step), step_post_data(step)).status_code == 302
