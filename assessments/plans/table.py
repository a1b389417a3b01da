"""The plan's program table: filter, sort and paginate the stored list; the CSV export."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator

from assessments.plans.view import PlanView, ProgramRow, RankedRows
from assessments.plans.words import FIT_INDEX
from programs.exports import csv_safe

PROGRAMS_PER_PAGE = 50

SORTS: dict[str, str] = {
    "rank": "Best match",
    "fit": "Fit",
    "name": "Program name",
    "state": "State",
    "img": "IMG share",
}
VISA_FILTERS: dict[str, str] = {
    "j1": "Sponsors J-1",
    "h1b": "Sponsors H-1B",
    "either": "Sponsors J-1 or H-1B",
    "unknown": "Visa sponsorship unknown",
}


@dataclass(frozen=True, slots=True)
class ProgramQuery:
    fit: str = ""
    specialty: str = ""
    state: str = ""
    visa: str = ""
    q: str = ""
    sort: str = "rank"
    desc: bool = False
    page: int = 1

    def params(self, **changes: Any) -> dict[str, str]:
        """The query parameters of this query with ``changes``, defaults left out."""
        values = {
            "fit": self.fit,
            "specialty": self.specialty,
            "state": self.state,
            "visa": self.visa,
            "q": self.q,
            "sort": self.sort,
            "dir": "desc" if self.desc else "",
            "page": str(self.page) if self.page > 1 else "",
        }
        for key, value in changes.items():
            if key == "desc":
                values["dir"] = "desc" if value else ""
            else:
                values[key] = "" if value is None else str(value)
        if values["sort"] == "rank":
            values["sort"] = ""
        if values["page"] in {"1", "0"}:
            values["page"] = ""
        return {k: v for k, v in values.items() if v}

    @property
    def is_filtered(self) -> bool:
        return bool(self.fit or self.specialty or self.state or self.visa or self.q)


def _filtered_indexes(view: PlanView, query: ProgramQuery) -> list[int]:
    """The indexes of the entries whose rows match ``query``'s filters, in stored order."""
    indexes: list[int] = list(range(view.program_total))
    for key, wanted in (
        ("fit", query.fit),
        ("specialty_code", query.specialty),
        ("state", query.state),
    ):
        if wanted:
            column = view.column(key)
            indexes = [i for i in indexes if column[i] == wanted]
    if query.visa in VISA_FILTERS:
        j1, h1b, visa = view.column("j1"), view.column("h1b"), query.visa
        if visa == "j1":
            indexes = [i for i in indexes if j1[i] == "yes"]
        elif visa == "h1b":
            indexes = [i for i in indexes if h1b[i] == "yes"]
        elif visa == "either":
            indexes = [i for i in indexes if j1[i] == "yes" or h1b[i] == "yes"]
        else:
            indexes = [i for i in indexes if j1[i] == "unknown" and h1b[i] == "unknown"]
    needle = query.q.strip().lower()
    if needle:
        text = view.column("search_text")
        indexes = [i for i in indexes if needle in text[i]]
    return indexes


def _sorted_indexes(view: PlanView, indexes: list[int], query: ProgramQuery) -> list[int]:
    """``indexes`` in ``query``'s order (see SORTS), ties in the recommended order in either
    direction (a stable sort on the column alone, over the indexes in rank order). Unknown IMG
    shares go last in either direction; "img" ascending means the highest share first."""
    rank, desc = view.column("rank"), query.desc
    if query.sort not in {"fit", "name", "state", "img"}:
        return sorted(indexes, key=rank.__getitem__, reverse=desc)
    by_rank = sorted(indexes, key=rank.__getitem__)
    if query.sort == "fit":
        fit = view.column("fit")
        return sorted(by_rank, key=lambda i: FIT_INDEX.get(fit[i], 9), reverse=desc)
    if query.sort == "name":
        return sorted(by_rank, key=view.column("name").__getitem__, reverse=desc)
    if query.sort == "state":
        state, city = view.column("state"), view.column("city")
        return sorted(by_rank, key=lambda i: (state[i], city[i]), reverse=desc)
    img = view.column("img_share")
    known = [i for i in by_rank if img[i] is not None]
    known.sort(key=img.__getitem__, reverse=not desc)
    return known + [i for i in by_rank if img[i] is None]


@dataclass(frozen=True)
class ProgramTable:
    query: ProgramQuery
    page: Page
    total: int  # programs in the plan
    matching: int  # programs matching the filters

    @property
    def rows(self) -> list[ProgramRow]:
        return list(self.page.object_list)


def matching_rows(view: PlanView, query: ProgramQuery) -> RankedRows:
    """The rows matching ``query``'s filters in its order, each built when first read:
    filtered and sorted by the columns the query reads, not by building every row."""
    if not query.is_filtered and query.sort == "rank" and not query.desc:
        return view.programs_by_rank
    return RankedRows(view, _sorted_indexes(view, _filtered_indexes(view, query), query))


def program_table(
    view: PlanView, query: ProgramQuery, *, per_page: int = PROGRAMS_PER_PAGE
) -> ProgramTable:
    rows = matching_rows(view, query)  # builds the rows of the page shown only
    page = Paginator(rows, per_page).get_page(query.page)
    return ProgramTable(query=query, page=page, total=view.program_total, matching=len(rows))


# --- CSV ------------------------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "fit",
    "program",
    "institution",
    "city",
    "state",
    "specialty",
    "J-1",
    "H-1B",
    "IMG share",
    "typical Step 2 CK",
    "verify",
    "reasons",
    "source",
    "last verified",
)


def program_csv_rows(rows: Iterable[ProgramRow]) -> Iterator[list[str]]:
    """The header, then one neutralised row per program."""
    yield list(CSV_COLUMNS)
    for row in rows:
        yield [
            csv_safe(cell)
            for cell in (
                row.fit,
                row.name,
                row.institution,
                row.city,
                row.state,
                row.specialty_code,
                row.j1,
                row.h1b,
                "" if row.img_share is None else f"{row.img_share}%",
                "" if row.step2_typical is None else row.step2_typical,
                "; ".join(row.verify),
                "; ".join(r.text for r in row.reasons),
                row.source,
                row.last_verified.isoformat() if row.last_verified else "",
            )
        ]


def sort_links(query: ProgramQuery) -> dict[str, dict[str, Any]]:
    """For each sortable column: the query string that sorts by it (toggling the direction
    when it is the current sort) and its aria-sort state."""
    from urllib.parse import urlencode

    links: dict[str, dict[str, Any]] = {}
    for key in SORTS:
        active = query.sort == key
        desc = (not query.desc) if active else False
        state = None
        if active:
            ascending_word = "descending" if key == "img" else "ascending"
            descending_word = "ascending" if key == "img" else "descending"
            state = descending_word if query.desc else ascending_word
        links[key] = {
            "url": "?" + urlencode(query.params(sort=key, desc=desc, page=1)),
            "active": active,
            "aria_sort": state,
        }
    return links
