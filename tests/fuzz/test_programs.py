"""Hostile input to the program catalog: the browser's filters, the import service with any
table and cell values, and the import_programs command with any file."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st
from tablib import Dataset

from programs.models import US_STATE_CODES, Program, ProgramType
from programs.resources import COLUMNS, REQUIRED_COLUMNS
from programs.selectors import SORTS
from programs.services import programs_import
from tests.factories import ProgramFactory
from tests.fuzz.strategies import (
    FUZZ,
    FUZZ_FEW,
    assert_not_500,
    form_data,
    hostile_text,
    new_client,
    one_of_valid,
    rolled_back,
    short_text,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def catalog(db: Any) -> list[Program]:
    return [
        ProgramFactory(acgme_id="1400000101", name="Alpha IM Program", state="NY"),
        ProgramFactory(acgme_id=None, name="Beta IM Program", city="Beta", state="OH"),
    ]


def _snapshot() -> list[dict[str, Any]]:
    return list(Program.objects.order_by("pk").values()) + [{"history": Program.history.count()}]


@given(
    params=form_data(
        {
            "q": one_of_valid("Program", "Testville", "Alpha", ""),
            "specialty": one_of_valid("IM", "EM", "FM"),
            "state": one_of_valid("NY", "OH", "PR"),
            "program_type": one_of_valid(*ProgramType.values),
            "j1": one_of_valid("yes", ""),
            "h1b": one_of_valid("yes", ""),
            "min_img": st.integers(min_value=-5, max_value=105).map(str),
            "sort": one_of_valid(*SORTS),
            "page": st.integers(min_value=-3, max_value=20_000).map(str),
        }
    ),
    htmx=st.booleans(),
)
@FUZZ
def test_the_program_browser_filters_never_fail(
    catalog: list[Program], params: dict[str, Any], htmx: bool
) -> None:
    response = new_client().get(reverse("programs:list"), params, **(HX if htmx else {}))

    assert_not_500(response, 200)
    assert ("<html" in response.content.decode()) is not htmx


# --- the import ----------------------------------------------------------------------------

typed_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.dates(),
    st.datetimes(),
)
GOOD_CELLS: dict[str, st.SearchStrategy[Any]] = {
    "id": st.just(""),
    "acgme_id": st.one_of(
        st.sampled_from(["1400000101", "", "unknown"]),
        st.integers(min_value=1400000200, max_value=1400009999).map(str),
    ),
    "name": st.sampled_from(["Alpha IM Program", "Gamma Program", "Beta IM Program"]),
    "institution": st.just("Fictional Hospital"),
    "city": st.sampled_from(["Beta", "Gamma"]),
    "state": st.sampled_from(["NY", "oh", "PR"]),
    "specialty": st.sampled_from(["IM", "fm", "GS-PRELIM"]),
    "program_type": st.sampled_from([*ProgramType.values, "Community-based"]),
    "positions": st.sampled_from(["12", "", "0"]),
    "j1": st.sampled_from(["yes", "no", "unknown", ""]),
    "h1b": st.sampled_from(["yes", "no", "unknown", ""]),
    "img_share": st.sampled_from(["62%", "55", "", "unknown"]),
    "step2_min": st.sampled_from(["225", ""]),
    "step2_typical": st.sampled_from(["243", ""]),
    "max_yog": st.sampled_from(["5", ""]),
    "accepts_failures": st.sampled_from(["yes", "no", ""]),
    "requires_usce": st.sampled_from(["yes", "no", ""]),
    "website": st.sampled_from(["https://www.example.org/x", ""]),
    "source": st.just("Fuzz"),
    "last_verified": st.sampled_from(["2026-01-15", ""]),
    "notes": st.just(""),
}
# Plausible mistakes: unknown ids and codes, out-of-range numbers, impossible dates.
BAD_CELLS: dict[str, st.SearchStrategy[Any]] = {
    "id": st.sampled_from(["1", "999999", "-1", "1.0"]),
    "acgme_id": st.sampled_from(["14000", "14000000011", "ABCDEFGHIJ"]),
    "state": st.sampled_from(["XX", "New York", ""]),
    "specialty": st.sampled_from(["XX", "", "Internal Medicine"]),
    "program_type": st.sampled_from(["clinic", ""]),
    "img_share": st.sampled_from(["101", "-5", "50.5%"]),
    "step2_min": st.sampled_from(["290", "0", "301"]),
    "website": st.sampled_from(["not a url", "javascript:alert(1)"]),
    "last_verified": st.sampled_from(["2026-02-30", "15/01/2026"]),
}


def _cell(column: str, mode: str) -> st.SearchStrategy[Any]:
    good = GOOD_CELLS.get(column, st.just(""))
    if mode == "clean":
        return good
    bad = st.one_of(BAD_CELLS.get(column, hostile_text), hostile_text, typed_cells)
    return st.one_of(good, good, good, bad) if mode == "mixed" else st.one_of(good, bad)


@st.composite
def program_tables(draw: st.DrawFn) -> Dataset:
    """A table that is all good, has some bad cells, or is hostile throughout: the real
    columns (perhaps cased or padded, some missing, repeated or unknown), and rows of
    plausible, hostile and typed (spreadsheet) cells."""
    mode = draw(st.sampled_from(["clean", "mixed", "hostile"]))
    optional = [c for c in COLUMNS if c not in REQUIRED_COLUMNS and c != "id"]
    columns = draw(st.lists(st.sampled_from(COLUMNS), max_size=len(COLUMNS), unique=True))
    if mode != "hostile" or draw(st.booleans()):
        columns = list(dict.fromkeys([*REQUIRED_COLUMNS, *columns]))
    if mode == "clean":
        columns = [c for c in columns if c in (*REQUIRED_COLUMNS, *optional)]
    headers = [
        draw(st.sampled_from([c, c.upper(), f" {c} "])) if draw(st.booleans()) else c
        for c in columns
    ]
    if mode == "hostile" and draw(st.booleans()):
        headers.append(draw(st.one_of(short_text, st.sampled_from(columns or ["name"]))))
    rows = draw(
        st.lists(
            st.tuples(*(_cell(h.strip().lower(), mode) for h in headers)),
            max_size=4,
        )
    )
    dataset = Dataset(headers=headers)
    for row in rows:
        dataset.append(row)
    return dataset


@given(dataset=program_tables(), dry_run=st.booleans())
@FUZZ
def test_an_import_never_fails_and_changes_nothing_unless_every_row_is_good(
    catalog: list[Program], dataset: Dataset, dry_run: bool
) -> None:
    with rolled_back():
        before = _snapshot()
        count = Program.objects.count()

        report = programs_import(dataset=dataset, dry_run=dry_run, file_name="fuzz.csv")
        event("imported" if report.ok else "refused")

        if dry_run or not report.ok:
            assert _snapshot() == before
        else:
            assert Program.objects.count() == count + report.created
        for row, column, reason in report.problems:
            assert row is None or 1 <= row <= len(dataset)
            assert column and reason


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A header of real columns and short hostile lines, in one of several encodings."""
    header = ",".join(draw(st.lists(st.sampled_from(COLUMNS), min_size=1, unique=True)))
    lines = draw(st.lists(st.lists(hostile_text.map(lambda t: t[:40]), max_size=6), max_size=3))
    text = "\n".join([header, *(",".join(cells) for cells in lines)])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, "replace")


@st.composite
def import_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["bytes", "zip", "csv", "table"]))
    if kind == "table":  # a table as a spreadsheet saves it: often a good file
        table = draw(program_tables())
        return draw(st.sampled_from([".csv", ".csv", ".CSV", ".txt"])), table.export("csv").encode()
    suffix = draw(st.sampled_from([".csv", ".xlsx", ".CSV", ".txt", ""]))
    if kind == "zip":  # a zip header, then nothing: a broken workbook
        return suffix, b"PK\x03\x04" + b"\x00" * 40
    if kind == "csv":
        return suffix, draw(csv_files())
    return suffix, draw(st.binary(max_size=300))


@given(file=import_files(), dry_run=st.booleans())
@FUZZ
def test_the_import_command_exits_2_with_a_message_or_imports_never_a_traceback(
    catalog: list[Program], tmp_path: Path, file: tuple[str, bytes], dry_run: bool
) -> None:
    suffix, content = file
    path = tmp_path / f"programs{suffix}"
    path.write_bytes(content)
    args = [str(path), *(["--dry-run"] if dry_run else [])]
    with rolled_back():
        before = _snapshot()
        try:
            call_command("import_programs", *args, stdout=StringIO(), stderr=StringIO())
        except CommandError as error:
            event("exit 2")
            assert error.returncode == 2
            assert str(error)
            assert _snapshot() == before
        else:
            event("imported")
            if dry_run:
                assert _snapshot() == before


def test_an_xlsx_with_typed_hostile_cells_is_refused_row_by_row(
    catalog: list[Program], tmp_path: Path
) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS[1:8]) + ["img_share", "last_verified"])
    sheet.append([10**20, "N", "I", "C", "NY", "IM", "community", 1.5, dt.datetime(2026, 1, 1)])
    sheet.append(["1400000102", "N", "I", "C", True, "IM", "community", -3, "soon"])
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    before = _snapshot()
    err = StringIO()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_programs", str(path), stdout=StringIO(), stderr=err)

    assert excinfo.value.returncode == 2
    assert "row 1" in err.getvalue() and "row 2" in err.getvalue()
    assert _snapshot() == before


@given(
    state=st.sampled_from(sorted(US_STATE_CODES)),
    name=hostile_text.map(lambda t: t[:200]),
)
@FUZZ_FEW
def test_any_program_name_renders_in_the_browser_and_its_page(
    catalog: list[Program], state: str, name: str
) -> None:
    with rolled_back():
        program = ProgramFactory(name=name.replace("\x00", "") or "x", state=state, acgme_id=None)
        client = new_client()
        assert_not_500(client.get(reverse("programs:list"), {"state": state}), 200)
        assert_not_500(client.get(reverse("programs:detail", args=[program.pk])), 200)


def test_regression_a_nul_character_in_a_text_cell_is_a_row_error(catalog: list[Program]) -> None:
    # SQLite stored it; PostgreSQL's driver refused the row with its own message.
    dataset = Dataset(headers=["name", "institution", "city", "state", "specialty", "program_type"])
    dataset.append(["Nul\x00Program", "Fictional Hospital", "Gamma", "NY", "IM", "community"])
    before = _snapshot()

    report = programs_import(dataset=dataset)

    assert [(row, column) for row, column, _reason in report.problems] == [(1, "name")]
    assert "NUL character" in report.problems[0][2]
    assert _snapshot() == before
