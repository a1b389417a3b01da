"""The program browser in Chromium: filters update the results in place and keep the URL
in sync; without JavaScript the same form works as a plain GET form.

Lives in tests/browser for its Playwright fixtures (skipped without Chromium unless
REQUIRE_BROWSER=1)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import csp_violations
from tests.programs.factories import ProgramFactory, specialty

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
