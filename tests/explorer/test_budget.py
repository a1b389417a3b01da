"""Query budget of the explorer: every specialty in one pass, so the count does not grow
with the catalog or the number of specialties shown."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.budgets import conftest
from tests.factories import DraftFactory, ProgramFactory, UserFactory, make_plan, specialty
from tests.fuzz.strategies import logged_in

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def cold_queries(client, url, **extra):  # type: ignore[no-untyped-def]
    """As the budgets' cold path (every cache emptied, the program facts too)."""
    return conftest.cold_queries(client, url, **extra)


def grow_catalog(per_specialty: int) -> None:
    for code in ("EM", "IM", "FM", "RAD", "TY", "GS-PRELIM"):
        ProgramFactory.create_batch(per_specialty, specialty=specialty(code))


def test_the_draft_explorer_costs_a_fixed_number_of_queries() -> None:
    user = UserFactory()
    DraftFactory(owner=user)
    client = logged_in(user)
    pages, partials = [], []
    for size in (1, 15):
        grow_catalog(size)
        pages.append(len(cold_queries(client, "/explore/")))
        partial = "/explore/?sort=-cost&sponsor=on&step2ck_score=250"
        partials.append(len(cold_queries(client, partial, **HX)))

    # session, user, demo notice, the draft; the rules (with dual partners), the fee
    # schedule, the season tables (4, as a plan reads them), the catalog version (the
    # standings' cache key); on a miss the catalog version again and the programs of every
    # specialty (one query). The catalog version is three queries (programs, their history,
    # the specialties); the whole page adds the navigation's advisor check.
    assert len(set(pages)) == 1, pages
    assert pages[0] <= 19, pages
    assert len(set(partials)) == 1, partials
    assert partials[0] <= 18, partials


def test_standings_seen_before_need_no_program_query() -> None:
    user = UserFactory()
    DraftFactory(owner=user)
    client = logged_in(user)
    grow_catalog(3)
    cache.clear()
    assert client.get("/explore/").status_code == 200

    with CaptureQueriesContext(connection) as context:
        response = client.get("/explore/?sort=cost", **HX)

    assert response.status_code == 200
    # The user, the draft and the catalog version (three): rules, fees and seasons come from
    # the cache (assessments.rule_data), the standings too.
    assert len(context.captured_queries) <= 5, [q["sql"][:60] for q in context.captured_queries]
    assert not any('"programs_program"."name"' in q["sql"] for q in context.captured_queries)


def test_a_plans_explorer_costs_a_fixed_number_of_queries() -> None:
    user = UserFactory()
    client = logged_in(user)
    pages, comparisons = [], []
    for size in (1, 15):
        grow_catalog(size)
        plan = make_plan(user)
        url = reverse("assessments:plan_explorer", args=[plan.token])
        pages.append(len(cold_queries(client, url)))
        compare = reverse("assessments:plan_explorer_compare", args=[plan.token])
        comparisons.append(len(cold_queries(client, compare + "?a=IM&b=FM")))

    # the plan instead of the draft
    assert len(set(pages)) == 1, pages
    assert pages[0] <= 19, pages
    assert len(set(comparisons)) == 1, comparisons
    assert comparisons[0] <= 19, comparisons
