from __future__ import annotations

import hashlib
from dataclasses import asdict
from html import escape
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from accounts.http import HtmxHttpRequest
from programs.forms import filter_input
from programs.models import ProgramType, YesNoUnknown
from programs.selectors import (
    DEFAULT_SORT,
    CatalogState,
    ProgramFilters,
    ProgramRow,
    catalog_state,
    program_count,
    program_get,
    program_rows,
)

PER_PAGE = 25
# Rendered result pages are cached per filter set and catalog version; the version
# changes with every catalog edit, so the TTL only bounds memory, not staleness.
RESULTS_CACHE_SECONDS = 60
MAX_PAGE = 10_000

PROGRAM_TYPE_LABELS = {value: escape(label) for value, label in ProgramType.choices}
YES_NO_LABELS = {value: escape(label) for value, label in YesNoUnknown.choices}
UNKNOWN = '<span class="fact fact-unknown">Unknown</span>'
# One row of the result table. Built with str.format rather than the template engine:
# 25 rows of a dozen variables were a third of a page's cost. Every value is escaped
# (or a number) before it goes in; see _rows_html. The escaping is the standard
# library's, which django.utils.html.escape wraps (same output, without the lazy-string
# wrapper's cost per call).
ROW = (
    "<tr>"
    '<td data-label="Program"><a href="{url}" class="fw-semibold">{name}</a>'
    '<div class="small text-body-secondary">{institution}</div></td>'
    '<td data-label="Location">{city}, {state}</td>'
    '<td data-label="Specialty">{specialty}</td>'
    '<td data-label="Type">{program_type}</td>'
    '<td data-label="J-1" class="fact-col"><span class="fact fact-{j1}">{j1_label}</span></td>'
    '<td data-label="H-1B" class="fact-col"><span class="fact fact-{h1b}">{h1b_label}</span></td>'
    '<td data-label="IMG share" class="fact-col text-lg-end">{img_share}</td>'
    '<td data-label="Typical Step 2 CK" class="fact-col text-lg-end">{step2}</td>'
    # "Add to my applications" (tracker): no per-user state, so the cached rows stay shared;
    # without JavaScript the link opens a confirmation page with the form.
    '<td data-label="My applications" class="d-print-none"><span class="tracker-add">'
    '<a class="btn btn-outline-primary btn-sm" href="{add_url}?program={pk}" hx-post="{add_url}" '
    'hx-vals=\'{{"program": "{pk}"}}\' hx-target="closest .tracker-add" hx-swap="outerHTML">'
    'Add<span class="visually-hidden"> to my applications</span></a></span></td>'
    "</tr>\n"
)


@require_http_methods(["GET", "HEAD"])
def program_list(request: HtmxHttpRequest) -> HttpResponse:
    catalog = catalog_state()
    # ProgramFilterForm's outcome, from per-field caches (see FilterInput).
    given = filter_input(request.GET, specialties=catalog.specialty_choices)
    context = {
        "filter_errors": given.errors,
        "results_html": _results_html(
            given.filters, _page_number(request.GET.get("page")), catalog=catalog
        ),
    }
    # A history-restore request needs the whole page: htmx swaps it into <body>.
    partial = request.htmx and not request.htmx.history_restore_request
    if not partial:
        context["form_html"] = given.fields_html()
    template = "programs/program_list.html" + ("#results" if partial else "")
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_http_methods(["GET", "HEAD"])
def program_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_get(pk=pk)
    return render(request, "programs/program_detail.html", {"program": program})


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


def _rows_html(rows: list[ProgramRow], catalog: CatalogState) -> SafeString:
    """The table's rows: names and places escaped, choices as their (escaped) labels."""
    # Detail links from one reversed URL: the pattern is the prefix, the id, a slash.
    marker = "2147483647"
    prefix, suffix = reverse("programs:detail", args=[int(marker)]).rsplit(marker, 1)
    names = catalog.specialty_names
    add_url = reverse("tracker:add")
    html = []
    for pk, name, institution, city, state, specialty_id, kind, j1, h1b, img, step2 in rows:
        html.append(
            ROW.format(
                url=f"{prefix}{int(pk)}{suffix}",
                pk=int(pk),
                add_url=add_url,
                name=escape(name),
                institution=escape(institution),
                city=escape(city),
                state=escape(state),
                specialty=escape(names.get(specialty_id, "")),
                program_type=PROGRAM_TYPE_LABELS.get(kind) or escape(kind),
                j1=escape(j1),
                j1_label=YES_NO_LABELS.get(j1) or escape(j1),
                h1b=escape(h1b),
                h1b_label=YES_NO_LABELS.get(h1b) or escape(h1b),
                img_share=UNKNOWN if img is None else f"{int(img)}%",
                step2=UNKNOWN if step2 is None else str(int(step2)),
            )
        )
    return mark_safe("".join(html))  # noqa: S308  # nosec B308 B703


def _results_html(
    filters: ProgramFilters, page_number: int, *, catalog: CatalogState
) -> SafeString:
    """The result table and pager for one filter set and page, cached when possible."""
    state = repr((catalog.version, sorted(asdict(filters).items()), page_number))
    key = "programs:results:" + hashlib.sha256(state.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        count = program_count(filters=filters, catalog=catalog)
        # As Paginator.get_page: past the end is the last page; no result is one page.
        num_pages = max(1, -(-count // PER_PAGE))
        number = min(page_number, num_pages)
        rows = program_rows(
            filters=filters, catalog=catalog, offset=(number - 1) * PER_PAGE, limit=PER_PAGE
        )
        params = _filter_params(filters)

        base_url = reverse("programs:list")

        def page_url(n: int) -> str:
            query = urlencode({**params, "page": n} if n > 1 else params)
            return f"{base_url}?{query}" if query else base_url

        html = render_to_string(
            "programs/program_list.html#results_body",
            {
                "count": count,
                "num_pages": num_pages,
                "number": number,
                "per_page": PER_PAGE,
                "rows_html": _rows_html(rows, catalog),
                "previous_url": page_url(number - 1) if number > 1 else None,
                "next_url": page_url(number + 1) if number < num_pages else None,
                "first_url": page_url(1),
                "last_url": page_url(num_pages),
                "filtered": bool(params.keys() - {"sort"}),
            },
        )
        cache.set(key, html, RESULTS_CACHE_SECONDS)
    # The template engine escaped everything when it rendered this; some cache backends
    # (e.g. memcached) return plain str, so the safe marking is restored here.
    return SafeString(html)  # nosec B703
