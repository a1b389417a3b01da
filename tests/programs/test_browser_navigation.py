"""The program browser's paging, its way back from a program, its wording and its CSV
export; the demo-data warning in the export, in Django admin and in the account export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from programs.context_processors import DEMO_CACHE_KEY
from tests.factories import ProgramFactory, UserFactory, specialty

pytestmark = pytest.mark.django_db

LIST = reverse("programs:list")
CSV = reverse("programs:csv")


def test_the_pager_offers_page_numbers_that_keep_the_filters(client: Client) -> None:
    ProgramFactory.create_batch(300, state="NY")
    html = client.get(LIST, {"state": "NY", "page": "6"}).content.decode()

    assert "300</strong> programs match your filters, page 6 of 12" in html
    # the first, the neighbours of the current page and the last, with an ellipsis between
    for number in (1, 4, 5, 7, 8, 12):
        assert f'aria-label="Page {number}">{number}</a>' in html
    assert f'href="{LIST}?state=NY&amp;page=8"' in html
    assert f'href="{LIST}?state=NY"' in html  # page 1 needs no page parameter
    assert (
        'aria-current="page"><span class="page-link"><span class="visually-hidden">Page </span>6<'
        in html
    )
    assert html.count('<span class="page-link">…</span>') == 2


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1</strong> program matches your filters"), (2, "2</strong> programs match your filters")],
)
def test_the_count_agrees_with_its_verb(client: Client, count: int, text: str) -> None:
    ProgramFactory.create_batch(count, state="NY")
    assert text in client.get(LIST, {"state": "NY"}).content.decode()


def test_a_program_links_back_to_the_filtered_page_it_was_found_on(client: Client) -> None:
    for n in range(30):
        ProgramFactory(name=f"P{n:02d}", state="NY", specialty=specialty("IM"))
    html = client.get(LIST, {"state": "NY", "specialty": "IM", "page": "2"}).content.decode()
    link = html.split('<td data-label="Program"><a href="', 1)[1].split('"', 1)[0]
    assert link.endswith("?specialty=IM&amp;state=NY&amp;page=2")

    detail = client.get(link.replace("&amp;", "&")).content.decode()

    back = f'href="{LIST}?specialty=IM&amp;state=NY&amp;page=2"'
    assert back in detail and "Back to the results" in detail


def test_the_back_link_never_echoes_bad_input(client: Client) -> None:
    program = ProgramFactory()
    url = reverse("programs:detail", args=[program.pk])
    detail = client.get(url, {"state": '"><script>', "page": "-3", "next": "//evil"})
    html = detail.content.decode()
    assert detail.status_code == 200
    assert f'href="{LIST}" class="program-back-link"' in html
    assert "evil" not in html and "<script>" not in html


def test_the_back_link_keeps_the_filters_without_reading_the_specialty_list(
    client: Client, django_assert_num_queries
) -> None:
    program = ProgramFactory(specialty=specialty("IM"))
    url = reverse("programs:detail", args=[program.pk])
    client.get(url)  # the site-wide demo notice's answer is cached from now on

    # The program with its specialty, and the shared outcomes on the tracker panel.
    with django_assert_num_queries(2):
        html = client.get(url, {"specialty": "IM", "state": "NY", "page": "2"}).content.decode()
    other = client.get(url, {"specialty": "EM", "state": "NY"}).content.decode()

    assert f'href="{LIST}?specialty=IM&amp;state=NY&amp;page=2" class="program-back-link"' in html
    # Another specialty's list never showed this program: that filter is not echoed.
    assert f'href="{LIST}?state=NY" class="program-back-link"' in other


def _csv(client: Client, params: dict | None = None) -> list[list[str]]:
    response = client.get(CSV, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_export_carries_the_filtered_programs_with_acgme_id_and_website(
    client: Client,
) -> None:
    ProgramFactory(name="Kept", state="NY", acgme_id="1400000001", website="https://kept.example")
    ProgramFactory(name="Elsewhere", state="TX")
    ProgramFactory(name="=HYPERLINK(1)", state="NY", website="")

    rows = _csv(client, {"state": "NY"})

    header, *body = rows
    assert header[:8] == [
        "name",
        "institution",
        "city",
        "state",
        "specialty",
        "program type",
        "ACGME ID",
        "website",
    ]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_name) == {"Kept", "'=HYPERLINK(1)"}  # filtered, formulas neutralised
    assert by_name["Kept"]["ACGME ID"] == "1400000001"
    assert by_name["Kept"]["website"] == "https://kept.example"
    assert by_name["Kept"]["fictional"] == "no"


def test_the_csv_export_starts_with_the_demo_warning_while_demo_programs_are_in(
    client: Client,
) -> None:
    ProgramFactory(name="Real")
    assert _csv(client)[0][0] == "name"

    ProgramFactory(name="Made up", source=settings.DEMO_SOURCE)
    cache.delete(DEMO_CACHE_KEY)  # as load_demo does
    rows = _csv(client)

    assert rows[0][0].startswith("Demo data: the programs in this catalog are fictional")
    assert rows[1][0] == "name"
    assert {row[0]: row[-1] for row in rows[2:]} == {"Made up": "yes", "Real": "no"}


def test_csv_downloads_are_limited_per_client(client: Client, settings) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "programs_csv": "2/600"}
    ProgramFactory()
    for _ in range(2):
        assert len(_csv(client)) == 2

    response = client.get(CSV)

    assert response.status_code == 429
    assert "limit of 2 downloads per 10 minutes" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 600
    assert client.get(CSV, REMOTE_ADDR="198.51.100.9").status_code == 200  # another client


def test_the_results_offer_the_csv_of_the_same_filters(client: Client) -> None:
    ProgramFactory(state="NY")
    html = client.get(LIST, {"state": "NY"}).content.decode()
    assert f'href="{CSV}?state=NY"' in html


def test_django_admin_shows_the_demo_notice_while_demo_programs_are_in(client: Client) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:programs_program_changelist")
    assert "Demo data:" not in client.get(url).content.decode()

    ProgramFactory(source=settings.DEMO_SOURCE)
    cache.delete(DEMO_CACHE_KEY)  # as load_demo does
    html = client.get(url).content.decode()

    assert '<div class="demo-notice" role="note"><strong>Demo data:</strong>' in html


def test_the_account_export_carries_the_demo_notice_while_demo_programs_are_in(
    client: Client,
) -> None:
    client.force_login(UserFactory())
    data = json.loads(client.get(reverse("accounts:export")).content)
    assert data["demo_notice"] is None

    ProgramFactory(source=settings.DEMO_SOURCE)
    cache.delete(DEMO_CACHE_KEY)  # as load_demo does
    data = json.loads(client.get(reverse("accounts:export")).content)

    assert data["demo_notice"].startswith("Demo data: the programs in this catalog are fictional")


def test_the_demo_notice_is_read_for_whole_pages_only(client: Client) -> None:
    ProgramFactory(source=settings.DEMO_SOURCE)
    cache.delete(DEMO_CACHE_KEY)

    # An htmx fragment has no page shell, so nothing asks whether demo data is in.
    fragment = client.get(LIST, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "demo-notice" not in fragment.content.decode()
    assert cache.get(DEMO_CACHE_KEY) is None

    page = client.get(LIST).content.decode()
    assert '<div class="demo-notice" role="note">' in page
    assert "<strong>Demo data:</strong> the programs in this catalog are fictional" in page
    assert cache.get(DEMO_CACHE_KEY) is True
