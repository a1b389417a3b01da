from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from tablib import Dataset

from programs.admin import ProgramAdmin
from programs.models import Program
from programs.services import programs_import
from tests.factories import ProgramFactory, UserFactory, specialty

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:programs_program_changelist")
IMPORT = reverse("admin:programs_program_import")
PROCESS_IMPORT = reverse("admin:programs_program_process_import")
EXPORT = reverse("admin:programs_program_export")
HEADER = "acgme_id,name,institution,city,state,specialty,program_type,img_share,j1"


def csv_upload(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "programs.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv"
    )


def listed_names(response: Any) -> set[str]:
    return {p.name for p in response.context["cl"].result_list}


def test_anonymous_users_are_sent_to_the_admin_login(client: Client) -> None:
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_changelist_shows_the_key_facts(staff_client: Client) -> None:
    ProgramFactory(name="Visible Program", img_share=None, city="Albany", state="NY")

    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Visible Program" in html
    assert "Albany, NY" in html
    assert "unknown" in html  # the IMG share column says unknown, not a blank


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("img_band=unknown", {"Unknown share"}),
        ("img_band=lt25", {"Low share"}),
        ("img_band=25-49", {"Middle share"}),
        ("img_band=50plus", {"High share"}),
        ("verification=stale", {"Low share", "Unknown share"}),
        ("verification=never", {"Unknown share"}),
        ("verification=current", {"Middle share", "High share"}),
        ("j1__exact=no", {"Middle share"}),
        ("state__exact=TX", {"High share"}),
        ("program_type__exact=university", {"Low share"}),
        ("q=Low", {"Low share"}),
        ("q=1400000777", {"High share"}),
    ],
)
def test_changelist_filters_and_search(staff_client: Client, query: str, expected: set) -> None:
    today = timezone.localdate()
    ProgramFactory(name="Unknown share", img_share=None, last_verified=None)
    ProgramFactory(
        name="Low share",
        img_share=10,
        program_type="university",
        last_verified=today - dt.timedelta(days=400),
    )
    ProgramFactory(name="Middle share", img_share=25, j1="no")
    ProgramFactory(name="High share", img_share=50, state="TX", acgme_id="1400000777")

    response = staff_client.get(f"{CHANGELIST}?{query}")

    assert response.status_code == 200
    assert listed_names(response) == expected


def test_changelist_filters_by_specialty(staff_client: Client) -> None:
    ProgramFactory(name="Surgery", specialty=specialty("GS"))
    ProgramFactory(name="Medicine", specialty=specialty("IM"))

    response = staff_client.get(f"{CHANGELIST}?specialty__id__exact={specialty('GS').pk}")

    assert listed_names(response) == {"Surgery"}


def test_changelist_queries_do_not_grow_with_the_catalog(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    ProgramFactory.create_batch(5)
    staff_client.get(CHANGELIST)  # warm the session and content types
    with django_assert_max_num_queries(12) as small:
        staff_client.get(CHANGELIST)
    ProgramFactory.create_batch(60)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(CHANGELIST)

    assert response.status_code == 200


def test_the_change_form_and_history_pages_open(staff_client: Client) -> None:
    program = ProgramFactory()

    change = staff_client.get(reverse("admin:programs_program_change", args=[program.pk]))
    history = staff_client.get(reverse("admin:programs_program_history", args=[program.pk]))

    assert change.status_code == 200
    assert history.status_code == 200


def test_an_admin_edit_is_recorded_in_the_history_with_its_author(
    staff_client: Client, staff_user: Any
) -> None:
    program = ProgramFactory(img_share=30)
    change_url = reverse("admin:programs_program_change", args=[program.pk])
    form = staff_client.get(change_url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"img_share": 55, "specialty": program.specialty_id, "website": program.website})
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data.pop("updated_at", None)
    data["last_verified"] = program.last_verified.isoformat()

    response = staff_client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.img_share == 55
    latest = program.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == staff_user
    assert latest.img_share == 55


def _post_change(staff_client: Client, program: Program, **changes: Any) -> Any:
    """Post the program's admin change form as it is shown, with ``changes``."""
    change_url = reverse("admin:programs_program_change", args=[program.pk])
    form = staff_client.get(change_url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k != "updated_at"}
    data.update({**changes, "specialty": program.specialty_id})
    data["last_verified"] = program.last_verified.isoformat()
    return staff_client.post(change_url, data)


def test_the_admin_form_rejects_an_out_of_range_value(staff_client: Client) -> None:
    program = ProgramFactory(img_share=30)
    response = _post_change(staff_client, program, img_share=120)

    assert response.status_code == 200
    assert "img_share" in response.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.img_share == 30


def test_the_admin_form_wants_the_season_of_an_accepting_answer(staff_client: Client) -> None:
    program = ProgramFactory(accepting_applications="unknown", accepting_season=None)
    response = _post_change(staff_client, program, accepting_applications="yes")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["accepting_season"]
    assert "Give the season that “accepting applications: Yes” is about" in response.text
    program.refresh_from_db()
    assert program.accepting_applications == "unknown"


def test_the_admin_form_refuses_more_first_year_than_total_positions(
    staff_client: Client,
) -> None:
    program = ProgramFactory(positions=10, total_positions=30)
    response = _post_change(staff_client, program, positions=40)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["positions"]
    assert "The 40 first-year positions cannot be more than the 30 total" in response.text
    program.refresh_from_db()
    assert program.positions == 10


def test_mark_verified_today_sets_the_date_and_records_history(
    staff_client: Client, staff_user: Any
) -> None:
    old = timezone.localdate() - dt.timedelta(days=500)
    chosen = ProgramFactory(last_verified=old)
    other = ProgramFactory(last_verified=old)

    response = staff_client.post(
        CHANGELIST, {"action": "mark_verified_today", "_selected_action": [chosen.pk]}
    )

    assert response.status_code == 302
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert chosen.last_verified == timezone.localdate()
    assert other.last_verified == old
    entry = chosen.history.first()
    assert entry.history_change_reason == "Marked verified"
    assert entry.history_user == staff_user


def test_the_import_page_opens(staff_client: Client) -> None:
    response = staff_client.get(IMPORT)

    assert response.status_code == 200
    assert "acgme_id" in response.content.decode()  # the accepted columns are listed


def test_an_admin_import_with_bad_rows_shows_them_and_creates_nothing(
    staff_client: Client,
) -> None:
    upload = csv_upload(
        HEADER,
        "1400000301,Good,Inst,City,NY,IM,community,40,yes",
        "1400000302,Bad,Inst,City,ZZ,IM,community,140,yes",
    )

    response = staff_client.post(IMPORT, {"format": "0", "resource": "0", "import_file": upload})

    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [2]
    assert set(result.invalid_rows[0].error_dict) == {"state", "img_share"}
    assert "confirm_form" not in response.context  # no way to confirm a bad file
    assert "is not a US state or territory code" in response.content.decode()
    assert not Program.objects.exists()


def test_an_admin_import_with_an_unknown_column_shows_the_problem(staff_client: Client) -> None:
    upload = csv_upload(HEADER + ",colour", "1400000301,Good,Inst,City,NY,IM,community,40,yes,red")

    response = staff_client.post(IMPORT, {"format": "0", "resource": "0", "import_file": upload})

    assert "Unknown column(s): colour" in response.content.decode()
    assert not Program.objects.exists()


def test_an_admin_import_previews_then_creates_on_confirm(
    staff_client: Client, staff_user: Any
) -> None:
    upload = csv_upload(HEADER, "1400000301,Good,Inst,City,NY,IM,community,40,yes")

    preview = staff_client.post(IMPORT, {"format": "0", "resource": "0", "import_file": upload})

    assert preview.status_code == 200
    assert not Program.objects.exists()  # the preview is a dry run
    confirm = preview.context["confirm_form"]
    response = staff_client.post(PROCESS_IMPORT, confirm.initial)

    assert response.status_code == 302
    program = Program.objects.get(acgme_id="1400000301")
    assert program.img_share == 40
    assert program.history.first().history_user == staff_user


def test_export_downloads_a_csv_that_imports_back(staff_client: Client) -> None:
    ProgramFactory(name="Round Trip", img_share=None, j1="unknown")
    form = staff_client.get(EXPORT).context["form"]
    data = {"format": "0", "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("programresource_")})

    response = staff_client.post(EXPORT, data)

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("id,acgme_id,name")
    assert "Round Trip" in row
    assert ",unknown," in row


def _export(staff_client: Client, file_format: str) -> Any:
    form = staff_client.get(EXPORT).context["form"]
    formats = dict(form.fields["format"].choices)
    index = next(key for key, label in formats.items() if label.lower() == file_format)
    data = {"format": str(index), "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("programresource_")})
    response = staff_client.post(EXPORT, data)
    assert response.status_code == 200
    return response


FORMULAS = {
    "name": '=HYPERLINK("http://evil.example/","Click")',
    "institution": "+1+2",
    "city": "-2+3",
    "notes": "@SUM(A1:A2)",
    "source": "\tcmd",
}


def test_the_admin_csv_export_neutralises_spreadsheet_formulas(staff_client: Client) -> None:
    ProgramFactory(**FORMULAS)

    text = _export(staff_client, "csv").content.decode("utf-8-sig")

    header, row = list(csv.reader(io.StringIO(text)))[:2]
    cells = dict(zip(header, row, strict=True))
    for column, value in FORMULAS.items():
        assert cells[column] == "'" + value, column
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in row)


def test_the_admin_xlsx_export_holds_no_formula_cells(staff_client: Client) -> None:
    ProgramFactory(**FORMULAS)

    sheet = load_workbook(io.BytesIO(_export(staff_client, "xlsx").content)).active
    header, row = [list(r) for r in sheet.iter_rows(max_row=2)]
    for cell in row:
        assert cell.data_type != "f", cell.value
    values = {h.value: c.value for h, c in zip(header, row, strict=True)}
    assert values["name"] == "'" + FORMULAS["name"]


def test_a_neutralised_export_imports_back_unchanged(staff_client: Client) -> None:
    program = ProgramFactory(**FORMULAS)
    text = _export(staff_client, "csv").content.decode("utf-8-sig")

    report = programs_import(dataset=Dataset().load(text, format="csv"), dry_run=False)

    assert report.ok, report.problems
    program.refresh_from_db()
    for column, value in FORMULAS.items():
        assert getattr(program, column) == value, column


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("accepting_applications__exact=no", {"Closed"}),
        ("affiliation__exact=veterans_affairs", {"VA"}),
        ("application_platform__exact=residencycas", {"On CAS"}),
        ("track__exact=preliminary", {"Prelim"}),
        ("accredited=new", {"New"}),
    ],
)
def test_changelist_filters_on_the_public_data_facts(
    staff_client: Client, query: str, expected: set
) -> None:
    year = timezone.localdate().year
    ProgramFactory(name="Closed", accepting_applications="no", accepting_season=year)
    ProgramFactory(name="VA", affiliation="veterans_affairs")
    ProgramFactory(name="On CAS", application_platform="residencycas")
    ProgramFactory(name="Prelim", specialty=specialty("IM-PRELIM"), track="preliminary")
    ProgramFactory(name="New", first_accredited=year - 2)

    response = staff_client.get(f"{CHANGELIST}?{query}")

    assert response.status_code == 200
    assert listed_names(response) == expected


def test_the_change_form_shows_the_public_data_facts(staff_client: Client) -> None:
    program = ProgramFactory(accepting_applications="no", accepting_season=2026)

    html = staff_client.get(
        reverse("admin:programs_program_change", args=[program.pk])
    ).content.decode()

    for label in (
        "Accepting applications",
        "Season (application year)",
        "Application platform",
        "Government affiliation",
        "First year of accreditation",
        "Total positions (all years)",
        "DO residents (%)",
        "US MD residents (%)",
        "Track",
    ):
        assert label in html


def test_an_admin_csv_import_with_a_row_of_the_wrong_width_names_the_row_and_writes_nothing(
    staff_client: Client,
) -> None:
    upload = csv_upload(
        HEADER,
        "1400000301,Good,Inst,City,NY,IM,community,40,yes",
        "1400000302,Also,Inst,City,NY,IM,community,40,yes,J-1 only",
    )

    response = staff_client.post(IMPORT, {"format": "0", "resource": "0", "import_file": upload})

    html = response.content.decode()
    assert response.status_code == 200
    assert "row 2: the row has 10 cell(s) but the header has 9 column(s)" in html
    assert "InvalidDimensions" not in html
    assert not Program.objects.exists()


def test_an_admin_csv_import_of_a_file_not_in_utf8_says_so(staff_client: Client) -> None:
    # Excel's plain "CSV" on Windows writes cp1252: "Hôpital" is not UTF-8.
    upload = SimpleUploadedFile(
        "programs.csv",
        (HEADER + "\n1400000301,Hôpital,Inst,City,NY,IM,community,40,yes\n").encode("cp1252"),
        content_type="text/csv",
    )

    response = staff_client.post(IMPORT, {"format": "0", "resource": "0", "import_file": upload})

    html = response.content.decode()
    assert "is not UTF-8 text" in html
    assert "save it as “CSV UTF-8”" in html
    assert not Program.objects.exists()


@pytest.mark.parametrize("dimension", ["", None, "A1:I2"], ids=["stated", "no size", "wrong size"])
def test_an_admin_xlsx_import_with_a_value_beyond_the_header_names_it_and_writes_nothing(
    staff_client: Client, tmp_path: Any, dimension: str | None
) -> None:
    from tests.programs.test_import import _xlsx

    path = _xlsx(
        tmp_path,
        HEADER.split(","),
        ["1400000301", "Good", "Inst", "City", "NY", "IM", "community", 40, "yes"],
        ["1400000302", "Also", "Inst", "City", "NY", "IM", "community", 40, "yes", "J-1 only"],
        dimension=dimension,
    )
    upload = SimpleUploadedFile("programs.xlsx", path.read_bytes())
    xlsx = str([f.__name__ for f in ProgramAdmin.formats].index("ProgramXLSX"))

    response = staff_client.post(IMPORT, {"format": xlsx, "resource": "0", "import_file": upload})

    html = response.content.decode()
    assert response.status_code == 200
    assert "row 2: “J-1 only” in column J is beyond the header&#x27;s 9 column(s)" in html
    assert not Program.objects.exists()


def test_an_admin_xlsx_import_of_a_good_workbook_previews_its_rows(
    staff_client: Client, tmp_path: Any
) -> None:
    from tests.programs.test_import import _xlsx

    path = _xlsx(
        tmp_path,
        HEADER.split(","),
        ["1400000301", "Good", "Inst", "City", "NY", "IM", "community", 40, "yes", None],
        dimension=None,
    )
    upload = SimpleUploadedFile("programs.xlsx", path.read_bytes())
    xlsx = str([f.__name__ for f in ProgramAdmin.formats].index("ProgramXLSX"))

    response = staff_client.post(IMPORT, {"format": xlsx, "resource": "0", "import_file": upload})

    assert "confirm_form" in response.context
    assert [row.import_type for row in response.context["result"].rows] == ["new"]


def test_mark_verified_today_is_named_and_offered_only_to_staff_who_may_change_programs(
    staff_client: Client,
) -> None:
    old = timezone.localdate() - dt.timedelta(days=500)
    program = ProgramFactory(last_verified=old)
    viewer = UserFactory(email="catalog-viewer@example.org", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_program"))
    client = Client()
    client.force_login(viewer)

    assert "Mark selected programs verified today" in staff_client.get(CHANGELIST).text
    assert "mark_verified_today" not in client.get(CHANGELIST).text
    client.post(CHANGELIST, {"action": "mark_verified_today", "_selected_action": [program.pk]})

    program.refresh_from_db()
    assert program.last_verified == old
