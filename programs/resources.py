"""Import and export of the program catalog (CSV and XLSX).

One resource serves both the Django admin (preview, row-level errors, confirm) and
``manage.py import_programs``, so a file is judged by the same rules everywhere:

- every value is parsed by a widget below that accepts what public sources write
  (decimal percentages such as 2.3, whole numbers written 95.0, FREIDA's program type
  labels, visa lists such as "J-1; H-1B") and rejects anything else with a row error
  that quotes the value, never a silent guess;
- then the model's ``full_clean()`` runs, so field validators, ``Program.clean()`` and
  the database constraints' Python mirrors all apply;
- on a program that already exists an empty cell keeps the stored value; only the word
  ``unknown`` clears it;
- the whole file is one transaction, rolled back when any row is bad.

The file format is documented in docs/import-programs.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import Error, Result
from tablib import Dataset

from programs.models import (
    PRELIMINARY_SPECIALTY,
    US_STATE_CODES,
    Affiliation,
    Platform,
    Program,
    ProgramType,
    Specialty,
    Track,
    YesNoUnknown,
)

UNKNOWN_WORDS = frozenset({"", "unknown"})

# Columns a file must have; every other column is optional. On an update an absent
# optional column, or an empty cell, leaves the stored value alone; on a create it means
# "unknown". Only the word "unknown" clears a stored value.
REQUIRED_COLUMNS = ("name", "city", "state", "specialty")

COLUMNS = (
    "id",
    "acgme_id",
    "name",
    "institution",
    "city",
    "state",
    "specialty",
    "track",
    "program_type",
    "affiliation",
    "positions",
    "total_positions",
    "first_accredited",
    "accepting_applications",
    "season",
    "application_platform",
    "j1",
    "h1b",
    "img_share",
    "do_share",
    "usmd_share",
    "step2_min",
    "step2_typical",
    "max_yog",
    "accepts_failures",
    "requires_usce",
    "website",
    "source",
    "last_verified",
    "notes",
)
# Read on import, never exported: the source's own visa list, turned into j1 and h1b.
IMPORT_ONLY_COLUMNS = ("visas",)
# Columns that identify a record rather than describe it: never "kept" when empty.
IDENTITY_COLUMNS = frozenset({"id", "name", "city", "state", "specialty", "track"})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets store typed-in numbers as floats: 250 arrives as 250.0.
        value = int(value)
    return str(value).strip()


# A cell starting with one of these is a formula to a spreadsheet (=HYPERLINK(...) runs when
# the export is opened). Every exported value that starts so gets a leading apostrophe,
# which spreadsheets read as "this is text"; the import removes that apostrophe again, so
# an export re-imports unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` as an export cell that no spreadsheet runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _unquote(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _label(text: str) -> str:
    """A label reduced to lower-case letters and digits: "Community-based" -> "communitybased"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


class TextWidget(widgets.Widget):
    """Trimmed text; empty cells become the empty string, never None."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        text = _unquote(_text(value))
        if "\x00" in text:
            # PostgreSQL cannot store it (the driver fails the row with its own message);
            # it is never meant, usually a file saved in another encoding.
            raise ValueError(
                "Contains a NUL character (\\x00), which cannot be stored; save the file as "
                "UTF-8 text."
            )
        return text


class StateWidget(TextWidget):
    """A two-letter US state or territory code, case-insensitive."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        code = _text(value).upper()
        if code not in US_STATE_CODES:
            raise ValueError(
                f"“{_text(value)}” is not a US state or territory code (two letters, e.g. NY, PR)."
            )
        return code


class AcgmeIdWidget(widgets.Widget):
    """The 10-digit ACGME id; empty means the program has none on file (stored as NULL)."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str | None:
        text = _text(value)
        if text.lower() in UNKNOWN_WORDS:
            return None
        return text  # the model validator checks the 10 digits

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or ""


class ChoiceWidget(widgets.Widget):
    """One of a model field's choices, by code, by label, or by one of the source's own
    labels (``aliases``); empty or "unknown" is unknown (``unknown_value``)."""

    def __init__(
        self,
        choices: Any,
        *,
        aliases: dict[str, str] | None = None,
        unknown_value: str = "unknown",
        what: str = "value",
    ) -> None:
        super().__init__(coerce_to_string=True)
        self.lookup: dict[str, str] = {}
        for code, label in choices:
            self.lookup[_label(code)] = code
            self.lookup[_label(str(label))] = code
        for alias, code in (aliases or {}).items():
            self.lookup[_label(alias)] = code
        self.allowed = ", ".join(code for code, _ in choices)
        self.unknown_value = unknown_value
        self.what = what

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        text = _text(value)
        if text.lower() in UNKNOWN_WORDS:
            return self.unknown_value
        code = self.lookup.get(_label(text))
        if code is None:
            raise ValueError(
                f"“{text}” is not a {self.what}; use one of {self.allowed} (empty means unknown)."
            )
        return code

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or self.unknown_value


class YesNoUnknownWidget(ChoiceWidget):
    """yes / no / unknown; an empty cell is unknown, because unknown is not no."""

    def __init__(self) -> None:
        super().__init__(
            YesNoUnknown.choices,
            aliases={"y": "yes", "n": "no", "true": "yes", "false": "no"},
            what="yes/no answer",
        )


class OptionalIntegerWidget(widgets.Widget):
    """A whole number or unknown (empty cell or the word "unknown").

    ``95.0`` is read as 95 (spreadsheets and exports write whole numbers that way).
    With ``percent`` a decimal such as 2.3 or 41.5% is accepted and rounded to the
    nearest whole percent (half up): shares of a few dozen residents carry no more
    precision than that.
    """

    def __init__(self, *, percent: bool = False) -> None:
        super().__init__(coerce_to_string=True)
        self.percent = percent

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> int | None:
        if isinstance(value, bool):
            raise ValueError(f"“{value}” is not a whole number.")
        if isinstance(value, int):
            return value
        text = _text(value)
        if text.lower() in UNKNOWN_WORDS:
            return None
        number = text[:-1].strip() if self.percent and text.endswith("%") else text
        try:
            parsed = Decimal(number)
        except InvalidOperation:
            parsed = None
        if parsed is None or not parsed.is_finite() or not re.fullmatch(r"-?\d+(\.\d+)?", number):
            expected = "a number, e.g. 41, 2.3 or 41%" if self.percent else "a whole number"
            raise ValueError(f"“{text}” is not {expected} (leave empty if unknown).")
        if self.percent:
            return int(parsed.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if parsed != parsed.to_integral_value():
            raise ValueError(f"“{text}” is not a whole number (leave empty if unknown).")
        return int(parsed)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class YearWidget(OptionalIntegerWidget):
    """A year (2019, 2019.0) or a date whose year is taken (2019-07-01)."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> int | None:
        if isinstance(value, dt.date):
            return value.year
        text = _text(value)
        match = re.fullmatch(r"(\d{4})-\d{2}-\d{2}", text)
        if match:
            return int(match.group(1))
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(f"“{text}” is not a year such as 2019.") from None


class SeasonWidget(widgets.Widget):
    """The application season as the year applications are sent: 2026, or the range a
    source writes for it (2026-2027, 2026-27, 2026/2027), all meaning 2026."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> int | None:
        text = _text(value)
        if text.lower() in UNKNOWN_WORDS:
            return None
        match = re.fullmatch(r"(\d{4})(?:\s*[-/–]\s*(\d{2}|\d{4}))?", text)
        if match:
            first = int(match.group(1))
            second = match.group(2)
            if second is None or int(second[-2:]) == (first + 1) % 100:
                return first
        raise ValueError(
            f"“{text}” is not a season; write the year applications are sent (2026) or the "
            "range 2026-2027."
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class IsoDateWidget(widgets.Widget):
    """A date as YYYY-MM-DD (spreadsheet date cells are accepted too); empty = never."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        if text.lower() in UNKNOWN_WORDS:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"“{text}” is not a date in the form YYYY-MM-DD.") from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.isoformat() if value else ""


# FREIDA's labels and a few other spellings; "Other" says nothing about the type.
PROGRAM_TYPE_ALIASES = {
    "University-based": ProgramType.UNIVERSITY,
    "University": ProgramType.UNIVERSITY,
    "Community-based university affiliated": ProgramType.COMMUNITY_UNIVERSITY,
    "Community-based, university-affiliated": ProgramType.COMMUNITY_UNIVERSITY,
    "University-affiliated": ProgramType.COMMUNITY_UNIVERSITY,
    "Community-based": ProgramType.COMMUNITY,
    "Community": ProgramType.COMMUNITY,
    "Military-based": ProgramType.MILITARY,
    "Other": ProgramType.UNKNOWN,
}
AFFILIATION_ALIASES = {
    "No": Affiliation.NONE,
    "Not affiliated": Affiliation.NONE,
    "VA": Affiliation.VETERANS_AFFAIRS,
    "Veterans Administration": Affiliation.VETERANS_AFFAIRS,
    "Department of Veterans Affairs": Affiliation.VETERANS_AFFAIRS,
    "US Military": Affiliation.MILITARY,
    "Government": Affiliation.OTHER_GOVERNMENT,
    "Other government affiliation": Affiliation.OTHER_GOVERNMENT,
}
PLATFORM_ALIASES = {"Residency CAS": Platform.RESIDENCYCAS, "Liaison": Platform.RESIDENCYCAS}
TRACK_ALIASES = {"Prelim": Track.PRELIMINARY, "Advanced": Track.ADVANCED, "PGY-2": Track.ADVANCED}


def parse_visas(text: str) -> tuple[str, str]:
    """A source's list of accepted visa statuses -> (j1, h1b).

    "J-1; H-1B" -> (yes, yes); "J-1" -> (yes, no): a program that lists its accepted
    statuses and leaves one out does not sponsor it. "None" -> (no, no). Raises
    ValueError for text that is not a visa list.
    """
    tokens = [_label(t) for t in re.split(r"[;,/|+&\n]|\band\b", text) if _label(t)]
    if not tokens:
        raise ValueError(f"“{text}” is not a list of visa statuses.")
    if tokens in (["none"], ["no"], ["noneaccepted"], ["novisas"]):
        return YesNoUnknown.NO, YesNoUnknown.NO
    known = re.compile(r"^([a-z]\d[a-z]?\d?|ead|greencard|permanentresident|uscitizen|tn)$")
    bad = [t for t in tokens if not known.match(t)]
    if bad:
        raise ValueError(
            f"“{text}” is not a list of visa statuses such as “J-1; H-1B” (could not read "
            f"“{bad[0]}”)."
        )
    j1 = YesNoUnknown.YES if "j1" in tokens else YesNoUnknown.NO
    h1b = YesNoUnknown.YES if "h1b" in tokens else YesNoUnknown.NO
    return j1, h1b


class SpecialtyCodeWidget(widgets.ForeignKeyWidget):
    """A specialty by its stable code (IM, GS-PRELIM ...), case-insensitive.

    The 13 specialties are read once per import instead of once per row.
    """

    def __init__(self) -> None:
        super().__init__(Specialty, "code")
        self._by_code: dict[str, Specialty] | None = None

    def by_code(self) -> dict[str, Specialty]:
        if self._by_code is None:
            self._by_code = {s.code.upper(): s for s in Specialty.objects.all()}
        return self._by_code

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> Specialty:
        by_code = self.by_code()
        code = _text(value).upper()
        if code in by_code:
            return by_code[code]
        allowed = ", ".join(sorted(by_code))
        if not code:
            raise ValueError(f"A specialty code is required: one of {allowed}.")
        raise ValueError(f"“{_text(value)}” is not a specialty code; use one of {allowed}.")


class ProgramResource(resources.ModelResource):
    """CSV/XLSX rows <-> Program records. See docs/import-programs.md for the format.

    Which record a row updates (``get_instance``):

    1. ``id`` (MatchPlan's own id, present in every export) when the cell is filled:
       that program is updated, and an id that does not exist is a row error;
    2. otherwise ``acgme_id`` when filled: the program with that ACGME id, specialty
       and track is updated;
    3. otherwise a program with the same specialty, track, name, city and state; if it
       has a different ACGME id on file, or several programs match, the row is refused;
    4. otherwise a new program is created.

    Records are looked up once per batch of rows (``before_import``), not once per row.
    """

    id = Field(attribute="id", column_name="id", widget=OptionalIntegerWidget(), readonly=True)
    acgme_id = Field(attribute="acgme_id", column_name="acgme_id", widget=AcgmeIdWidget())
    name = Field(attribute="name", column_name="name", widget=TextWidget())
    institution = Field(attribute="institution", column_name="institution", widget=TextWidget())
    city = Field(attribute="city", column_name="city", widget=TextWidget())
    state = Field(attribute="state", column_name="state", widget=StateWidget())
    specialty = Field(attribute="specialty", column_name="specialty", widget=SpecialtyCodeWidget())
    track = Field(
        attribute="track",
        column_name="track",
        widget=ChoiceWidget(Track.choices, aliases=TRACK_ALIASES, unknown_value="", what="track"),
    )
    program_type = Field(
        attribute="program_type",
        column_name="program_type",
        widget=ChoiceWidget(ProgramType.choices, aliases=PROGRAM_TYPE_ALIASES, what="program type"),
    )
    affiliation = Field(
        attribute="affiliation",
        column_name="affiliation",
        widget=ChoiceWidget(
            Affiliation.choices, aliases=AFFILIATION_ALIASES, what="government affiliation"
        ),
    )
    positions = Field(
        attribute="positions", column_name="positions", widget=OptionalIntegerWidget()
    )
    total_positions = Field(
        attribute="total_positions", column_name="total_positions", widget=OptionalIntegerWidget()
    )
    first_accredited = Field(
        attribute="first_accredited", column_name="first_accredited", widget=YearWidget()
    )
    accepting_applications = Field(
        attribute="accepting_applications",
        column_name="accepting_applications",
        widget=YesNoUnknownWidget(),
    )
    season = Field(attribute="accepting_season", column_name="season", widget=SeasonWidget())
    application_platform = Field(
        attribute="application_platform",
        column_name="application_platform",
        widget=ChoiceWidget(
            Platform.choices, aliases=PLATFORM_ALIASES, what="application platform"
        ),
    )
    j1 = Field(attribute="j1", column_name="j1", widget=YesNoUnknownWidget())
    h1b = Field(attribute="h1b", column_name="h1b", widget=YesNoUnknownWidget())
    img_share = Field(
        attribute="img_share", column_name="img_share", widget=OptionalIntegerWidget(percent=True)
    )
    do_share = Field(
        attribute="do_share", column_name="do_share", widget=OptionalIntegerWidget(percent=True)
    )
    usmd_share = Field(
        attribute="usmd_share",
        column_name="usmd_share",
        widget=OptionalIntegerWidget(percent=True),
    )
    step2_min = Field(
        attribute="step2_min", column_name="step2_min", widget=OptionalIntegerWidget()
    )
    step2_typical = Field(
        attribute="step2_typical", column_name="step2_typical", widget=OptionalIntegerWidget()
    )
    max_yog = Field(attribute="max_yog", column_name="max_yog", widget=OptionalIntegerWidget())
    accepts_failures = Field(
        attribute="accepts_failures", column_name="accepts_failures", widget=YesNoUnknownWidget()
    )
    requires_usce = Field(
        attribute="requires_usce", column_name="requires_usce", widget=YesNoUnknownWidget()
    )
    website = Field(attribute="website", column_name="website", widget=TextWidget())
    source = Field(attribute="source", column_name="source", widget=TextWidget())
    last_verified = Field(
        attribute="last_verified", column_name="last_verified", widget=IsoDateWidget()
    )
    notes = Field(attribute="notes", column_name="notes", widget=TextWidget())

    class Meta:
        model = Program
        fields = COLUMNS
        import_order = COLUMNS
        export_order = COLUMNS
        # get_instance below decides which record a row updates; this only tells the
        # admin's import page which column identifies a record.
        import_id_fields = ["id"]
        clean_model_instances = True  # full_clean(): validators, clean()
        use_transactions = True
        # Re-importing an unchanged row is reported as skipped and writes no history.
        # (skip_unchanged needs the original, so skip_diff stays False.)
        skip_unchanged = True
        report_skipped = True
        skip_diff = False

    def __init__(self, *, default_season: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.default_season = default_season
        self.conflicts = 0  # rows refused because they match ambiguously or contradict
        self._seen_keys: dict[tuple[str, ...], tuple[int, int]] = {}
        self._row_offset = 0  # row number of the batch's first row, minus one
        self._by_pk: dict[int, Program] = {}
        self._by_acgme: dict[tuple[str, int, str], Program] = {}
        self._by_name: dict[tuple[str, str, str, int, str], list[Program]] = {}
        self._seen_programs: dict[tuple[Any, ...], int] = {}

    def get_queryset(self) -> QuerySet[Program]:
        return Program.objects.select_related("specialty")

    def export_field(self, field: Field, instance: Any, **kwargs: Any) -> Any:
        # Every export (admin CSV and XLSX alike) goes through here.
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    # --- whole file -----------------------------------------------------------------

    def import_data(self, dataset: Dataset, **kwargs: Any) -> Result:
        """One whole file (the admin's path; the command goes batch by batch through
        :meth:`import_batch`, see ``programs.services.programs_import``)."""
        # All or nothing, also on the admin's confirm step: a row that turns invalid
        # between preview and confirm rolls the whole file back.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        dataset = normalise_dataset(dataset)
        problems = header_problems(dataset.headers or [])
        if problems:
            # With wrong columns every row would fail the same way: report the header only.
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            for problem in problems:
                result.append_base_error(Error(ValueError(problem)))
            return result
        self._seen_keys = {}
        self._seen_programs = {}
        self._row_offset = 0
        return super().import_data(dataset, **kwargs)

    def import_batch(self, dataset: Dataset, *, first_row: int, **kwargs: Any) -> Result:
        """Rows ``first_row``.. of a file whose header was checked: the caller holds the
        transaction, and the memory of earlier batches (row results) is freed."""
        self._row_offset = first_row - 1
        return super().import_data(
            dataset, use_transactions=True, rollback_on_validation_errors=True, **kwargs
        )

    def before_import(self, dataset: Dataset, **kwargs: Any) -> None:
        """Read every program the rows of this batch may update, in one query."""
        headers = dataset.headers or []
        column = {h: i for i, h in enumerate(headers)}

        def values(name: str) -> set[str]:
            if name not in column:
                return set()
            index = column[name]
            # A value with a NUL cannot be looked up on PostgreSQL; its row reports it.
            return {v for v in (_text(r[index]) for r in dataset) if v and "\x00" not in v}

        pks = {int(v) for v in values("id") if v.isascii() and v.isdecimal()}
        acgmes = {v for v in values("acgme_id") if v.lower() != "unknown"}
        names = values("name")
        found = self.get_queryset().filter(
            Q(pk__in=pks) | Q(acgme_id__in=acgmes) | Q(name__in=names)
        )
        self._by_pk, self._by_acgme, self._by_name = {}, {}, {}
        for program in found:
            self._remember(program)

    def _remember(self, program: Program) -> None:
        self._by_pk[program.pk] = program
        if program.acgme_id:
            self._by_acgme[(program.acgme_id, program.specialty_id, program.track)] = program
        key = (program.name, program.city, program.state, program.specialty_id, program.track)
        same = self._by_name.setdefault(key, [])
        if all(p.pk != program.pk for p in same):
            same.append(program)

    def after_save_instance(self, instance: Program, row: dict, **kwargs: Any) -> None:
        self._remember(instance)  # a later row of the file may name the same program

    # --- one row --------------------------------------------------------------------

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        number = self._row_offset + kwargs.get("row_number", 0)
        self._normalise_row(row)
        # Two rows for the same program: the same facts twice is harmless (the second is
        # "unchanged"), different facts would silently overwrite each other.
        signature = hash(tuple(sorted((k, _text(v)) for k, v in row.items())))
        keys = []
        if _text(row.get("id")):
            keys.append(("id", _text(row.get("id"))))
        acgme = _text(row.get("acgme_id"))
        if acgme and acgme.lower() != "unknown":
            keys.append(
                ("acgme_id", acgme, _text(row.get("specialty")).upper(), row.get("track", ""))
            )
        for key in keys:
            seen = self._seen_keys.get(key)
            if seen is None:
                self._seen_keys[key] = (number, signature)
            elif seen[1] != signature:
                self.conflicts += 1
                column = key[0]
                what = f"“{key[1]}”" + (f" ({key[2]}, {key[3]})" if column == "acgme_id" else "")
                raise ValidationError(
                    {column: f"{what} is also used in row {seen[0]} with different facts."}
                )
        self._check_same_program_without_ids(row, number)

    def _check_same_program_without_ids(self, row: dict, number: int) -> None:
        """Rows with neither id nor ACGME id find their program by specialty, name, city and
        state: two such rows would update one program, the second silently replacing the
        first. Report the second instead."""
        for column in ("id", "acgme_id"):
            if _text(row.get(column)).lower() not in UNKNOWN_WORDS:
                return
        parts = [self._clean_or_none(c, row) for c in ("specialty", "name", "city", "state")]
        if not all(parts):
            return  # the missing or bad value is reported against its own column
        specialty, name, city, state = parts
        key = ("program", specialty.pk, name, city, state, row.get("track", ""))
        if key in self._seen_programs:
            raise ValidationError(
                {
                    "name": f"Same specialty, name, city and state as row {self._seen_programs[key]}, "
                    "and neither row has an id or ACGME id, so both would update the same "
                    "program. Remove the duplicate row, or add the id column to tell them apart."
                }
            )
        self._seen_programs[key] = number

    def _normalise_row(self, row: dict) -> None:
        """Source conventions -> our columns: the visa list, the track (a preliminary
        track of IM or GS belongs to IM-PRELIM / GS-PRELIM), the file's season."""
        if "visas" in row:
            text = _text(row.pop("visas"))
            if text and text.lower() != "unknown":
                try:
                    j1, h1b = parse_visas(text)
                except ValueError as exc:
                    raise ValidationError({"visas": str(exc)}) from None
                for column, derived in (("j1", j1), ("h1b", h1b)):
                    stated = _text(row.get(column)).lower()
                    if stated and stated != derived:
                        raise ValidationError(
                            {column: f"“{row[column]}” contradicts the visa list “{text}”."}
                        )
                    row[column] = derived
            elif text.lower() == "unknown":
                row.setdefault("j1", "unknown")
                row.setdefault("h1b", "unknown")
        specialty = (
            self.fields["specialty"].widget.by_code().get(_text(row.get("specialty")).upper())
        )
        try:
            track = self.fields["track"].clean(row) if "track" in row else ""
        except ValueError as exc:
            raise ValidationError({"track": str(exc)}) from None
        if specialty is not None:
            if track == Track.PRELIMINARY and specialty.code in PRELIMINARY_SPECIALTY:
                row["specialty"] = PRELIMINARY_SPECIALTY[specialty.code]
            elif not track:
                track = specialty.track
        row["track"] = track or Track.CATEGORICAL
        accepting = _text(row.get("accepting_applications")).lower()
        if accepting and self.default_season and not _text(row.get("season")):
            row["season"] = str(self.default_season)
        if accepting in ("yes", "no") and not _text(row.get("season")):
            raise ValidationError(
                {
                    "accepting_applications": f"“{row['accepting_applications']}” needs the "
                    "season it is about: add a season column or give the file's season "
                    "(--season on the command line)."
                }
            )

    def import_field(self, field: Field, instance: Program, row: dict, **kwargs: Any) -> None:
        # On a program that exists, an empty cell keeps what is on file: a source that is
        # silent about a fact does not erase it. Only "unknown" clears it.
        if (
            instance.pk is not None
            and field.column_name not in IDENTITY_COLUMNS
            and field.column_name in row
            and _text(row[field.column_name]) == ""
        ):
            return
        super().import_field(field, instance, row, **kwargs)

    def validate_instance(
        self,
        instance: Program,
        import_validation_errors: dict | None = None,
        validate_unique: bool = True,
    ) -> None:
        """full_clean(): field validators and Program.clean(); messages quote the value.

        The model's CheckConstraints only repeat the field validators (ranges, choices,
        the 10-digit id); validating them here would cost a query each, per row. The
        database still enforces them on save, inside the import's transaction. The one
        unique constraint (ACGME id, specialty, track) is checked by get_instance, which
        updates the program that holds the key instead of creating a second one.
        """
        errors = dict(import_validation_errors or {})
        try:
            # The specialty widget already returned a stored Specialty: validating the
            # foreign key again would cost a query per row.
            instance.full_clean(
                exclude=[*errors, "specialty"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                value = getattr(instance, name, None) if name != "__all__" else None
                if name == "accepting_season":
                    name = "season"
                if value not in (None, ""):
                    messages = [f"“{value}”: {m}" for m in messages]
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance: Program, row: dict, **kwargs: Any) -> None:
        file_name = kwargs.get("file_name") or "a file"
        instance._change_reason = f"Imported from {file_name}"[:100]  # shown in history

    def get_instance(self, instance_loader: Any, row: dict) -> Program | None:
        if _text(row.get("id")):
            try:
                pk = self.fields["id"].clean(row)
            except ValueError as exc:
                raise ValidationError({"id": str(exc)}) from None
            program = self._by_pk.get(pk) or self.get_queryset().filter(pk=pk).first()
            if program is None:
                raise ValidationError(
                    {"id": f"No program has id {pk}; leave id empty to create a program."}
                )
            return program
        specialty = self._clean_or_none("specialty", row)
        track = row.get("track") or Track.CATEGORICAL
        acgme_id = self._clean_or_none("acgme_id", row)
        if acgme_id and specialty is not None:
            program = self._by_acgme.get((acgme_id, specialty.pk, track))
            if program is not None:
                return program
        return self._match_by_name(row, specialty, track, acgme_id)

    def _clean_or_none(self, column: str, row: dict) -> Any:
        if column not in row:
            return None
        try:
            return self.fields[column].clean(row)
        except ValueError:
            return None  # import_instance reports the bad value against its column

    def _match_by_name(
        self, row: dict, specialty: Specialty | None, track: str, acgme_id: str | None
    ) -> Program | None:
        name, city = self._clean_or_none("name", row), self._clean_or_none("city", row)
        state = self._clean_or_none("state", row)
        if not (name and city and state and specialty):
            return None
        matches = self._by_name.get((name, city, state, specialty.pk, track), [])
        if len(matches) > 1:
            self.conflicts += 1
            ids = ", ".join(str(p.pk) for p in matches[:5])
            raise ValidationError(
                {
                    "name": f"“{name}” ({city}, {state}, {specialty.code}) matches programs "
                    f"{ids}; add the id or acgme_id column to say which one to update."
                }
            )
        if not matches:
            return None
        program = matches[0]
        if acgme_id and program.acgme_id and program.acgme_id != acgme_id:
            self.conflicts += 1
            raise ValidationError(
                {
                    "acgme_id": f"“{acgme_id}” differs from ACGME id {program.acgme_id} of "
                    f"program {program.pk}, which has the same name, city, state and "
                    "specialty; correct the id, or the name if these are two programs."
                }
            )
        return program


class ProgramBatchResource(ProgramResource):
    """The command line's resource: no HTML diff per row (only the admin's preview shows it;
    building it was a tenth of the import's time)."""

    class Meta(ProgramResource.Meta):
        skip_html_diff = True


def header_problems(headers: list[str]) -> list[str]:
    """What is wrong with a file's header line (an empty list when nothing)."""
    problems = []
    allowed = (*COLUMNS, *IMPORT_ONLY_COLUMNS)
    unknown = [h for h in headers if h not in allowed and h != "(no header)"]
    if unknown:
        problems.append(
            f"Unknown column(s): {', '.join(unknown)}. Allowed columns: {', '.join(allowed)}."
        )
    duplicated = sorted({h for h in headers if headers.count(h) > 1 and h != "(no header)"})
    if duplicated:
        problems.append(f"Column(s) given more than once: {', '.join(duplicated)}.")
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        problems.append(f"Missing required column(s): {', '.join(missing)}.")
    return problems


def normalise_headers(headers: Iterable[Any]) -> list[str]:
    return [_text(h).lower() or "(no header)" for h in headers]


def normalise_dataset(dataset: Dataset) -> Dataset:
    """Trim and lower-case header names; drop unnamed empty columns and trailing blank rows.

    Spreadsheets often carry formatted but empty columns and rows after the data.
    Blank rows in the middle are kept, so row numbers still match the file.
    """
    headers = [_text(h).lower() for h in (dataset.headers or [])]
    rows = [list(r) for r in dataset]
    keep = [i for i, h in enumerate(headers) if h or any(_text(r[i]) for r in rows)]
    while rows and all(_text(v) == "" for v in rows[-1]):
        rows.pop()
    cleaned = Dataset(headers=[headers[i] or "(no header)" for i in keep])
    for r in rows:
        cleaned.append([r[i] for i in keep])
    return cleaned


def iter_row_errors(result: Result, offset: int = 0) -> Iterable[tuple[int | None, str, str]]:
    """Every problem in an import result as (row number, column, reason).

    Row numbers count data rows: row 1 is the first line after the header (``offset``
    is added for a batch that starts later in the file). File-level problems have no
    row and the column "-".
    """
    for error in result.base_errors:
        yield None, "-", _error_message(error.error)
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            label = "-" if column == "__all__" else column
            for message in messages:
                yield row.number + offset, label, message
    for number, errors in result.row_errors():
        for error in errors:
            yield number + offset, "-", _error_message(error.error)


def _error_message(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error) or type(error).__name__
