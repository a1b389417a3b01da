"""A real-shaped file (FREIDA-like values, fictional programs) imports honestly."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from programs.models import Program

pytestmark = pytest.mark.django_db

HEADER = (
    "acgme_id,name,institution,city,state,specialty,track,program_type,affiliation,positions,"
    "total_positions,first_accredited,accepting_applications,application_platform,visas,"
    "img_share,do_share,usmd_share,website,source,last_verified"
)
ROWS = [
    # decimal percentages, a whole number written 95.0, FREIDA's type label
    "1400031001,Northfield Fictional IM,,Northfield,NY,IM,categorical,University-based,None,"
    "42.0,126,1961,Yes,ERAS,J-1,2.3,4.4,93.3,https://www.example.org/nf,FREIDA (fictional),2025-03-01",
    # the same ACGME id, its preliminary track: not a duplicate
    "1400031001,Northfield Fictional IM,,Northfield,NY,IM,preliminary,University-based,None,"
    "8,8,1961,Yes,ERAS,J-1,5,0,95.0,https://www.example.org/nf,FREIDA (fictional),2025-03-01",
    # "Other" type, VA affiliation, a visa list with both, 0 positions, not accepting
    "1400031002,Southgate Fictional IM,Southgate Fictional Hospital,Southgate,TX,IM,,Other,"
    "Veterans Affairs,0,30,2021,No,ERAS,J-1; H-1B,71.5,10,18.5,,FREIDA (fictional),2025-03-01",
    # blank type and blank visas: unknown, not no
    "1400031003,Eastmoor Fictional IM,,Eastmoor,OH,IM,,,,12,36,,,,,,,,,FREIDA (fictional),2025-03-01",
    "1400031004,Westbay Fictional IM,,Westbay,CA,IM,,Military-based,Military,10,30,1975,Yes,ERAS,"
    "None,0,20,80,,FREIDA (fictional),2025-03-01",
]


def write(tmp_path: Path, *lines: str, name: str = "freida.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_programs", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(path: Path, *args: str) -> tuple[CommandError, str]:
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_programs", str(path), *args, stdout=StringIO(), stderr=err)
    return excinfo.value, err.getvalue()


def test_a_real_shaped_file_imports_with_its_values_held_as_written(tmp_path: Path) -> None:
    out, _ = run(write(tmp_path, HEADER, *ROWS), "--season", "2026")

    assert "5 created, 0 updated, 0 unchanged, 0 conflicts" in out
    big = Program.objects.get(acgme_id="1400031001", track="categorical")
    assert (big.specialty.code, big.positions, big.img_share, big.usmd_share) == ("IM", 42, 2, 93)
    assert (big.program_type, big.affiliation, big.institution) == ("university", "none", "")
    assert (big.j1, big.h1b, big.accepting_applications, big.accepting_season) == (
        "yes",
        "no",
        "yes",
        2026,
    )
    prelim = Program.objects.get(acgme_id="1400031001", track="preliminary")
    assert prelim.specialty.code == "IM-PRELIM"
    south = Program.objects.get(acgme_id="1400031002")
    assert (south.program_type, south.affiliation, south.positions) == (
        "unknown",
        "veterans_affairs",
        0,
    )
    assert (south.j1, south.h1b, south.img_share, south.accepting_applications) == (
        "yes",
        "yes",
        72,
        "no",
    )
    east = Program.objects.get(acgme_id="1400031003")
    assert (east.program_type, east.j1, east.h1b, east.img_share) == (
        "unknown",
        "unknown",
        "unknown",
        None,
    )
    west = Program.objects.get(acgme_id="1400031004")
    assert (west.program_type, west.j1, west.h1b) == ("military", "no", "no")


def test_reimporting_or_importing_without_ids_changes_nothing(tmp_path: Path) -> None:
    run(write(tmp_path, HEADER, *ROWS), "--season", "2026")
    history = Program.history.count()

    again, _ = run(write(tmp_path, HEADER, *ROWS), "--season", "2026")
    no_ids = [row.split(",", 1)[1] for row in (HEADER, *ROWS)]
    without, err = run(write(tmp_path, *no_ids, name="no-ids.csv"), "--season", "2026")

    assert "0 created, 0 updated, 5 unchanged" in again
    assert "0 created, 0 updated, 5 unchanged" in without
    assert "WARNING" not in err
    assert Program.objects.count() == 5
    assert Program.history.count() == history


def test_only_a_duplicate_id_with_conflicting_facts_is_an_error(tmp_path: Path) -> None:
    conflicting = ROWS[2].replace(",71.5,", ",35,")

    error, stderr = failing(
        write(tmp_path, HEADER, *ROWS, ROWS[2], conflicting), "--season", "2026"
    )

    assert stderr.strip().splitlines() == [
        "row 7, column acgme_id: “1400031002” (IM, categorical) is also used in row 3 with "
        "different facts."
    ]
    assert "1 conflicts" in str(error)
    assert not Program.objects.exists()


def test_an_empty_cell_keeps_the_known_value_and_unknown_clears_it(tmp_path: Path) -> None:
    run(write(tmp_path, HEADER, *ROWS), "--season", "2026")
    header = "acgme_id,name,city,state,specialty,img_share,visas"

    out, _ = run(
        write(
            tmp_path,
            header,
            "1400031002,Southgate Fictional IM,Southgate,TX,IM,,",
            "1400031003,Eastmoor Fictional IM,Eastmoor,OH,IM,unknown,unknown",
            "1400031004,Westbay Fictional IM,Westbay,CA,IM,unknown,",
            name="partial.csv",
        )
    )

    assert "0 created, 1 updated, 2 unchanged" in out
    south = Program.objects.get(acgme_id="1400031002")
    assert (south.img_share, south.j1, south.h1b) == (72, "yes", "yes")
    assert Program.objects.get(acgme_id="1400031004").img_share is None


def test_an_ambiguous_name_match_is_refused(tmp_path: Path) -> None:
    header = "name,city,state,specialty"
    row = "Twin Fictional IM,Twinton,NY,IM"
    Program.objects.create(name="Twin Fictional IM", city="Twinton", state="NY", specialty_id=2)
    Program.objects.create(name="Twin Fictional IM", city="Twinton", state="NY", specialty_id=2)

    error, stderr = failing(write(tmp_path, header, row))

    assert "row 1, column name: “Twin Fictional IM” (Twinton, NY, IM) matches programs" in stderr
    assert "1 conflicts" in str(error)


def test_a_file_creating_many_programs_beside_a_catalog_is_warned_about(tmp_path: Path) -> None:
    run(write(tmp_path, HEADER, *ROWS), "--season", "2026")
    renamed = [f"14000320{i:02d},Renamed Program {i},,Town,NY,IM,,,,,,,,,,,,,,," for i in range(8)]

    out, err = run(write(tmp_path, HEADER, *renamed, name="renamed.csv"), "--dry-run")

    assert "Would be: 8 created, 0 updated, 0 unchanged, 0 conflicts" in out
    assert "WARNING: this file would create 8 new programs beside the 5 already" in err
    assert Program.objects.count() == 5


def test_accepting_applications_needs_a_season(tmp_path: Path) -> None:
    _error, stderr = failing(write(tmp_path, HEADER, ROWS[0]))

    assert "row 1, column accepting_applications: “Yes” needs the season" in stderr


def test_clearing_the_season_of_an_accepting_answer_names_the_row_and_writes_nothing(
    tmp_path: Path,
) -> None:
    run(write(tmp_path, HEADER, *ROWS), "--season", "2026")
    header = "acgme_id,name,city,state,specialty,track,season"
    keep = "1400031003,Eastmoor Fictional IM,Eastmoor,OH,IM,,2027"  # stays valid
    clear = "1400031002,Southgate Fictional IM,Southgate,TX,IM,,unknown"  # "No" stays

    _error, stderr = failing(write(tmp_path, header, keep, clear, name="clear.csv"))

    assert "row 2, column season: Give the season that “accepting applications: No” is about" in (
        stderr
    )
    assert dict(Program.objects.values_list("acgme_id", "accepting_season")) == {
        "1400031001": 2026,
        "1400031002": 2026,
        "1400031003": None,
        "1400031004": 2026,
    }


def test_a_bad_website_is_quoted_in_the_error(tmp_path: Path) -> None:
    row = ROWS[3].replace(",,,,,FREIDA", ",,,,htp//nope,FREIDA")

    _error, stderr = failing(write(tmp_path, HEADER, row))

    assert "column website: “htp//nope”: Enter a valid URL." in stderr


def test_the_preliminary_track_is_matched_for_im_prelim_plans(tmp_path: Path) -> None:
    from assessments.selectors import catalog_facts

    run(write(tmp_path, HEADER, *ROWS), "--season", "2026")

    prelim = catalog_facts(["IM-PRELIM"]).programs()
    categorical = catalog_facts(["IM"]).programs()

    assert [(f.name, f.track, f.acgme_id) for f in prelim] == [
        ("Northfield Fictional IM", "preliminary", "1400031001")
    ]
    assert "1400031001" in {f.acgme_id for f in categorical}
    assert all(f.track == "categorical" for f in categorical)
