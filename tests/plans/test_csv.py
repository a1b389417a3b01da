"""CSV export of a plan's program list."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from assessments.plans.table import CSV_COLUMNS
from programs.exports import csv_safe
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Plain name", "Plain name"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (240, "240"),
    ],
)
def test_csv_safe_neutralises_formula_starts(value, expected):
    assert csv_safe(value) == expected


def _rows(response) -> list[list[str]]:
    assert response.streaming  # sent in chunks, never built whole in memory
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_lists_every_program_with_headers_and_a_bom(client):
    owner = UserFactory()
    em_programs(
        2,
        city="Albany",
        state="NY",
        img_share=55,
        step2_typical=230,
        h1b="unknown",
        source="NY program survey",
        last_verified=dt.date(2026, 8, 3),
    )
    plan = make_plan(owner)
    client.force_login(owner)

    response = client.get(reverse("assessments:plan_csv", args=[plan.token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".csv" in disposition
    rows = _rows(response)
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["fit"] == "likely"
    assert first["city"] == "Albany" and first["state"] == "NY"
    assert first["specialty"] == "EM"
    assert first["J-1"] == "yes" and first["H-1B"] == "unknown"
    assert first["IMG share"] == "55%"
    assert first["typical Step 2 CK"] == "230"
    assert "Your Step 2 CK 238 against its typical 230" in first["reasons"]
    assert first["source"] == "NY program survey"
    assert first["last verified"] == "2026-08-03"


def test_formula_like_program_names_are_neutralised_in_the_file(client):
    owner = UserFactory()
    em_programs(1, name='=HYPERLINK("http://evil.example","click")', institution="@Risky")
    plan = make_plan(owner)
    client.force_login(owner)
    rows = _rows(client.get(reverse("assessments:plan_csv", args=[plan.token])))
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][2] == "'@Risky"


def test_the_csv_follows_the_page_filters(client):
    owner = UserFactory()
    em_programs(1, name="Alpha Program", state="NY")
    em_programs(1, name="Beta Program", state="TX")
    plan = make_plan(owner)
    client.force_login(owner)
    rows = _rows(client.get(reverse("assessments:plan_csv", args=[plan.token]) + "?state=TX"))
    assert [r[1] for r in rows[1:]] == ["Beta Program"]


def test_another_user_cannot_download_the_csv(client):
    plan = make_plan(UserFactory())
    client.force_login(UserFactory())
    assert client.get(reverse("assessments:plan_csv", args=[plan.token])).status_code == 404


def test_the_csv_is_streamed_in_chunks_and_never_cached(client, monkeypatch):
    from assessments.views import plans as plan_views

    monkeypatch.setattr(plan_views, "CSV_ROWS_PER_CHUNK", 2)
    owner = UserFactory()
    em_programs(5)
    plan = make_plan(owner)
    client.force_login(owner)

    response = client.get(reverse("assessments:plan_csv", args=[plan.token]))

    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8")[1:])))
    assert rows[0] == list(CSV_COLUMNS) and len(rows) == 6
    assert response["Cache-Control"] == "private, no-store"
