from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programs.models import Program
from programs.services import program_mark_verified
from tests.factories import ProgramFactory, specialty

pytestmark = pytest.mark.django_db

LIST = reverse("programs:list")


def names(response: Any) -> list[str]:
    """Program names in the result table, in order."""
    html = response.content.decode()
    found = []
    for chunk in html.split('class="fw-semibold">')[1:]:
        found.append(chunk.split("</a>", 1)[0])
    return found


def test_the_page_renders_the_layout_the_form_and_the_results(client: Client) -> None:
    ProgramFactory(name="Lakeside Program")

    response = client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'id="results"' in html
    assert "Lakeside Program" in html
    # without JavaScript the form is a plain GET form with a visible submit button
    assert f'method="get" action="{LIST}"' in html
    assert '<button type="submit" class="btn btn-primary">Apply filters</button>' in html
    assert 'hx-get="' in html and 'hx-push-url="true"' in html
    assert "HX-Request" in response["Vary"]


def test_an_htmx_request_gets_only_the_results_partial(client: Client) -> None:
    ProgramFactory(name="Lakeside Program")

    response = client.get(LIST, {"q": "lake"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Lakeside Program" in html
    assert "<html" not in html
    assert "<form" not in html
    assert "program-table" in html
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(client: Client) -> None:
    response = client.get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")

    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"specialty": "GS"}, ["Bravo"]),
        ({"state": "CA"}, ["Charlie"]),
        ({"j1": "yes"}, ["Alpha", "Charlie"]),
        ({"h1b": "yes"}, ["Charlie"]),
        ({"min_img": "50"}, ["Alpha"]),
        ({"min_img": "0"}, ["Alpha", "Bravo", "Charlie"]),  # unknown share is not >= 0
        ({"program_type": "university"}, ["Bravo"]),
        ({"q": "sunny"}, ["Charlie"]),  # city
        ({"q": "ALPHA"}, ["Alpha"]),  # name, case-insensitive
        ({"q": "harbor fictional"}, ["Bravo"]),  # institution
        ({"specialty": "IM", "j1": "yes", "state": "NY"}, ["Alpha"]),
    ],
)
def test_filters_select_the_matching_programs(client: Client, params: dict, expected: list) -> None:
    ProgramFactory(name="Alpha", j1="yes", h1b="no", img_share=60, state="NY")
    ProgramFactory(
        name="Bravo",
        specialty=specialty("GS"),
        j1="no",
        h1b="unknown",
        img_share=10,
        program_type="university",
        institution="Harbor Fictional Hospital",
    )
    ProgramFactory(name="Charlie", j1="yes", h1b="yes", img_share=30, state="CA", city="Sunnyvale")
    ProgramFactory(name="Delta", j1="unknown", h1b="unknown", img_share=None, state="TX")

    response = client.get(LIST, params)

    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["A", "B", "C", "D"]),
        ("state", ["C", "D", "A", "B"]),
        ("img_share", ["B", "D", "A", "C"]),  # highest first, unknown last
        ("step2", ["C", "A", "D", "B"]),  # lowest first, unknown last
    ],
)
def test_sorting_puts_unknown_values_last(client: Client, sort: str, expected: list) -> None:
    ProgramFactory(name="A", state="NY", img_share=40, step2_min=None, step2_typical=240)
    ProgramFactory(name="B", state="TX", img_share=90, step2_min=None, step2_typical=None)
    ProgramFactory(name="C", state="CA", img_share=None, step2_min=None, step2_typical=230)
    ProgramFactory(name="D", state="MA", img_share=50, step2_min=None, step2_typical=250)

    response = client.get(LIST, {"sort": sort})

    assert names(response) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"min_img": "abc"},
        {"min_img": "250"},
        {"state": "ZZ"},
        {"specialty": "NOPE"},
        {"sort": "drop table"},
        {"j1": "maybe"},
        {"page": "abc"},
        {"page": "-4"},
        {"page": "99999999999999999999"},
        {"q": "x" * 500},
        {"program_type": ["university", "bogus"]},
    ],
)
def test_bad_filter_values_are_ignored_without_an_error_page(client: Client, params: dict) -> None:
    ProgramFactory(name="Still listed")

    response = client.get(LIST, params)
    partial = client.get(LIST, params, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert partial.status_code == 200
    if "page" not in params:
        assert "These filters were ignored" in response.content.decode()
        assert "These filters were ignored" in partial.content.decode()
    assert "Still listed" in response.content.decode()


def test_unknown_facts_are_shown_as_unknown(client: Client) -> None:
    ProgramFactory(j1="unknown", h1b="unknown", img_share=None, step2_min=None, step2_typical=None)

    html = client.get(LIST).content.decode()

    assert html.count(">Unknown</span>") == 4


def test_pages_hold_25_programs_and_links_keep_the_filters(client: Client) -> None:
    for n in range(30):
        ProgramFactory(name=f"P{n:02d}", state="NY")
    ProgramFactory(name="Elsewhere", state="TX")

    first = client.get(LIST, {"state": "NY"})
    second = client.get(LIST, {"state": "NY", "page": "2"}, HTTP_HX_REQUEST="true")
    beyond = client.get(LIST, {"state": "NY", "page": "9"})

    assert len(names(first)) == 25
    assert "30</strong> programs match your filters, page 1 of 2" in first.content.decode()
    assert f'href="{LIST}?state=NY&amp;page=2"' in first.content.decode()
    assert f'hx-get="{LIST}?state=NY&amp;page=2"' in first.content.decode()
    assert names(second) == [f"P{n:02d}" for n in range(25, 30)]
    assert names(beyond) == names(second)  # past the end: the last page


def test_the_number_of_queries_does_not_grow_with_the_catalog(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    ProgramFactory.create_batch(10)
    # the specialties, the catalog version (two maxima), the count, the rows, the demo notice
    with django_assert_max_num_queries(6) as small:
        client.get(LIST, {"sort": "img_share"})
    budget = len(small.captured_queries)
    ProgramFactory.create_batch(190)

    for params in ({"sort": "img_share"}, {"j1": "yes", "page": "3"}, {"q": "Testville"}):
        with django_assert_max_num_queries(budget):
            assert client.get(LIST, params).status_code == 200
        with django_assert_max_num_queries(budget):
            assert client.get(LIST, params, HTTP_HX_REQUEST="true").status_code == 200


def test_a_cached_page_costs_one_small_query(
    client: Client, django_assert_num_queries: Any
) -> None:
    ProgramFactory.create_batch(3)
    client.get(LIST)

    # the specialty menu with the catalog version's three index-backed maxima; the filter
    # form, the count and the result table come from the shared cache
    with django_assert_num_queries(1):
        client.get(LIST)
    with django_assert_num_queries(1):
        client.get(LIST, HTTP_HX_REQUEST="true")


def test_edits_deletions_and_verification_show_up_at_once(client: Client) -> None:
    program = ProgramFactory(name="Changing", img_share=20)
    other = ProgramFactory(name="Going away")
    assert "20%" in client.get(LIST).content.decode()  # now cached

    program.img_share = 77
    program.save()
    assert "77%" in client.get(LIST).content.decode()

    other.delete()
    assert "Going away" not in client.get(LIST).content.decode()

    Program.objects.filter(pk=program.pk).update(img_share=5)  # bypasses updated_at
    program_mark_verified(programs=Program.objects.filter(pk=program.pk))
    assert ">5%" in client.get(LIST).content.decode()


def test_post_is_not_allowed(client: Client) -> None:
    assert client.post(LIST).status_code == 405


def test_a_detail_link_with_a_non_ascii_digit_page_is_not_a_500(client: Client) -> None:
    program = ProgramFactory()
    response = client.get(f"/programs/{program.pk}/", {"page": "²"})
    assert response.status_code == 200
