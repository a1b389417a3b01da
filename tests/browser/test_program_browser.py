"""The program browser in Chromium: filters update the results in place and keep the URL
in sync; without JavaScript the same form works as a plain GET form.

Lives in tests/browser for its Playwright fixtures (skipped without Chromium unless
REQUIRE_BROWSER=1)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import csp_violations
from tests.factories import ProgramFactory, specialty

pytestmark = pytest.mark.browser


def make_catalog() -> None:
    for n in range(30):
        ProgramFactory(name=f"Medicine {n:02d}", state="NY")
    ProgramFactory(name="Cedar Surgery", specialty=specialty("GS"), state="CA", city="Cedarton")
    ProgramFactory(name="Oak Surgery", specialty=specialty("GS"), state="TX")


def rows(page) -> list[str]:
    return page.locator(".program-table tbody tr td:first-child a").all_inner_texts()


def test_filters_update_results_in_place_and_the_url(page, console_messages, screenshot) -> None:
    make_catalog()
    page.goto("/programs/")
    page.evaluate("window.__notReloaded = true")

    page.get_by_label("Specialty").select_option("GS")
    page.wait_for_url(re.compile(r"specialty=GS"))
    expect(page.locator(".program-table tbody tr")).to_have_count(2)
    assert rows(page) == ["Cedar Surgery", "Oak Surgery"]

    page.get_by_label("Search").fill("cedar")
    page.wait_for_url(re.compile(r"q=cedar"))
    expect(page.locator(".program-table tbody tr")).to_have_count(1)
    assert rows(page) == ["Cedar Surgery"]
    assert "state=" not in page.url  # empty filters stay out of the shared URL

    page.get_by_label("Search").fill("")
    page.get_by_label("Specialty").select_option("")
    expect(page.locator(".program-table tbody tr")).to_have_count(25)
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator(".program-table tbody tr")).to_have_count(7)
    assert page.evaluate("window.__notReloaded") is True  # swapped, never reloaded
    screenshot(page, "programs-browser-page-2")
    errors = [m.text for m in console_messages if m.type in ("error", "pageerror")]
    assert errors == []
    assert csp_violations(console_messages) == []

    page.go_back()  # the pushed URL history works
    page.wait_for_url(lambda url: "page=2" not in url)


def test_without_javascript_the_form_still_filters(js_disabled_page) -> None:
    make_catalog()
    page = js_disabled_page
    page.goto("/programs/")

    page.get_by_label("Specialty").select_option("GS")
    page.get_by_label("State").select_option("TX")
    page.get_by_role("button", name="Apply filters").click()

    page.wait_for_url(re.compile(r"specialty=GS"))
    assert rows(page) == ["Oak Surgery"]
    page.get_by_role("link", name="Oak Surgery").click()
    page.get_by_role("heading", name="Oak Surgery").wait_for()


def test_page_numbers_and_the_back_link_keep_the_filters(page, screenshot) -> None:
    for n in range(80):
        ProgramFactory(name=f"Medicine {n:02d}", state="NY")
    ProgramFactory(name="Texan", state="TX")
    page.goto("/programs/?state=NY")
    expect(page.get_by_role("status")).to_contain_text("80 programs match your filters")

    page.get_by_role("link", name="Page 3", exact=True).click()
    page.wait_for_url(re.compile(r"state=NY&page=3"))
    expect(page.locator(".program-table tbody tr").first).to_contain_text("Medicine 50")
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("Page 3")

    page.get_by_role("link", name="Medicine 50").click()
    page.get_by_role("heading", name="Medicine 50").wait_for()
    page.get_by_role("link", name="Back to the results").click()
    page.wait_for_url(re.compile(r"/programs/\?state=NY&page=3$"))
    expect(page.locator(".program-table tbody tr").first).to_contain_text("Medicine 50")
    screenshot(page, "programs-browser-page-3")


def test_one_match_reads_in_the_singular(page) -> None:
    make_catalog()
    page.goto("/programs/?q=cedar")
    expect(page.get_by_role("status")).to_have_text("1 program matches your filters.")
    page.wait_for_load_state("networkidle")  # no request left in flight at teardown


def test_on_a_phone_the_filters_fold_away_until_asked_for(page, screenshot) -> None:
    make_catalog()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/programs/")
    specialty_menu = page.get_by_label("Specialty")
    expect(specialty_menu).to_be_hidden()
    # the results start near the top instead of below eight fields
    expect(page.locator(".program-table")).to_be_visible()
    screenshot(page, "programs-browser-phone-folded")

    page.get_by_text("Filters", exact=True).click()
    expect(specialty_menu).to_be_visible()
    specialty_menu.select_option("GS")
    page.wait_for_url(re.compile(r"specialty=GS"))
    expect(page.locator(".program-table tbody tr")).to_have_count(2)


def test_on_a_wide_screen_the_filters_stay_open(page) -> None:
    make_catalog()
    page.goto("/programs/")
    expect(page.get_by_label("Specialty")).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_hidden()


def test_the_csv_download_carries_the_filters_and_the_demo_warning(page, settings) -> None:
    make_catalog()
    ProgramFactory(name="Demo Surgery", specialty=specialty("GS"), source=settings.DEMO_SOURCE)
    page.goto("/programs/?specialty=GS")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download 3 as CSV")).click()
    text = download_info.value.path().read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("Demo data: the programs in this catalog are fictional")
    assert "ACGME ID,website" in lines[1]
    assert sorted(line.split(",")[0] for line in lines[2:]) == [
        "Cedar Surgery",
        "Demo Surgery",
        "Oak Surgery",
    ]
