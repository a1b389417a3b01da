"""The program browser's shared-cache entries (counts per filter set, the filter form and
result fragments per catalog version) follow every catalog edit on the next request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programs.models import Specialty
from tests.factories import ProgramFactory, specialty
from tests.programs.test_browser import names

pytestmark = pytest.mark.django_db

LIST = reverse("programs:list")


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

    # the specialties with the catalog version, and the page's rows: no count, no
    # demo-notice query
    with django_assert_num_queries(2):
        html = client.get(LIST, {"state": "NY", "page": "2", "sort": "step2"}).content.decode()
    assert "30</strong> programs match your filters, page 2 of 2" in html


def test_a_first_page_seen_before_needs_no_count(client: Client, monkeypatch: Any) -> None:
    from programs import views

    ProgramFactory.create_batch(30, state="NY")
    first = client.get(LIST, {"state": "NY"}).content.decode()
    last = client.get(LIST, {"state": "NY", "page": "9"}).content.decode()

    def no_count(**kwargs: Any) -> int:
        raise AssertionError("counted")

    monkeypatch.setattr(views, "program_count", no_count)
    again = client.get(LIST, {"state": "NY"}).content.decode()
    partial = client.get(LIST, {"state": "NY", "page": "1"}, HTTP_HX_REQUEST="true")

    token = re.compile(r'"X-CSRFToken": "[^"]+"')
    assert token.sub("", again) == token.sub("", first)
    assert "30</strong> programs match your filters, page 1 of 2" in again
    assert partial.status_code == 200
    # A page past the end is the last page, which needs the count to be known.
    assert "page 2 of 2" in last
    with pytest.raises(AssertionError, match="counted"):
        client.get(LIST, {"state": "NY", "page": "5"})


def test_filter_sets_showing_the_same_value_share_that_fields_fragment(
    client: Client, monkeypatch: Any
) -> None:
    from django.core.cache import caches

    ProgramFactory(state="NY")
    client.get(LIST, {"state": "NY", "sort": "name"})
    written: list[str] = []
    backend = type(caches["default"])
    real_set = backend.set

    def set_(self: Any, key: str, *args: Any, **kwargs: Any) -> Any:
        written.append(key)
        return real_set(self, key, *args, **kwargs)

    monkeypatch.setattr(backend, "set", set_)
    html = client.get(LIST, {"state": "NY", "sort": "state"}).content.decode()

    fields = [key for key in written if key.startswith("template.cache.crispy_field.")]
    assert len(fields) == 1  # the sort field's new value; the state's fragment is reused
    assert '<option value="NY" selected>' in html
