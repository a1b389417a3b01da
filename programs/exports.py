"""The program browser's CSV export, and the spreadsheet-safe cell rule other exports share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from programs.models import Program

CSV_COLUMNS = (
    "name",
    "institution",
    "city",
    "state",
    "specialty",
    "program type",
    "ACGME ID",
    "website",
    "J-1",
    "H-1B",
    "IMG share",
    "typical Step 2 CK",
    "source",
    "last verified",
    "fictional",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """A cell value a spreadsheet shows as text: one starting like a formula (=, +, -, @, tab,
    carriage return) gets a leading single quote, so opening the file never runs it."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def program_csv_rows(programs: Iterable[Program], *, notice: str = "") -> Iterator[list[str]]:
    """The demo warning (when given) as a first row of its own, the header, then one
    neutralised row per program (with its specialty selected)."""
    if notice:
        yield [notice]
    yield list(CSV_COLUMNS)
    for program in programs:
        yield [
            csv_safe(cell)
            for cell in (
                program.name,
                program.institution,
                program.city,
                program.state,
                program.specialty.name,
                program.get_program_type_display(),
                program.acgme_id,
                program.website,
                program.get_j1_display(),
                program.get_h1b_display(),
                "" if program.img_share is None else f"{program.img_share}%",
                program.step2_typical,
                program.source,
                program.last_verified.isoformat() if program.last_verified else "",
                "yes" if program.is_fictional else "no",
            )
        ]
