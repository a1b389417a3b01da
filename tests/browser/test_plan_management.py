"""Managing plans in Chromium: the history says what each plan is and what changed, one
plan can be deleted after a confirmation, unchanged answers lead to the existing plan, the
printed plan holds every program and the disclaimer, and every control of the plan page has
its own id and an accessible name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Plan
from tests.browser.test_plan_page import _log_in
from tests.factories import DraftFactory, UserFactory, em_programs, make_plan

pytestmark = pytest.mark.browser


def test_history_rows_differ_and_one_plan_can_be_deleted(page, screenshot) -> None:
    user = UserFactory(email="history@example.org")
    make_plan(user, step2ck__score=236)
    make_plan(user, step2ck__score=244)
    make_plan(user, step2ck__score=244, us_letters=4)
    _log_in(page, user.email)
    assert page.url.endswith(reverse("assessments:plan_list"))  # applicants land here

    rows = page.locator(".plan-list-table tbody tr")
    assert rows.count() == 3
    texts = [rows.nth(i).inner_text() for i in range(3)]
    assert len(set(texts)) == 3
    assert "US letters 2 → 4" in texts[0]
    assert "Step 2 CK score 236 → 244" in texts[1]
    assert "244" in texts[1] and "Emergency Medicine" in texts[1]
    assert "First plan" in texts[2]
    screenshot(page, "plans-history")

    rows.nth(1).get_by_role("link", name="Delete").click()
    page.get_by_role("heading", name="Delete this plan?").wait_for()
    page.get_by_role("link", name="Keep it").click()
    assert Plan.objects.count() == 3
    rows.nth(1).get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete this plan").click()
    page.get_by_text("is deleted").wait_for()
    assert Plan.objects.count() == 2
    assert page.locator(".plan-list-table tbody tr").count() == 2


def test_unchanged_answers_link_to_the_existing_plan(page) -> None:
    user = UserFactory(email="same@example.org")
    DraftFactory(owner=user)
    _log_in(page, user.email)
    page.goto("/assessment/review/")
    page.get_by_role("button", name="Generate my plan").click()
    page.wait_for_url("**/plans/*/")
    first = page.url
    page.goto("/assessment/review/")
    page.get_by_role("button", name="Generate my plan").click()
    page.get_by_role("heading", name="Nothing changed").wait_for()
    assert Plan.objects.count() == 1
    page.get_by_role("link", name="Open that plan").click()
    page.wait_for_url(first)


def test_the_printed_plan_has_every_program_and_the_disclaimer(page) -> None:
    user = UserFactory(email="print@example.org")
    em_programs(127, step2_typical=232, img_share=50)
    plan = make_plan(user)
    _log_in(page, user.email)
    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    page.get_by_role("link", name="Print the whole plan").click()
    page.wait_for_url("**/print/")
    page.emulate_media(media="print")
    assert page.locator(".plan-programs tbody tr").count() == 127
    assert page.locator(".plan-programs tbody tr").last.is_visible()
    assert page.get_by_text("it is not a guarantee of any outcome").first.is_visible()
    # the plan page itself, printed, keeps the footer's disclaimer too
    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    page.emulate_media(media="print")
    assert page.locator("footer").get_by_text("not a guarantee of any outcome").is_visible()


def test_the_printed_plan_stays_within_the_paper(page) -> None:
    # A4/Letter less the page margins is about 725 CSS px wide. The program table's screen
    # minimum widths and the spelled-out source addresses ran past it.
    user = UserFactory(email="paper@example.org")
    em_programs(5)
    plan = make_plan(user)
    _log_in(page, user.email)
    page.set_viewport_size({"width": 725, "height": 1000})
    page.goto(reverse("assessments:plan_print", args=[plan.token]))
    page.emulate_media(media="print")
    assert page.locator("a[href^='https://'][href$='_Guide']").count()  # a long address
    past_the_edge = page.evaluate(
        """() => [...document.querySelectorAll('.plan-main table, .plan-main a')]
             .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
             .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert past_the_edge == []


def test_every_plan_page_control_has_its_own_id_and_a_name(page) -> None:
    user = UserFactory(email="labels@example.org")
    em_programs(3)
    plan = make_plan(user)
    _log_in(page, user.email)
    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    controls = page.locator("main select, main input:not([type=hidden]), main textarea")
    assert controls.count() >= 10
    for i in range(controls.count()):
        control = controls.nth(i)
        name = control.evaluate(
            "el => (el.labels && el.labels.length ? el.labels[0].innerText : '')"
            " || el.getAttribute('aria-label') || ''"
        )
        assert name.strip(), control.evaluate("el => el.outerHTML")
    # the filter and the what-if panel each have a visa control of their own
    assert page.locator("#what-if").get_by_label("Visa need").count() == 1
    assert page.locator("#programs").get_by_label("Visa sponsored").count() == 1
