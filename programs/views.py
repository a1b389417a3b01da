from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from accounts.ratelimit import client_of, limit_hit, rate_limit, too_many_requests
from core.http import HtmxHttpRequest
from programs import selectors
from programs.context_processors import DEMO_NOTICE, demo_data_present
from programs.exports import program_csv_rows
from programs.forms import ProgramFilterForm
from programs.selectors import catalog_state, program_count, program_get, specialty_choices

PER_PAGE = 25


class CountedPaginator(Paginator):
    """A Paginator given its count (from the shared count cache) instead of counting."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class ResultsPart:
    """One page of results for one filter set, as the cached results fragment reads it:
    ``number`` (the page shown) is in the fragment's key; the page, its count and its links
    are computed only when the fragment is missing. The first page, asked for without a page
    number, needs no count; any other number is checked against it (a number past the end
    shows the last page)."""

    def __init__(
        self, *, filters: selectors.ProgramFilters, params: dict[str, str], version: str, asked: str
    ) -> None:
        self.filters, self.params, self.version, self.asked = filters, params, version, asked

    @cached_property
    def number(self) -> int:
        return 1 if self.asked in ("", "1") else self.page.number

    @cached_property
    def page(self) -> Page:
        paginator = CountedPaginator(
            selectors.program_list(filters=self.filters),
            PER_PAGE,
            count=program_count(filters=self.filters, version=self.version),
        )
        return paginator.get_page(self.asked or 1)

    @cached_property
    def links(self) -> list[tuple[int | str, str]]:
        """(page number, URL) of the pager's links; an ellipsis has no URL."""
        paginator = self.page.paginator
        return [
            (n, "" if n == paginator.ELLIPSIS else _page_url(self.params, n))
            for n in paginator.get_elided_page_range(self.number, on_each_side=2, on_ends=1)
        ]

    @cached_property
    def previous_url(self) -> str:
        return _page_url(self.params, self.number - 1) if self.page.has_previous() else ""

    @cached_property
    def next_url(self) -> str:
        return _page_url(self.params, self.number + 1) if self.page.has_next() else ""

    @cached_property
    def csv_url(self) -> str:
        return _list_url(self.params, name="programs:csv")

    @cached_property
    def detail_query(self) -> str:
        """The list's filters and page, carried by the links to the programs (for "back")."""
        number = self.number
        return urlencode({**self.params, "page": number} if number > 1 else self.params)


@require_http_methods(["GET", "HEAD"])
def program_list(request: HtmxHttpRequest) -> HttpResponse:
    specialties, version = catalog_state()
    form = ProgramFilterForm(request.GET or None, specialties=specialties)
    filters = form.to_filters()
    params = filters.query_params()
    errors = form.error_list()
    context = {
        "form": form,
        "filter_errors": errors,
        # What the form shows: exactly the submitted values of its own fields.
        "form_input": urlencode(
            sorted((name, request.GET[name]) for name in form.fields if name in request.GET)
        ),
        "version": version,
        "filter_query": urlencode(params),
        "filtered": bool(params.keys() - {"sort"}),
        "results": ResultsPart(
            filters=filters, params=params, version=version, asked=request.GET.get("page", "")
        ),
        "per_page": PER_PAGE,
    }
    # A history-restore request needs the whole page: htmx swaps it into <body>.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "programs/program_list.html" + ("#results" if partial else "")
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_http_methods(["GET", "HEAD"])
def program_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_get(pk=pk)
    # The list's filters and page ride along on the detail link, so "back" returns there.
    back_params: dict[str, Any] = {}
    if request.GET:
        # A list filtered by specialty shows only that specialty's programs, so the only
        # code a genuine link carries is this program's: no need to read the catalog's list.
        own = [(program.specialty.code, program.specialty.name)]
        form = ProgramFilterForm(request.GET, specialties=own)
        back_params = form.to_filters().query_params()
        page = request.GET.get("page", "")
        if page.isdecimal() and page.isascii() and 1 < int(page) < 100_000:
            back_params["page"] = int(page)
    context = {"program": program, "back_url": _list_url(back_params)}
    return render(request, "programs/program_detail.html", context)


@require_http_methods(["GET", "HEAD"])
def program_csv(request: HtmxHttpRequest) -> HttpResponseBase:
    """Every program matching the filters, as CSV, with the demo warning while fictional
    programs are in the catalog. Limited per client (RATE_LIMITS["programs_csv"]), as the
    plan's CSV is: unfiltered, it is the whole catalog."""
    limit = rate_limit("programs_csv")
    retry_after = limit_hit(limit=limit, client=client_of(request))
    if retry_after is not None:
        return too_many_requests(request, limit=limit, retry_after=retry_after, what="downloads")
    form = ProgramFilterForm(request.GET or None, specialties=specialty_choices())
    programs = selectors.program_list(filters=form.to_filters())
    notice = DEMO_NOTICE if demo_data_present() else ""
    writer = csv.writer(_Echo())
    rows: Iterator[str] = (
        writer.writerow(row)
        for row in program_csv_rows(programs.iterator(chunk_size=2000), notice=notice)
    )
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="matchplan-programs-{day}.csv"'
    return response


class _Echo:
    """A file-like object whose write returns the line: csv.writer for streaming."""

    def write(self, value: str) -> str:
        return value


def _list_url(params: dict[str, Any], *, name: str = "programs:list") -> str:
    query = urlencode(params)
    return reverse(name) + (f"?{query}" if query else "")


def _page_url(params: dict[str, str], number: int) -> str:
    return _list_url({**params, "page": number} if number > 1 else params)
