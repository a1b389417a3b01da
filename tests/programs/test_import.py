from __future__ import annotations

import datetime as dt
import re
import zipfile
from io import BytesIO, StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from programs.models import Program
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs"
HEADER = (
    "acgme_id,name,institution,city,state,specialty,program_type,positions,j1,h1b,"
    "img_share,step2_min,step2_typical,max_yog,accepts_failures,requires_usce,website,"
    "source,last_verified,notes"
)
GOOD_ROWS = [
    "1400000101,Alpha IM Program,Alpha Fictional Hospital,Alpha,NY,IM,community,12,yes,no,62%,225,243,5,yes,yes,https://www.example.org/a,Program website,2026-01-15,First",
    "1200000102,Beta FM Program,Beta Fictional Hospital,Beta,oh,fm,Community-based,8,,unknown,unknown,,,,,,,FREIDA,,",
]


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_programs", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: Path, *args: str) -> tuple[CommandError, str]:
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_programs", str(path), *args, stdout=StringIO(), stderr=err)
    return excinfo.value, err.getvalue()


def test_a_good_file_creates_programs_with_unknowns_kept_unknown(tmp_path: Path) -> None:
    out, _ = run(write(tmp_path, "good.csv", HEADER, *GOOD_ROWS))

    assert "2 created, 0 updated" in out
    alpha = Program.objects.get(acgme_id="1400000101")
    assert (alpha.img_share, alpha.step2_min, alpha.step2_typical, alpha.max_yog) == (
        62,
        225,
        243,
        5,
    )
    assert (alpha.j1, alpha.h1b, alpha.accepts_failures) == ("yes", "no", "yes")
    assert alpha.last_verified == dt.date(2026, 1, 15)
    assert alpha.specialty.code == "IM"
    beta = Program.objects.get(acgme_id="1200000102")
    assert (beta.state, beta.specialty.code, beta.program_type) == ("OH", "FM", "community")
    assert (beta.j1, beta.h1b, beta.requires_usce) == ("unknown", "unknown", "unknown")
    assert beta.img_share is None and beta.step2_typical is None and beta.max_yog is None
    assert beta.last_verified is None
    assert alpha.history.first().history_change_reason == "Imported from good.csv"


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "good.csv", HEADER, *GOOD_ROWS)
    run(path)
    history_before = Program.history.count()

    out, _ = run(path)

    assert "0 created, 0 updated, 2 unchanged" in out
    assert Program.objects.count() == 2
    assert Program.history.count() == history_before


def test_a_row_updates_the_program_with_its_acgme_id(tmp_path: Path) -> None:
    existing = ProgramFactory(acgme_id="1400000101", img_share=10)

    out, _ = run(write(tmp_path, "update.csv", HEADER, GOOD_ROWS[0]))

    assert "0 created, 1 updated" in out
    existing.refresh_from_db()
    assert existing.img_share == 62
    assert Program.objects.count() == 1


def test_a_row_with_an_id_column_updates_that_program(tmp_path: Path) -> None:
    existing = ProgramFactory(acgme_id=None, name="Old name")

    run(
        write(
            tmp_path,
            "by-id.csv",
            "id,name,institution,city,state,specialty,program_type",
            f"{existing.pk},New name,Inst,City,NY,IM,community",
        )
    )

    existing.refresh_from_db()
    assert existing.name == "New name"
    assert Program.objects.count() == 1


def test_a_file_with_bad_rows_reports_each_and_changes_nothing(tmp_path: Path) -> None:
    keep = ProgramFactory(acgme_id="1400000101", img_share=10)
    path = write(
        tmp_path,
        "bad.csv",
        HEADER,
        GOOD_ROWS[0],  # valid: would update `keep`
        "1400000103,Gamma,Gamma Fictional Hospital,Gamma,ZZ,IM,community,5,yes,no,101,,,,,,,,,",
        "1400000104,Delta,Delta Fictional Hospital,Delta,NY,XX,community,5,maybe,no,20,,,,,,,,2026-02-30,",
    )

    error, stderr = run_failing(path)

    assert error.returncode == 2
    assert "nothing was imported" in str(error)
    assert "row 2, column state:" in stderr
    assert (
        "row 2, column img_share: “101”: Ensure this value is less than or equal to 100." in stderr
    )
    assert "row 3, column specialty:" in stderr
    assert "row 3, column j1:" in stderr
    assert "row 3, column last_verified:" in stderr
    assert "row 1" not in stderr
    keep.refresh_from_db()
    assert keep.img_share == 10
    assert Program.objects.count() == 1


def test_a_duplicate_acgme_id_with_different_facts_is_a_row_error(tmp_path: Path) -> None:
    changed = GOOD_ROWS[0].replace(",62%,", ",63%,")
    error, stderr = run_failing(write(tmp_path, "dup.csv", HEADER, GOOD_ROWS[0], changed))

    assert error.returncode == 2
    assert (
        "row 2, column acgme_id: “1400000101” (IM, categorical) is also used in row 1 "
        "with different facts." in stderr
    )
    assert "1 conflicts" in str(error)
    assert not Program.objects.exists()


def test_a_row_repeated_with_the_same_facts_is_counted_once(tmp_path: Path) -> None:
    out, _ = run(write(tmp_path, "dup.csv", HEADER, GOOD_ROWS[0], GOOD_ROWS[0]))

    assert "1 created, 0 updated, 1 unchanged" in out
    assert Program.objects.count() == 1


def test_a_hard_minimum_above_the_typical_score_is_rejected(tmp_path: Path) -> None:
    row = "1400000105,Eps,Eps Fictional Hospital,Eps,NY,IM,community,5,yes,no,20,250,240,,,,,,,"

    _error, stderr = run_failing(write(tmp_path, "min.csv", HEADER, row))

    assert "row 1, column step2_min: “250”: The hard minimum cannot be higher" in stderr


def test_more_first_year_positions_than_total_positions_is_rejected(tmp_path: Path) -> None:
    keep = ProgramFactory(acgme_id="1400000106", positions=4, total_positions=12)
    path = write(
        tmp_path,
        "positions.csv",
        "acgme_id,name,city,state,specialty,positions,total_positions",
        "1400000106,Zeta,Zeta,NY,IM,5,15",  # valid: would update `keep`
        "1400000107,Eta,Eta,NY,IM,20,6",
    )

    error, stderr = run_failing(path)

    assert error.returncode == 2
    assert (
        "row 2, column positions: “20”: The 20 first-year positions cannot be more than "
        "the 6 total positions (all years)." in stderr
    )
    assert "row 1" not in stderr
    keep.refresh_from_db()
    assert (keep.positions, keep.total_positions) == (4, 12)
    assert Program.objects.count() == 1


def test_an_unknown_column_is_reported_once_and_nothing_is_written(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.csv", HEADER.replace("img_share", "img-share"), *GOOD_ROWS)

    error, stderr = run_failing(path)

    assert error.returncode == 2
    assert "Unknown column(s): img-share" in stderr
    assert "row " not in stderr
    assert not Program.objects.exists()


def test_dry_run_reports_what_would_change_and_writes_nothing(tmp_path: Path) -> None:
    out, _ = run(write(tmp_path, "good.csv", HEADER, *GOOD_ROWS), "--dry-run")

    assert "Dry run, nothing written" in out
    assert "2 created" in out
    assert not Program.objects.exists()


def test_dry_run_still_reports_bad_rows(tmp_path: Path) -> None:
    row = "1400000103,Gamma,Gamma Fictional Hospital,Gamma,ZZ,IM,community,5,yes,no,1,,,,,,,,,"

    error, stderr = run_failing(write(tmp_path, "bad.csv", HEADER, row), "--dry-run")

    assert error.returncode == 2
    assert "row 1, column state:" in stderr


def test_an_xlsx_workbook_with_native_numbers_and_dates_imports(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [1400000201, "Xl Program", "Xl Fictional Hospital", "Xl", "TX", "EM", "university",
         10, "yes", "yes", 45.0, None, 244, 7, "no", "yes", None, "Sheet", dt.datetime(2026, 3, 1), None]
    )  # fmt: skip
    sheet.append([None] * 20)  # trailing blank row, as spreadsheets often have
    buffer = BytesIO()
    book.save(buffer)
    path = tmp_path / "programs.xlsx"
    path.write_bytes(buffer.getvalue())

    out, _ = run(path)

    assert "1 created" in out
    program = Program.objects.get(acgme_id="1400000201")
    assert (program.img_share, program.step2_typical, program.max_yog) == (45, 244, 7)
    assert program.last_verified == dt.date(2026, 3, 1)
    assert program.step2_min is None


def _xlsx(tmp_path: Path, *rows: list, dimension: str | None = "") -> Path:
    """A workbook of ``rows``; ``dimension`` rewrites the size the sheet states (None
    removes it), as some spreadsheet writers state none or a wrong one."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    path = tmp_path / "programs.xlsx"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/") and dimension != "":
                stated = b"" if dimension is None else f'<dimension ref="{dimension}"/>'.encode()
                data = re.sub(rb"<dimension [^>]*/>", stated, data)
            target.writestr(item, data)
    return path


@pytest.mark.parametrize("dimension", ["", None, "A1:D3"], ids=["stated", "no size", "wrong size"])
def test_an_xlsx_value_beyond_the_header_names_its_row_and_nothing_is_written(
    tmp_path: Path, dimension: str | None
) -> None:
    path = _xlsx(
        tmp_path,
        ["name", "city", "state", "specialty"],
        ["Alpha IM Program", "Alpha", "NY", "IM"],
        ["Beta IM Program", "Beta", "NY", "IM", "J-1 only"],
        dimension=dimension,
    )

    error, _ = run_failing(path)

    assert error.returncode == 2
    assert "programs.xlsx, row 2: “J-1 only” in column E is beyond the header's 4 column(s)" in str(
        error
    )
    assert not Program.objects.exists()


def test_empty_xlsx_cells_beyond_the_header_are_ignored(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path,
        ["name", "city", "state", "specialty"],
        ["Alpha IM Program", "Alpha", "NY", "IM", None, "  "],
        dimension=None,
    )

    out, _ = run(path)

    assert "1 created" in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("programs.txt", b"a,b\n", "unsupported file type"),
        (
            "ragged.csv",
            b"name,city,state,specialty\nA,B,NY,IM,C\n",
            "row 1: the row has 5 cell(s) but the header has 4",
        ),
        ("latin1.csv", "name\nSão Paulo\n".encode("latin-1"), "not UTF-8"),
        ("broken.xlsx", b"this is not a zip file", "not a readable XLSX workbook"),
        ("empty.csv", b"", "is empty"),
    ],
)
def test_an_unreadable_file_exits_2_naming_the_problem(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    error, _ = run_failing(path)

    assert error.returncode == 2
    assert message in str(error)


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    error, _ = run_failing(tmp_path / "nowhere.csv")

    assert error.returncode == 2
    assert "Cannot read" in str(error)


def test_the_documented_example_file_imports_cleanly() -> None:
    out, _ = run(DOCS / "example-programs.csv")

    assert "5 created, 0 updated, 0 unchanged, 0 conflicts" in out
    assert Program.objects.count() == 5
    harbor = Program.objects.filter(acgme_id="1409990001")
    assert sorted(harbor.values_list("specialty__code", "track")) == [
        ("IM", "categorical"),
        ("IM-PRELIM", "preliminary"),
    ]
    assert harbor.get(track="categorical").accepting_season == 2026
    again, _ = run(DOCS / "example-programs.csv")
    assert "0 created, 0 updated, 5 unchanged" in again


def test_a_short_row_names_the_row_and_both_cell_counts(tmp_path: Path) -> None:
    short = "1400000103,Gamma IM Program,Gamma Hospital,Gamma,NY"
    error, stderr = run_failing(write(tmp_path, "short.csv", HEADER, GOOD_ROWS[0], short))

    assert error.returncode == 2
    assert "short.csv, row 2: the row has 5 cell(s) but the header has 20 column(s)" in str(error)
    assert "not a US state" not in str(error) + stderr  # no misleading per-column messages
    assert not Program.objects.exists()


def test_identical_rows_without_ids_are_reported_not_merged(tmp_path: Path) -> None:
    row = ",Same Program,Same Hospital,Albany,NY,IM,community,,,,,,,,,,,,,"
    other = ",Other Program,Same Hospital,Albany,NY,IM,community,,,,,,,,,,,,,"

    error, stderr = run_failing(write(tmp_path, "dupes.csv", HEADER, row, other, row))

    assert error.returncode == 2
    assert "row 3, column name: Same specialty, name, city and state as row 1" in stderr
    assert not Program.objects.exists()


def test_rows_without_ids_that_differ_in_city_are_two_programs(tmp_path: Path) -> None:
    first = ",Same Program,Same Hospital,Albany,NY,IM,community,,,,,,,,,,,,,"
    second = ",Same Program,Same Hospital,Buffalo,NY,IM,community,,,,,,,,,,,,,"

    out, _ = run(write(tmp_path, "two.csv", HEADER, first, second))

    assert "2 created" in out


def test_an_xlsx_value_under_an_empty_header_cell_at_the_end_names_its_column(
    tmp_path: Path,
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for column, title in enumerate(["name", "city", "state", "specialty"], start=1):
        sheet.cell(row=1, column=column, value=title)
    sheet.cell(row=1, column=5).font = openpyxl.styles.Font(bold=True)  # styled, empty
    for column, value in enumerate(["Alpha IM Program", "Alpha", "NY", "IM", "J-1 only"], 1):
        sheet.cell(row=2, column=column, value=value)
    path = tmp_path / "programs.xlsx"
    book.save(path)

    error, _ = run_failing(path)

    assert "row 1: “J-1 only” in column E is beyond the header's 4 column(s)" in str(error)
    assert not Program.objects.exists()
