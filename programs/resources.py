"""Import and export of the program catalog (CSV and XLSX).

One resource serves both the Django admin (preview, row-level errors, confirm) and
``manage.py import_programs``, so a file is judged by the same rules everywhere:

- every value is parsed by a strict widget below (a wrong value is a row error naming
  the column, never a silent guess);
- then the model's ``full_clean()`` runs, so field validators, ``Program.clean()`` and
  the database constraints' Python mirrors all apply;
- the whole file is one transaction, rolled back when any row is bad.

The file format is documented in docs/import-programs.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import Error, Result
from tablib import Dataset

from programs.models import US_STATE_CODES, Program, ProgramType, Specialty, YesNoUnknown

UNKNOWN_WORDS = frozenset({"", "unknown"})

# Columns a file must have; every other column is optional. On an update an absent
# optional column leaves the stored value alone; on a create it means "unknown".
REQUIRED_COLUMNS = ("name", "institution", "city", "state", "specialty", "program_type")

COLUMNS = (
    "id",
    "acgme_id",
    "name",
    "institution",
    "city",
    "state",
    "specialty",
    "program_type",
    "positions",
    "j1",
    "h1b",
    "img_share",
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


class YesNoUnknownWidget(widgets.Widget):
    """yes / no / unknown; an empty cell is unknown, because unknown is not no."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        text = _text(value).lower()
        if text in UNKNOWN_WORDS:
            return YesNoUnknown.UNKNOWN
        if text in (YesNoUnknown.YES, YesNoUnknown.NO):
            return text
        raise ValueError(f"“{_text(value)}” is not one of yes, no, unknown (empty means unknown).")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or YesNoUnknown.UNKNOWN


class OptionalIntegerWidget(widgets.Widget):
    """A whole number or unknown (empty cell or the word "unknown")."""

    def __init__(self, *, allow_percent: bool = False) -> None:
        super().__init__(coerce_to_string=True)
        self.allow_percent = allow_percent

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> int | None:
        if isinstance(value, bool):
            raise ValueError(f"“{value}” is not a whole number.")
        if isinstance(value, int):
            return value
        text = _text(value)
        if text.lower() in UNKNOWN_WORDS:
            return None
        if self.allow_percent and text.endswith("%"):
            text = text[:-1].strip()
        if not (text.isascii() and text.isdigit()):
            expected = "a whole number, e.g. 41 or 41%" if self.allow_percent else "a whole number"
            raise ValueError(f"“{_text(value)}” is not {expected} (leave empty if unknown).")
        return int(text)

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


class ProgramTypeWidget(widgets.Widget):
    """The program type code (e.g. community_university); its label is accepted too."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        text = _text(value).lower()
        for code, label in ProgramType.choices:
            if text in (code, str(label).lower()):
                return code
        allowed = ", ".join(ProgramType.values)
        raise ValueError(f"“{_text(value)}” is not a program type; use one of {allowed}.")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or ""


class SpecialtyCodeWidget(widgets.ForeignKeyWidget):
    """A specialty by its stable code (IM, GS-PRELIM ...), case-insensitive.

    The 13 specialties are read once per import instead of once per row.
    """

    def __init__(self) -> None:
        super().__init__(Specialty, "code")
        self._by_code: dict[str, Specialty] | None = None

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> Specialty:
        if self._by_code is None:
            self._by_code = {s.code.upper(): s for s in Specialty.objects.all()}
        code = _text(value).upper()
        if code in self._by_code:
            return self._by_code[code]
        allowed = ", ".join(sorted(self._by_code))
        if not code:
            raise ValueError(f"A specialty code is required: one of {allowed}.")
        raise ValueError(f"“{_text(value)}” is not a specialty code; use one of {allowed}.")


class ProgramResource(resources.ModelResource):
    """CSV/XLSX rows <-> Program records. See docs/import-programs.md for the format.

    Which record a row updates (``get_instance``):

    1. ``id`` (MatchPlan's own id, present in every export) when the cell is filled:
       that program is updated, and an id that does not exist is a row error;
    2. otherwise ``acgme_id`` when filled: the program with that ACGME id is updated;
    3. otherwise, or when no program has that ACGME id, a program with the same
       specialty, name, city and state and no ACGME id is updated (so re-importing a
       file without ids does not duplicate it);
    4. otherwise a new program is created.
    """

    id = Field(attribute="id", column_name="id", widget=OptionalIntegerWidget(), readonly=True)
    acgme_id = Field(attribute="acgme_id", column_name="acgme_id", widget=AcgmeIdWidget())
    name = Field(attribute="name", column_name="name", widget=TextWidget())
    institution = Field(attribute="institution", column_name="institution", widget=TextWidget())
    city = Field(attribute="city", column_name="city", widget=TextWidget())
    state = Field(attribute="state", column_name="state", widget=StateWidget())
    specialty = Field(attribute="specialty", column_name="specialty", widget=SpecialtyCodeWidget())
    program_type = Field(
        attribute="program_type", column_name="program_type", widget=ProgramTypeWidget()
    )
    positions = Field(
        attribute="positions", column_name="positions", widget=OptionalIntegerWidget()
    )
    j1 = Field(attribute="j1", column_name="j1", widget=YesNoUnknownWidget())
    h1b = Field(attribute="h1b", column_name="h1b", widget=YesNoUnknownWidget())
    img_share = Field(
        attribute="img_share",
        column_name="img_share",
        widget=OptionalIntegerWidget(allow_percent=True),
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
        clean_model_instances = True  # full_clean(): validators, clean(), unique acgme_id
        use_transactions = True
        # Re-importing an unchanged row is reported as skipped and writes no history.
        # (skip_unchanged needs the diff, so skip_diff stays False.)
        skip_unchanged = True
        report_skipped = True
        skip_diff = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._seen_keys: dict[tuple[Any, ...], int] = {}

    def get_queryset(self) -> QuerySet[Program]:
        return Program.objects.select_related("specialty")

    def export_field(self, field: Field, instance: Any, **kwargs: Any) -> Any:
        # Every export (admin CSV and XLSX alike) goes through here.
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    # --- whole file -----------------------------------------------------------------

    def import_data(self, dataset: Dataset, **kwargs: Any) -> Result:
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
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset: Dataset, **kwargs: Any) -> None:
        self._seen_keys = {}

    # --- one row --------------------------------------------------------------------

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        # Two rows for the same program would silently overwrite each other.
        number = kwargs.get("row_number", 0)
        for column in ("id", "acgme_id"):
            value = _text(row.get(column))
            if not value or value.lower() == "unknown":
                continue
            key = (column, value)
            if key in self._seen_keys:
                raise ValidationError(
                    {column: f"“{value}” is also used in row {self._seen_keys[key]}."}
                )
            self._seen_keys[key] = number
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
        key = ("program", specialty.pk, name, city, state)
        if key in self._seen_keys:
            raise ValidationError(
                {
                    "name": f"Same specialty, name, city and state as row {self._seen_keys[key]}, "
                    "and neither row has an id or ACGME id, so both would update the same "
                    "program. Remove the duplicate row, or add the id column to tell them apart."
                }
            )
        self._seen_keys[key] = number

    def validate_instance(
        self,
        instance: Program,
        import_validation_errors: dict | None = None,
        validate_unique: bool = True,
    ) -> None:
        """full_clean(): field validators, Program.clean() and the unique ACGME id.

        The model's CheckConstraints only repeat the field validators (ranges, choices,
        the 10-digit id); validating them here would cost a query each, per row. The
        database still enforces them on save, inside the import's transaction.
        """
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=list(errors), validate_unique=validate_unique, validate_constraints=False
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance: Program, row: dict, **kwargs: Any) -> None:
        file_name = kwargs.get("file_name") or "a file"
        instance._change_reason = f"Imported from {file_name}"[:100]  # shown in history

    def get_instance(self, instance_loader: Any, row: dict) -> Program | None:
        queryset = self.get_queryset()
        if _text(row.get("id")):
            try:
                pk = self.fields["id"].clean(row)
            except ValueError as exc:
                raise ValidationError({"id": str(exc)}) from None
            program = queryset.filter(pk=pk).first()
            if program is None:
                raise ValidationError(
                    {"id": f"No program has id {pk}; leave id empty to create a program."}
                )
            return program
        acgme_id = self._clean_or_none("acgme_id", row)
        if acgme_id:
            program = queryset.filter(acgme_id=acgme_id).first()
            if program is not None:
                return program
        return self._match_by_name(queryset, row)

    def _clean_or_none(self, column: str, row: dict) -> Any:
        if column not in row:
            return None
        try:
            return self.fields[column].clean(row)
        except ValueError:
            return None  # import_instance reports the bad value against its column

    def _match_by_name(self, queryset: QuerySet[Program], row: dict) -> Program | None:
        key = {c: self._clean_or_none(c, row) for c in ("specialty", "name", "city", "state")}
        if not all(key.values()):
            return None
        matches = list(queryset.filter(acgme_id__isnull=True, **key)[:2])
        if len(matches) > 1:
            raise ValidationError(
                {
                    "name": "Several programs without an ACGME id share this specialty, "
                    "name, city and state; add the id column to say which one to update."
                }
            )
        return matches[0] if matches else None


def header_problems(headers: list[str]) -> list[str]:
    """What is wrong with a file's header line (an empty list when nothing)."""
    problems = []
    unknown = [h for h in headers if h not in COLUMNS]
    if unknown:
        problems.append(
            f"Unknown column(s): {', '.join(unknown)}. Allowed columns: {', '.join(COLUMNS)}."
        )
    duplicated = sorted({h for h in headers if headers.count(h) > 1})
    if duplicated:
        problems.append(f"Column(s) given more than once: {', '.join(duplicated)}.")
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        problems.append(f"Missing required column(s): {', '.join(missing)}.")
    return problems


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


def iter_row_errors(result: Result) -> Iterable[tuple[int | None, str, str]]:
    """Every problem in an import result as (row number, column, reason).

    Row numbers count data rows: row 1 is the first line after the header.
    File-level problems have no row and the column "-".
    """
    for error in result.base_errors:
        yield None, "-", _error_message(error.error)
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            label = "-" if column == "__all__" else column
            for message in messages:
                yield row.number, label, message
    for number, errors in result.row_errors():
        for error in errors:
            yield number, "-", _error_message(error.error)


def _error_message(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error) or type(error).__name__
