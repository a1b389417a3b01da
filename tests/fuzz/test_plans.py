"""Hostile input to the saved-plan pages: the what-if panel (htmx and plain), the program
table's filters, the CSV export, the history and the comparison; and plans whose stored
snapshot is garbage (an older engine's, or tampered with)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db.models import JSONField, Value
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Plan
from assessments.plans.table import SORTS, VISA_FILTERS
from assessments.plans.view import plan_view_cache_clear
from assessments.plans.words import FIT_WORDS
from tests.factories import UserFactory, em_programs, make_plan
from tests.fuzz.strategies import (
    FUZZ,
    FUZZ_FEW,
    assert_not_500,
    form_data,
    form_errors,
    hostile_text,
    json_values,
    logged_in,
    new_client,
    one_of_valid,
    rolled_back,
    short_text,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def owner() -> Any:
    return UserFactory()


@pytest.fixture
def plan(owner: Any) -> Plan:
    em_programs(4)
    em_programs(2, state="TX", j1="no", h1b="yes")
    return make_plan(owner)


def _snapshot() -> list[tuple[Any, ...]]:
    return list(
        Plan.objects.order_by("pk").values_list("pk", "owner_id", "tier", "profile", "output")
    )


whatif_data = form_data(
    {
        "step2ck_score": st.one_of(
            st.integers(min_value=-5, max_value=305).map(str), one_of_valid("")
        ),
        "visa": one_of_valid("j1", "h1b", "either", "none"),
        "specialty": one_of_valid("EM", "IM", "FM", "GS-PRELIM", "TY"),
    }
)


@given(data=whatif_data, htmx=st.booleans())
@FUZZ
def test_what_if_never_fails_and_never_saves(
    owner: Any, plan: Plan, data: dict[str, Any], htmx: bool
) -> None:
    before = _snapshot()
    client = logged_in(owner)

    response = client.post(
        reverse("assessments:plan_whatif", args=[plan.token]), data, **(HX if htmx else {})
    )

    assert_not_500(response, 200)
    assert _snapshot() == before  # no plan created, none changed
    html = response.content.decode()
    if form_errors(response, "whatif_form"):
        assert "What-if result" not in html
    else:
        assert "What-if result" in html
    assert ("<html" in html) is not htmx


program_filters = form_data(
    {
        "q": one_of_valid("Testville", "program", "NY", ""),
        "fit": one_of_valid(*FIT_WORDS),
        "specialty": one_of_valid("EM", "IM"),
        "state": one_of_valid("NY", "TX", "CA"),
        "visa": one_of_valid(*VISA_FILTERS),
        "sort": one_of_valid(*SORTS),
        "dir": one_of_valid("desc", ""),
        "page": st.integers(min_value=-2, max_value=5).map(str),
    }
)


@given(params=program_filters, htmx=st.booleans())
@FUZZ
def test_the_plan_pages_program_filters_never_fail(
    owner: Any, plan: Plan, params: dict[str, Any], htmx: bool
) -> None:
    client = logged_in(owner)
    url = reverse("assessments:plan_detail", args=[plan.token])

    response = client.get(url, params, **(HX if htmx else {}))

    assert_not_500(response, 200)
    assert ("<html" in response.content.decode()) is not htmx


@given(params=program_filters)
@FUZZ_FEW
def test_the_csv_export_with_any_filters_never_fails(
    owner: Any, plan: Plan, params: dict[str, Any]
) -> None:
    response = logged_in(owner).get(reverse("assessments:plan_csv", args=[plan.token]), params)

    assert_not_500(response, 200)
    assert response["Content-Type"].startswith("text/csv")


@given(
    a=st.one_of(hostile_text, st.uuids().map(str)),
    b=st.one_of(hostile_text, st.uuids().map(str)),
    page=hostile_text,
    use_real=st.sampled_from(["none", "a", "b", "both"]),
)
@FUZZ_FEW
def test_history_and_comparison_never_fail(
    owner: Any, plan: Plan, a: str, b: str, page: str, use_real: str
) -> None:
    client = logged_in(owner)
    token = str(plan.token)
    params = {
        "a": token if use_real in ("a", "both") else a,
        "b": token if use_real in ("b", "both") else b,
    }

    assert_not_500(client.get(reverse("assessments:plan_compare"), params), 200)
    assert_not_500(client.get(reverse("assessments:plan_list"), {"page": page}), 200)


@given(token=st.one_of(short_text, st.uuids().map(str)))
@FUZZ_FEW
def test_a_hostile_plan_token_in_the_url_never_fails(token: str) -> None:
    client = new_client()
    for path in (f"/plans/{token}/", f"/plans/{token}/programs.csv"):
        assert_not_500(client.get(path))
    assert_not_500(client.post(f"/plans/{token}/what-if/", {"visa": "j1"}))


# --- a snapshot from an older engine, or tampered with -------------------------------------


@st.composite
def corrupted_snapshot(draw: st.DrawFn, base: dict[str, Any]) -> Any:
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(json_values)
    data = copy.deepcopy(base)
    keys = sorted(data) + ["junk"]
    for key in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True)):
        value = data.get(key)
        if isinstance(value, list) and value and draw(st.booleans()):
            # One entry of a list (a program, a flag, an action) goes bad.
            index = draw(st.integers(min_value=0, max_value=len(value) - 1))
            entry = value[index]
            if isinstance(entry, dict) and entry and draw(st.booleans()):
                inner = draw(st.sampled_from(sorted(entry)))
                entry[inner] = draw(json_values)
            else:
                value[index] = draw(json_values)
        elif draw(st.booleans()):
            data.pop(key, None)
        else:
            data[key] = draw(json_values)
    return data


def _json(value: Any) -> Any:
    # Python's None would be SQL NULL, which the column refuses; JSON null is what a
    # tampered row can hold.
    return Value(None, JSONField()) if value is None else value


@given(st.data())
@FUZZ_FEW  # each example opens eleven pages
def test_a_plan_with_a_corrupted_snapshot_never_fails_its_pages(
    owner: Any, plan: Plan, data: st.DataObject
) -> None:
    other = (
        make_plan(owner, step2ck__score=250)
        if not Plan.objects.filter(owner=owner).exclude(pk=plan.pk).exists()
        else Plan.objects.exclude(pk=plan.pk).get()
    )
    output = data.draw(corrupted_snapshot(plan.output), label="output")
    profile = data.draw(corrupted_snapshot(plan.profile), label="profile")
    with rolled_back():
        Plan.objects.filter(pk=plan.pk).update(output=_json(output), profile=_json(profile))
        plan_view_cache_clear()
        client = logged_in(owner)
        detail = reverse("assessments:plan_detail", args=[plan.token])

        for url in (
            detail,
            f"{detail}?sort=img&dir=desc&fit=likely&q=a",
            reverse("assessments:plan_csv", args=[plan.token]),
            reverse("assessments:plan_list"),
            reverse("assessments:plan_compare") + f"?a={plan.token}&b={other.token}",
            reverse("assessments:plan_compare") + f"?a={other.token}&b={plan.token}",
            reverse("assessments:home"),
            reverse("accounts:home"),
            reverse("accounts:export"),
        ):
            # follow: a pair chosen newest first is redirected to the oldest-first order
            assert_not_500(client.get(url, follow=True), 200)
        assert_not_500(client.get(detail, **HX), 200)
        whatif = reverse("assessments:plan_whatif", args=[plan.token])
        payload = {"step2ck_score": "250", "visa": "j1", "specialty": "EM"}
        assert_not_500(client.post(whatif, payload, **HX), 200)
        assert_not_500(client.post(whatif, payload), 200)
    plan_view_cache_clear()


def test_regression_comparing_a_plan_whose_output_is_no_object_shows_the_page(
    owner: Any, plan: Plan
) -> None:
    other = make_plan(owner, step2ck__score=250)
    Plan.objects.filter(pk=plan.pk).update(output=["an", "old", "format"])
    url = reverse("assessments:plan_compare")

    for a, b in ((plan, other), (other, plan)):
        response = logged_in(owner).get(url, {"a": a.token, "b": b.token}, follow=True)
        assert response.status_code == 200
        assert response.context["comparison"] is not None
