from __future__ import annotations

import hashlib
from dataclasses import asdict
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from accounts.http import HtmxHttpRequest
from programs.forms import ProgramFilterForm
from programs.selectors import (
    DEFAULT_SORT,
    ProgramFilters,
    catalog_version,
    program_get,
    specialty_choices,
)
from programs.selectors import (
    program_list as select_programs,
)

PER_PAGE = 25
# Rendered result pages are cached per filter set and catalog version; the version
# changes with every catalog edit, so the TTL only bounds memory, not staleness.
RESULTS_CACHE_SECONDS = 60
FORM_CACHE_SECONDS = 300
MAX_PAGE = 10_000


@require_http_methods(["GET", "HEAD"])
def program_list(request: HtmxHttpRequest) -> HttpResponse:
    specialties = specialty_choices()
    form = ProgramFilterForm(request.GET, specialties=specialties)
    filters = form.to_filters()
    context = {
        "form": form,
        "results_html": _results_html(filters, _page_number(request.GET.get("page"))),
    }
    # A history-restore request needs the whole page: htmx swaps it into <body>.
    partial = request.htmx and not request.htmx.history_restore_request
    if not partial:
        context["form_html"] = _form_html(form, request, specialties)
    template = "programs/program_list.html" + ("#results" if partial else "")
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_http_methods(["GET", "HEAD"])
def program_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_get(pk=pk)
    return render(request, "programs/program_detail.html", {"program": program})


def _form_html(
    form: ProgramFilterForm, request: HttpRequest, specialties: list[tuple[str, str]]
) -> SafeString:
    """The rendered filter fields, cached per input: they depend on nothing else."""
    state = repr((sorted(request.GET.lists()), specialties))
    key = "programs:filter-form:" + hashlib.sha256(state.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string("programs/program_list.html#filter_form", {"form": form})
        cache.set(key, html, FORM_CACHE_SECONDS)
    # The template engine escaped everything when it rendered this; some cache backends
    # (e.g. memcached) return plain str, so the safe marking is restored here.
    return SafeString(html)  # nosec B703


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def _filter_params(filters: ProgramFilters) -> dict[str, str]:
    """The canonical query parameters for a filter set (links never echo bad input)."""
    params = {
        "q": filters.text,
        "specialty": filters.specialty,
        "state": filters.state,
        "program_type": filters.program_type,
        "j1": "yes" if filters.j1 else "",
        "h1b": "yes" if filters.h1b else "",
        "min_img": "" if filters.min_img_share is None else str(filters.min_img_share),
        "sort": "" if filters.sort == DEFAULT_SORT else filters.sort,
    }
    return {key: value for key, value in params.items() if value}


def _results_html(filters: ProgramFilters, page_number: int) -> SafeString:
    """The result table and pager for one filter set and page, cached when possible."""
    state = repr((catalog_version(), sorted(asdict(filters).items()), page_number))
    key = "programs:results:" + hashlib.sha256(state.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        paginator = Paginator(select_programs(filters=filters), PER_PAGE)
        page = paginator.get_page(page_number)
        params = _filter_params(filters)

        base_url = reverse("programs:list")

        def page_url(number: int) -> str:
            query = urlencode({**params, "page": number} if number > 1 else params)
            return f"{base_url}?{query}" if query else base_url

        html = render_to_string(
            "programs/program_list.html#results_body",
            {
                "page": page,
                "programs": page.object_list,
                "previous_url": page_url(page.previous_page_number())
                if page.has_previous()
                else None,
                "next_url": page_url(page.next_page_number()) if page.has_next() else None,
                "first_url": page_url(1),
                "last_url": page_url(paginator.num_pages),
                "filtered": bool(params.keys() - {"sort"}),
            },
        )
        cache.set(key, html, RESULTS_CACHE_SECONDS)
    # The template engine escaped everything when it rendered this; some cache backends
    # (e.g. memcached) return plain str, so the safe marking is restored here.
    return SafeString(html)  # nosec B703
