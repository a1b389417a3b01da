"""The program browser's caches: per-field filter markup and outcomes, per-shape SQL,
counts per filter set; each must give what the uncached path gives and follow edits."""

from __future__ import annotations

from typing import Any

import pytest
from crispy_forms.utils import render_crispy_form
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from programs import selectors
from programs.forms import ProgramFilterForm, filter_input
from programs.models import Program, Specialty
from programs.selectors import ProgramFilters, catalog_state, program_count, program_rows
from tests.programs.factories import ProgramFactory, specialty
from tests.programs.test_browser import names

pytestmark = pytest.mark.django_db

LIST = reverse("programs:list")

INPUTS = [
    "",
    "q=&specialty=&state=&program_type=&j1=&h1b=&min_img=&sort=",
    "q=lake&specialty=GS&state=NY&program_type=university&j1=yes&h1b=yes&min_img=25&sort=step2",
    "specialty=NOPE&state=ZZ&j1=maybe&min_img=abc&sort=drop",
    "program_type=university&program_type=bogus&min_img=250",
    "q=" + "x" * 150,
    "q=%3Cscript%3E&state=%22NY",
    "q=++spaced++&min_img=0",
]


@pytest.mark.parametrize("query", INPUTS)
def test_the_filter_form_markup_is_what_crispy_renders(query: str) -> None:
    specialties = catalog_state().specialty_choices
    data = QueryDict(query)
    form = ProgramFilterForm(data, specialties=specialties)

    # twice: once filling the per-field caches, once from them
    for _ in range(2):
        assert filter_input(data, specialties=specialties).fields_html() == (
            render_crispy_form(form, form.helper)
        )


@pytest.mark.parametrize("query", INPUTS)
def test_the_filters_and_errors_are_what_the_form_finds(query: str) -> None:
    specialties = catalog_state().specialty_choices
    data = QueryDict(query)
    form = ProgramFilterForm(data, specialties=specialties)
    filters = form.to_filters()
    errors = tuple((str(f.label), str(e)) for f in form for e in f.errors)

    for _ in range(2):
        given = filter_input(data, specialties=specialties)
        assert given.filters == filters
        assert given.errors == errors


def test_a_renamed_or_new_specialty_shows_at_once(client: Client) -> None:
    ProgramFactory(name="Lakeside", specialty=specialty("GS"))
    client.get(LIST)  # caches filled
    client.get(LIST, HTTP_HX_REQUEST="true")

    Specialty.objects.filter(code="GS").update(name="Surgery, general")
    Specialty.objects.create(code="DERM", name="Dermatology")

    page = client.get(LIST).content.decode()
    partial = client.get(LIST, HTTP_HX_REQUEST="true").content.decode()
    assert ">Surgery, general</td>" in page
    assert ">Surgery, general</td>" in partial
    assert '<option value="GS">Surgery, general</option>' in page
    assert '<option value="DERM">Dermatology</option>' in page
    assert names(client.get(LIST, {"specialty": "DERM"})) == []
    assert (
        "These filters were ignored" not in client.get(LIST, {"specialty": "DERM"}).content.decode()
    )


def test_an_edited_name_shows_on_the_next_request_of_every_cached_page(client: Client) -> None:
    program = ProgramFactory(name="Old Name", state="NY")
    for params in ({}, {"state": "NY"}, {"state": "NY", "sort": "state"}):
        assert names(client.get(LIST, params)) == ["Old Name"]
        assert names(client.get(LIST, params, HTTP_HX_REQUEST="true")) == ["Old Name"]

    program.name = "New Name"
    program.save()

    for params in ({}, {"state": "NY"}, {"state": "NY", "sort": "state"}):
        assert names(client.get(LIST, params)) == ["New Name"]
        assert names(client.get(LIST, params, HTTP_HX_REQUEST="true")) == ["New Name"]


def test_counts_follow_additions_and_deletions(client: Client) -> None:
    first = ProgramFactory(state="NY")
    assert "1</strong> program match" in client.get(LIST, {"state": "NY"}).content.decode()

    ProgramFactory.create_batch(2, state="NY")
    assert "3</strong> programs match" in client.get(LIST, {"state": "NY"}).content.decode()

    first.delete()
    html = client.get(LIST, {"state": "NY", "sort": "img_share"}).content.decode()
    assert "2</strong> programs match" in html


def test_other_pages_and_orders_of_a_filter_set_reuse_its_count(
    client: Client, django_assert_num_queries: Any
) -> None:
    ProgramFactory.create_batch(30, state="NY")
    client.get(LIST, {"state": "NY"})

    # the catalog version and the page's rows: no count, no demo-notice query
    with django_assert_num_queries(2):
        html = client.get(LIST, {"state": "NY", "page": "2", "sort": "step2"}).content.decode()
    assert "30</strong> programs match your filters, page 2 of 2" in html


FILTER_SETS = [
    ProgramFilters(),
    ProgramFilters(specialty="IM", state="NY", j1=True, h1b=True, min_img_share=0),
    ProgramFilters(program_type="university", sort="img_share"),
    ProgramFilters(text="50%_\\x", sort="step2"),
    ProgramFilters(text="testville", specialty="GS", sort="state"),
    ProgramFilters(specialty="NOPE"),  # not in the catalog: matches nothing
    ProgramFilters(sort="unknown"),
]


@pytest.mark.parametrize("filters", FILTER_SETS)
def test_the_sql_kept_per_shape_finds_what_the_orm_finds(filters: ProgramFilters) -> None:
    ProgramFactory(name="50%_\\x Program", img_share=None, step2_typical=None)
    ProgramFactory(name="B", specialty=specialty("GS"), program_type="university", img_share=0)
    ProgramFactory.create_batch(5, state="NY", img_share=55, h1b="yes")
    ProgramFactory.create_batch(3, state="CA", specialty=specialty("GS"), j1="no")
    catalog = catalog_state()
    expected = [
        tuple(row)
        for row in selectors._filtered(filters, catalog).values_list(*selectors.ROW_FIELDS)
    ]
    selectors._STATEMENTS.clear()

    for _ in range(2):  # compiled by the ORM, then from the kept SQL
        rows = program_rows(filters=filters, catalog=catalog, offset=0, limit=100)
        assert [tuple(row) for row in rows] == expected
        assert program_rows(filters=filters, catalog=catalog, offset=2, limit=3) == rows[2:5]
        assert program_count(filters=filters, catalog=catalog) == len(expected)
    assert selectors._STATEMENTS, "the shape's SQL was not kept"
    assert Program.objects.count() == 10
