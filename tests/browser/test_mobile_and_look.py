"""Mobile and look in Chromium: at 390 px tables stack or scroll visibly and money is never
cut, the score chart keeps full band names, the step tracker stays on one line, the four
tier colours pass WCAG AA with their text, the same tier names are used everywhere, the
demo banner sits inside a landmark, and the navigation holds its links on one row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Program
from tests.browser.test_plan_page import _log_in
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    DraftFactory,
    UserFactory,
    em_programs,
    make_plan,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

CONTRAST_JS = """
(el) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => {
    c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const style = getComputedStyle(el);
  const a = lum(rgb(style.color)), b = lum(rgb(style.backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


def test_at_390px_tables_scroll_visibly_or_stack_and_money_is_never_cut(page, screenshot):
    user = UserFactory(email="phone@example.org")
    em_programs(12, step2_typical=236, img_share=50)
    plan = make_plan(user, step2ck__score=236)
    make_plan(user, step2ck__score=241)
    page.set_viewport_size(PHONE)
    _log_in(page, user.email)
    for url in (
        reverse("assessments:plan_detail", args=[plan.token]),
        reverse("assessments:plan_list"),
    ):
        page.goto(url)
        tables = page.locator("main table")
        assert tables.count() >= 1
        for i in range(tables.count()):
            table = tables.nth(i)
            state = table.evaluate(
                """(t) => {
                  const frame = t.closest('.table-responsive, .table-responsive-md, .table-responsive-lg');
                  const stacked = getComputedStyle(t).display === 'block';
                  const scrolls = frame && frame.scrollWidth > frame.clientWidth;
                  return {stacked, scrolls,
                          focusable: !!frame && frame.tabIndex === 0,
                          hint: !!frame && !!frame.previousElementSibling &&
                                frame.previousElementSibling.matches('.table-scroll-hint') &&
                                frame.previousElementSibling.offsetHeight > 0};
                }"""
            )
            # a table wider than the screen either stacks or scrolls in a frame that says so
            if state["scrolls"]:
                assert state["focusable"] and state["hint"], (url, i, state)
        # every amount in dollars is whole: nothing clipped inside its cell or the screen
        for cell in page.locator("main td:has-text('$'), main dd:has-text('$')").all():
            clipped = cell.evaluate(
                "(el) => el.scrollWidth > el.clientWidth + 1 || "
                "(!el.closest('.table-responsive, .table-responsive-md, .table-responsive-lg') && "
                " el.getBoundingClientRect().right > window.innerWidth + 1)"
            )
            assert not clipped, (url, cell.inner_text())
    screenshot(page, "phone-history")


def test_the_chart_keeps_full_band_names_at_every_width(page):
    user = UserFactory(email="chart@example.org")
    em_programs(2)
    # Family medicine: a narrow "at risk" band (it showed "R" even on a desktop)
    plan = make_plan(user, specialty="FM", backup_specialties=["IM"], step2ck__score=229)
    _log_in(page, user.email)
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        page.goto(reverse("assessments:plan_detail", args=[plan.token]))
        chart = page.locator(".plan-chart svg:visible").first
        texts = chart.locator("text").evaluate_all("els => els.map(e => e.textContent)")
        assert not {"R", "V", "S", "HR"} & {t.strip() for t in texts}, texts
        for word in ("High risk", "At risk", "Viable", "Strong"):
            assert word in texts
        sizes = chart.locator("text").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert min(h for h in sizes if h) >= 8  # still readable when the chart scales down


def test_the_step_tracker_stays_on_one_line(page):
    user = UserFactory(email="tracker@example.org")
    DraftFactory(owner=user)
    _log_in(page, user.email)
    for viewport in ({"width": 1280, "height": 900}, {"width": 768, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        page.goto(reverse("assessments:wizard_step", args=["experience"]))
        tops = page.locator(".wizard-steps-item").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
        )
        assert len(tops) == 5 and len(set(tops)) == 1, (viewport, tops)
        width = page.locator(".wizard-steps").evaluate("el => el.scrollWidth - el.clientWidth")
        assert width <= 1, viewport


def test_tier_colours_pass_aa_and_tier_names_are_the_same_everywhere(page):
    advisor = AdvisorFactory(email="tiers-advisor@example.org")
    applicant = UserFactory(email="tiers@example.org", full_name="Tier Applicant")
    em_programs(3)
    plan = make_plan(applicant, step2ck__score=230)  # EM 225-237: at risk
    AssignmentFactory(advisor=advisor, applicant=applicant)
    _log_in(page, applicant.email)
    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    assert page.locator(".plan-hero .tier-risk").first.inner_text() == "At risk"
    page.goto(reverse("assessments:plan_list"))
    assert page.locator(".plan-list-table .tier-risk").inner_text() == "At risk"
    # every tier badge colour, measured in the browser: at least 4.5:1
    for tier in ("strong", "viable", "risk", "high_risk"):
        ratio = page.evaluate(
            f"""() => {{
              const el = document.createElement('span');
              el.className = 'badge tier-{tier}'; el.textContent = 'x';
              document.querySelector('main').appendChild(el);
              return ({CONTRAST_JS})(el);
            }}"""
        )
        assert ratio >= 4.5, (tier, ratio)

    page.context.clear_cookies()
    _log_in(page, advisor.email)
    assert page.url.endswith(reverse("advising:dashboard"))  # advisors land here
    badge = page.locator(".advising-table .tier-risk").first
    assert badge.inner_text() == "At risk"
    page.get_by_label("Tier").select_option(label="At risk")


def test_the_demo_banner_is_inside_a_landmark(page, settings):
    from io import StringIO

    from django.core.management import call_command

    call_command("generate_programs", "3", stdout=StringIO())
    assert Program.objects.exists()
    page.goto("/")
    banner = page.locator(".demo-notice")
    assert banner.is_visible()
    assert banner.evaluate(
        "el => !!el.closest('header, main, nav, footer, aside, [role=region], [role=banner]')"
    )


NAV_LINKS_FIT_JS = """
() => {
  const bar = document.querySelector("nav.navbar");
  const edge = bar.querySelector(".container").getBoundingClientRect().right;
  const links = [...bar.querySelectorAll(".nav-link")].map((el) => el.getBoundingClientRect());
  return {
    height: bar.getBoundingClientRect().height,
    overflow: Math.max(...links.map((r) => r.right)) - edge,
    rows: new Set(links.map((r) => Math.round(r.top))).size,
  };
}
"""


def test_the_navigation_stays_on_one_line_for_the_longest_menu(page) -> None:
    """A staff advisor has the most links; with a long address the open bar (1,200 px and
    up) still holds them on one row inside the page's width, and below 1,200 px the menu
    folds behind its button."""
    user = AdvisorFactory(email="oluwaseun.adebayo-williams@university-hospital.example.org")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    _log_in(page, user.email)

    for width in (1200, 1280, 1400):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("assessments:methodology"))
        bar = page.evaluate(NAV_LINKS_FIT_JS)
        assert bar["rows"] == 1, (width, bar)
        assert bar["overflow"] <= 0, (width, bar)
    # The address is cut on the bar, and whole in the link's title.
    account = page.locator("nav .nav-account")
    assert user.email in account.get_attribute("title")

    page.set_viewport_size({"width": 1199, "height": 900})
    page.goto(reverse("assessments:methodology"))
    assert page.get_by_role("button", name="Toggle navigation").is_visible()
    assert not page.get_by_role("link", name="Advising").is_visible()
