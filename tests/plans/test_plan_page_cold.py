"""The first view of a plan in a process builds the program rows of the page it shows only;
another page, a filter or an order builds the rest then, and a table query seen before is
answered from the cache without the plan's view."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import PlanPrograms
from assessments.plans.reader import plan_output
from assessments.plans.table import PROGRAMS_PER_PAGE, ProgramQuery, matching_rows, program_table
from assessments.plans.view import (
    PlanView,
    ProgramRow,
    _program_row,
    _view_cache,
    build_plan_view,
    plan_view,
    plan_view_cache_clear,
)
from assessments.plans.words import FIT_INDEX
from tests.factories import em_programs, make_plan

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
ROW_NAME = re.compile(
    r'<th scope="row" data-label="Program" class="fw-normal">\s*<(?:a|span)[^>]*>([^<]+)<'
)


@pytest.fixture
def plan(owner):
    em_programs(PROGRAMS_PER_PAGE + 12, h1b="no")
    em_programs(5, state="TX", h1b="yes")
    return make_plan(owner)


@pytest.fixture
def client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def url(plan) -> str:
    return reverse("assessments:plan_detail", args=[plan.token])


# Reference implementations: filtering and sorting built rows, which matching_rows does
# with columns computed from the entries.


def _visa_matches(row: ProgramRow, visa: str) -> bool:
    if visa == "j1":
        return row.j1 == "yes"
    if visa == "h1b":
        return row.h1b == "yes"
    if visa == "either":
        return row.j1 == "yes" or row.h1b == "yes"
    if visa == "unknown":
        return row.j1 == "unknown" and row.h1b == "unknown"
    return True


def programs_filter(rows: Sequence[ProgramRow], query: ProgramQuery) -> list[ProgramRow]:
    needle = query.q.strip().lower()
    out = []
    for row in rows:
        if query.fit and row.fit != query.fit:
            continue
        if query.specialty and row.specialty_code != query.specialty:
            continue
        if query.state and row.state != query.state:
            continue
        if query.visa and not _visa_matches(row, query.visa):
            continue
        if needle and needle not in row.search_text:
            continue
        out.append(row)
    return out


def programs_sort(rows: Sequence[ProgramRow], sort: str, *, desc: bool = False) -> list[ProgramRow]:
    """Sort by ``sort`` (see SORTS), ties in the recommended order in either direction.
    Unknown IMG shares go last in either direction; "img" ascending means the highest share
    first (the useful default)."""
    fit_index = FIT_INDEX
    by_rank = sorted(rows, key=lambda r: r.rank)
    if sort == "fit":
        return sorted(by_rank, key=lambda r: fit_index.get(r.fit, 9), reverse=desc)
    if sort == "name":
        return sorted(by_rank, key=lambda r: r.name.lower(), reverse=desc)
    if sort == "state":
        return sorted(by_rank, key=lambda r: (r.state, r.city.lower()), reverse=desc)
    if sort == "img":
        known = [r for r in by_rank if r.img_share is not None]
        unknown = [r for r in by_rank if r.img_share is None]
        known.sort(key=lambda r: r.img_share or 0, reverse=not desc)
        return known + unknown
    return sorted(rows, key=lambda r: r.rank, reverse=desc)


def every_row(view: PlanView) -> list[ProgramRow]:
    """Every program row, in the stored order."""
    return [view.row(i) for i in range(view.program_total)]


def names_shown(html: str) -> list[str]:
    return ROW_NAME.findall(html)


def expected(plan, **query) -> list[str]:
    """The names a table query shows, from a fully built view (not the cached one)."""
    view = build_plan_view(plan_output(plan), token=str(plan.token), plan=plan)
    rows = programs_sort(
        programs_filter(every_row(view), ProgramQuery(**query)),
        query.get("sort", "rank"),
        desc=query.get("desc", False),
    )
    page = query.get("page", 1)
    return [r.name for r in rows[(page - 1) * PROGRAMS_PER_PAGE : page * PROGRAMS_PER_PAGE]]


def test_the_first_view_builds_the_rows_of_its_page_only(client, plan) -> None:
    response = client.get(url(plan))

    assert response.status_code == 200
    view = plan_view(plan)
    assert sum(row is not None for row in view._built) == PROGRAMS_PER_PAGE
    assert view.program_total == PROGRAMS_PER_PAGE + 17
    assert names_shown(response.content.decode()) == expected(plan)


@pytest.mark.parametrize("htmx", [False, True])
def test_page_two_after_a_cold_first_view_shows_the_next_programs_in_rank_order(
    client, plan, htmx
) -> None:
    client.get(url(plan))

    html = client.get(url(plan) + "?page=2", **(HX if htmx else {})).content.decode()

    shown = names_shown(html)
    assert len(shown) == 17
    assert shown == expected(plan, page=2)
    assert "Showing 51–67 of 67 programs" in html


@pytest.mark.parametrize("htmx", [False, True])
def test_a_filter_and_a_sort_after_a_cold_first_view_show_the_right_rows(
    client, plan, htmx
) -> None:
    client.get(url(plan))
    extra = HX if htmx else {}

    filtered = client.get(url(plan) + "?visa=h1b", **extra).content.decode()
    by_name = client.get(url(plan) + "?sort=name&dir=desc", **extra).content.decode()

    assert names_shown(filtered) == expected(plan, visa="h1b")
    assert len(names_shown(filtered)) == 5
    assert "matching your filters (out of 67)" in filtered
    assert names_shown(by_name) == expected(plan, sort="name", desc=True)


def test_a_table_query_seen_before_is_answered_without_the_plans_view(client, plan) -> None:
    first = client.get(url(plan) + "?state=TX&page=1", **HX).content.decode()
    plan_view_cache_clear()

    with CaptureQueriesContext(connection) as context:
        again = client.get(url(plan) + "?state=TX&page=1", **HX).content.decode()

    assert again == first
    # the session (none once cached_db holds it in the cache), user, the plan; not its
    # output or program lists
    assert len(context.captured_queries) <= 3
    assert not any(PlanPrograms._meta.db_table in q["sql"] for q in context.captured_queries)
    assert names_shown(again) == expected(plan, state="TX")
    assert not _view_cache  # the rows shown and the markup came from the cache


def test_a_page_seen_before_is_drawn_from_its_fragments_without_the_plans_view(
    client, plan
) -> None:
    first = client.get(url(plan) + "?state=TX").content.decode()
    plan_view_cache_clear()

    with CaptureQueriesContext(connection) as context:
        again = client.get(url(plan) + "?state=TX").content.decode()

    csrf = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
    assert csrf.sub("", again) == csrf.sub("", first)
    assert not any(PlanPrograms._meta.db_table in q["sql"] for q in context.captured_queries)
    assert names_shown(again) == expected(plan, state="TX")
    assert not _view_cache  # every part came from its cached fragment


def test_pages_of_one_filter_set_share_the_filter_form_and_it_shows_the_values(
    client, plan
) -> None:
    page_one = client.get(url(plan) + "?state=TX&sort=name").content.decode()
    page_two = client.get(url(plan) + "?state=TX&sort=name&page=2").content.decode()
    bad = client.get(url(plan) + "?fit=nonsense").content.decode()

    form = re.compile(r'<form method="get".*?</form>', re.S)
    assert form.search(page_one).group() == form.search(page_two).group()
    assert '<option value="TX" selected>TX</option>' in page_one
    assert '<option value="name" selected>Program name</option>' in page_one
    assert "Select a valid choice" in bad
    assert "Select a valid choice" not in page_one


@pytest.mark.parametrize(
    ("sort", "expected_desc"),
    [
        ("fit", ["P2", "P4", "P1", "P3"]),  # reach first, each fit's programs by rank
        ("name", ["P2", "P4", "P1", "P3"]),  # "b" then "a", each name's programs by rank
        ("state", ["P2", "P4", "P1", "P3"]),
        ("img", ["P2", "P4", "P1", "P3"]),  # the lower share first
    ],
)
def test_a_descending_sort_keeps_ties_in_the_recommended_order(sort, expected_desc) -> None:
    entries = [
        {"id": 1, "name": "A", "rank": 1, "fit": "likely", "state": "AL", "img_share": 50},
        {"id": 2, "name": "B", "rank": 2, "fit": "reach", "state": "WY", "img_share": 10},
        {"id": 3, "name": "A", "rank": 3, "fit": "likely", "state": "AL", "img_share": 50},
        {"id": 4, "name": "B", "rank": 4, "fit": "reach", "state": "WY", "img_share": 10},
    ]
    view = build_plan_view({"programs": entries})

    def names(desc: bool) -> list[str]:
        rows = matching_rows(view, ProgramQuery(sort=sort, desc=desc))
        return [f"P{r.id}" for r in rows]

    assert names(desc=True) == expected_desc
    assert names(desc=False) == [*expected_desc[2:], *expected_desc[:2]]  # ascending: the same


def test_the_default_order_follows_the_stored_ranks_when_the_list_is_not_in_rank_order() -> None:
    entries = [
        {"id": i, "name": f"P{i}", "rank": rank, "fit": "likely"}
        for i, rank in enumerate([3, 1, 2, 5, 4], start=1)
    ]
    view = build_plan_view({"programs": [*entries, "not a program"]})

    table = program_table(view, ProgramQuery(), per_page=2)
    page_two = program_table(view, ProgramQuery(page=2), per_page=2)

    assert [r.name for r in table.rows] == ["P2", "P3"]
    assert [r.name for r in page_two.rows] == ["P1", "P5"]
    assert view.program_total == 5
    assert [r.rank for r in every_row(view)] == [3, 1, 2, 5, 4]


def test_rows_built_lazily_equal_rows_built_at_once(plan) -> None:
    output = plan_output(plan)
    lazy = build_plan_view(output, token=str(plan.token), plan=plan)
    lazy_page = list(lazy.programs_by_rank[PROGRAMS_PER_PAGE:])

    fresh = [
        _program_row(p, i) for i, p in enumerate(output["programs"], start=1) if isinstance(p, dict)
    ]

    assert every_row(lazy) == fresh
    assert lazy_page == sorted(fresh, key=lambda r: r.rank)[PROGRAMS_PER_PAGE:]
    assert lazy.state_choices == tuple(sorted({r.state for r in fresh if r.state}))


def _synthetic_entries(count: int) -> list[dict]:
    import random

    rng = random.Random(7)
    entries = []
    for i in range(1, count + 1):
        entries.append(
            {
                "id": i,
                "name": rng.choice(["Alpha", "beta", "Gamma", "delta", None, 5]),
                "institution": rng.choice(["Inst A", "Inst B", ""]),
                "city": rng.choice(["Austin", "albany", "", None]),
                "state": rng.choice(["TX", "NY", "", None]),
                "specialty_code": rng.choice(["EM", "IM", ""]),
                "j1": rng.choice(["yes", "no", "unknown", None]),
                "h1b": rng.choice(["yes", "no", "unknown", ""]),
                "img_share": rng.choice([10, 50, 50, None, 50.0, "x"]),
                "fit": rng.choice(["likely", "target", "reach", "", "odd"]),
                "rank": rng.choice([i, i, None, 0]),
            }
        )
    return entries


QUERIES = [
    ProgramQuery(**q)
    for q in (
        {"sort": "fit"},
        {"sort": "fit", "desc": True},
        {"sort": "name"},
        {"sort": "name", "desc": True},
        {"sort": "state"},
        {"sort": "state", "desc": True},
        {"sort": "img"},
        {"sort": "img", "desc": True},
        {"desc": True},
        {"fit": "likely"},
        {"fit": "reach", "sort": "img", "page": 2},
        {"specialty": "IM", "state": "TX"},
        {"visa": "j1"},
        {"visa": "h1b", "sort": "name"},
        {"visa": "either", "page": 3},
        {"visa": "unknown"},
        {"q": "ALPHA"},
        {"q": "inst b austin", "sort": "state"},
        {"q": "none"},
        {"state": "NY", "page": 99},
    )
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: str(q.params()))
@pytest.mark.parametrize("rows_built_first", [False, True])
def test_a_filtered_or_sorted_table_shows_what_filtering_and_sorting_the_rows_shows(
    query, rows_built_first
) -> None:
    view = build_plan_view({"programs": _synthetic_entries(230)})
    if rows_built_first:
        every_row(view)
    # Built from a second view: every row at once, filtered and sorted as rows.
    rows = every_row(build_plan_view({"programs": _synthetic_entries(230)}))
    reference = programs_sort(programs_filter(rows, query), query.sort, desc=query.desc)

    table = program_table(view, query, per_page=20)

    assert table.matching == len(reference)
    start = (table.page.number - 1) * 20
    assert table.rows == reference[start : start + 20]
    if not rows_built_first:
        assert sum(row is not None for row in view._built) == len(table.rows)
    assert list(matching_rows(view, query)) == reference  # what the CSV lists
