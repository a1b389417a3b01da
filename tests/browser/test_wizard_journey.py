"""The applicant's journey in Chromium: an anonymous start through the wizard, a generated
plan, then signing up saves it. Once with JavaScript (htmx live validation and dependent
fields) and once without (every field on the page, the server ignores those that do not
apply). Screenshots of every step land in test-artifacts/screenshots/.

The plan page itself (what-if, CSV) belongs to the plan pages' browser tests.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accounts.models import User
from assessments.forms import application_years
from assessments.models import AssessmentDraft, Plan
from tests.accounts.helpers import confirm_link
from tests.browser.conftest import SCREENSHOTS, csp_violations

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-passphrase"
TODAY = dt.date.today()
PLAN_URL = re.compile(r".*/plans/[0-9a-f-]{36}/$")


@pytest.fixture
def screenshot():
    """Like the shared fixture, but leaves the text caret alone: Playwright hides it with a
    style attribute, which htmx then copies into swapped-in fields, where the CSP (rightly)
    blocks it, and the console check would report our own screenshot."""

    def take(page, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, caret="initial")

    return take


def fill_background(page) -> None:
    page.get_by_label("Country of your medical school").fill("India")
    page.get_by_label("Medical school graduation year").fill(str(TODAY.year - 2))
    page.get_by_label("J-1: I need a J-1 exchange-visitor visa").check()
    page.locator("#id_ecfmg_certified_1").check()  # No
    page.get_by_label("Yes, passed").check()


def fill_experience(page) -> None:
    for label, value in [
        ("Hands-on US clinical experience (months)", "3"),
        ("US observerships (months)", "1"),
        ("US clinical months in the specialty you want most", "2"),
        ("Letters of recommendation from US physicians", "3"),
        ("SLOEs (Standardized Letters of Evaluation)", "2"),
        ("Publications", "1"),
        ("Posters and presentations", "0"),
        ("Years of work in the specialty you want most", "0"),
    ]:
        page.get_by_label(label).fill(value)


def fill_goals(page) -> None:
    page.get_by_label("Primary specialty").select_option("EM")
    page.locator("input[name=backup_specialties][value=IM]").check()
    page.get_by_label("Application year").select_option(str(application_years(TODAY)[-2]))
    page.get_by_label("New York").check()


def submit(page) -> None:
    page.locator("form.wizard-form button[type=submit]").click()


def sign_up_for(page, plan_url: str, email: str) -> None:
    page.goto(f"/accounts/signup/?next={plan_url}")
    page.get_by_label("Email address").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    # Sign-up answers "check your email"; the emailed link (same browser) confirms and logs in.
    page.wait_for_url("**/accounts/signup/sent/")
    page.goto(confirm_link(email))
    page.get_by_role("button", name="Confirm and log in").click()


def test_the_wizard_journey_with_javascript(page, console_messages, screenshot, live_server):
    page.goto("/assessment/")
    assert page.url.endswith("/assessment/background/")
    assert page.locator("#wizard-progress-count").inner_text() == "Step 1 of 5"
    fill_background(page)
    screenshot(page, "wizard-js-1-background")
    submit(page)
    page.wait_for_url("**/assessment/exams/")
    assert page.locator("#wizard-progress-count").inner_text() == "Step 2 of 5"
    # the tab (and the history entry) name the step shown, not the first one
    assert page.title() == "Your USMLE exams · Step 2 of 5 · MatchPlan"

    # htmx: a field is checked as it is left
    page.locator("#id_step1_result_0").check()  # Passed
    page.get_by_label("Step 1 attempts").fill("1")
    page.get_by_label("No, not yet").check()
    # the dependent fields follow the answer, from the server
    page.locator("[name=step2ck_score]").wait_for(state="detached")
    assert page.get_by_label("Planned Step 2 CK test date").is_visible()
    page.get_by_label("Most recent practice score").fill("400")
    page.get_by_label("Practice score before that").click()
    page.get_by_text("Enter a score from 1 to 300.").wait_for()
    screenshot(page, "wizard-js-2-exams-live-error")

    page.get_by_label("Yes, I have my score").check()
    page.locator("[name=practice_score_1]").wait_for(state="detached")
    assert page.get_by_label("Step 2 CK score").is_visible()
    page.get_by_label("Step 2 CK score").fill("241")
    page.get_by_label("Step 2 CK test date").fill((TODAY - dt.timedelta(days=60)).isoformat())
    page.get_by_label("Step 2 CK attempts").fill("1")
    page.locator("#id_step3_result_2").check()  # Not taken yet
    screenshot(page, "wizard-js-2-exams")
    submit(page)
    page.wait_for_url("**/assessment/experience/")

    fill_experience(page)
    screenshot(page, "wizard-js-3-experience")
    submit(page)
    page.wait_for_url("**/assessment/goals/")

    fill_goals(page)
    screenshot(page, "wizard-js-4-goals")
    submit(page)
    page.wait_for_url("**/assessment/review/")
    assert page.locator("#wizard-progress-count").inner_text() == "Step 5 of 5"
    assert page.title() == "Review your answers · Step 5 of 5 · MatchPlan"
    assert page.locator("dd", has_text="241").count() == 1
    screenshot(page, "wizard-js-5-review")

    # Change one answer from the review and come back to it
    page.locator("a[href='/assessment/exams/?return=review']").first.click()
    page.wait_for_url("**/assessment/exams/?return=review")
    page.get_by_label("Step 2 CK score").fill("246")
    page.get_by_role("button", name="Save and return to the review").click()
    page.wait_for_url("**/assessment/review/")
    assert page.locator("dd", has_text="246").count() == 1

    page.get_by_role("button", name="Generate my plan").click()
    page.wait_for_url(PLAN_URL)
    plan_url = page.url.removeprefix(live_server.url)
    screenshot(page, "wizard-js-6-plan")
    plan = Plan.objects.get()
    assert plan.owner is None
    assert plan.profile["step2ck"]["score"] == 246

    sign_up_for(page, plan_url, "journey-js@example.org")
    page.wait_for_url(PLAN_URL)
    plan.refresh_from_db()
    assert plan.owner == User.objects.get(email="journey-js@example.org")
    assert AssessmentDraft.objects.get().owner == plan.owner  # nothing lost
    screenshot(page, "wizard-js-7-saved-plan")

    # The saved plan's what-if panel recomputes in place and saves nothing
    page.reload()  # screenshots leave style="" on inputs; start from a clean page
    page.evaluate("window.__notReloaded = true")
    page.locator("#what-if").get_by_label("Step 2 CK score").fill("226")
    page.get_by_role("button", name="Recompute").click()
    page.locator("#whatif-result").wait_for()
    # 246 was strong in emergency medicine; 226 falls in its risk band (225-237)
    assert page.locator("#whatif-result .tier-risk").first.is_visible()
    assert page.locator("#whatif-result").get_by_text("Worse").count() >= 1
    assert page.evaluate("window.__notReloaded") is True
    assert Plan.objects.count() == 1
    screenshot(page, "wizard-js-8-what-if")

    # and the program list downloads as CSV
    with page.expect_download() as download_info:
        page.locator("header").get_by_role("link", name="Download programs (CSV)").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        assert handle.read().startswith("\ufefffit,program,institution")
    assert csp_violations(console_messages) == []
    errors = [m.text for m in console_messages if m.type in ("error", "pageerror")]
    assert errors == []


def test_the_wizard_journey_without_javascript(js_disabled_page, screenshot, live_server):
    page = js_disabled_page
    page.goto("/assessment/")
    fill_background(page)
    # an invalid value comes back with its error and everything typed kept
    page.get_by_label("Medical school graduation year").fill(str(TODAY.year + 5))
    submit(page)
    page.get_by_text(f"Enter a year no later than {TODAY.year + 1}.").first.wait_for()
    assert page.get_by_label("Country of your medical school").input_value() == "India"
    screenshot(page, "wizard-nojs-1-background-error")
    page.get_by_label("Medical school graduation year").fill(str(TODAY.year - 2))
    submit(page)
    page.wait_for_url("**/assessment/exams/")

    # every field is on the page; those that do not apply are ignored
    assert page.locator("[name=step2ck_score]").count() == 1
    assert page.locator("[name=step2ck_planned_date]").count() == 1
    page.locator("#id_step1_result_0").check()
    page.get_by_label("Step 1 attempts").fill("1")
    page.get_by_label("No, not yet").check()
    page.get_by_label("Step 2 CK score").fill("999")  # ignored: not taken yet
    page.get_by_label("Planned Step 2 CK test date").fill(
        (TODAY + dt.timedelta(days=30)).isoformat()
    )
    page.get_by_label("Most recent practice score").fill("236")
    page.locator("#id_step3_result_2").check()
    screenshot(page, "wizard-nojs-2-exams")
    submit(page)
    page.wait_for_url("**/assessment/experience/")
    fill_experience(page)
    submit(page)
    page.wait_for_url("**/assessment/goals/")
    fill_goals(page)
    submit(page)
    page.wait_for_url("**/assessment/review/")
    screenshot(page, "wizard-nojs-5-review")
    page.get_by_role("button", name="Generate my plan").click()
    page.wait_for_url(PLAN_URL)
    plan_url = page.url.removeprefix(live_server.url)

    sign_up_for(page, plan_url, "journey-nojs@example.org")
    page.wait_for_url(PLAN_URL)
    plan = Plan.objects.get()
    assert plan.owner.email == "journey-nojs@example.org"
    assert plan.profile["step2ck"]["score"] is None
    assert plan.profile["step2ck"]["practice_scores"] == [236]
    screenshot(page, "wizard-nojs-6-saved-plan")


def test_a_late_field_check_does_not_undo_typing(page):
    held = []

    def hold_country_check(route):
        if "_validate=country" in (route.request.post_data or ""):
            held.append(route)  # sent on later, after more typing
        else:
            route.continue_()

    page.route("**/assessment/background/", hold_country_check)
    page.goto("/assessment/background/")
    country = page.get_by_label("Country of your medical school")
    country.fill("Indi")
    with page.expect_request(lambda r: "_validate=country" in (r.post_data or "")):
        country.press("Tab")  # leaving the field sends its check
    page.evaluate("0")  # one round trip: the route handler has run by its answer
    assert len(held) == 1
    country.fill("India")  # back in the field, typing on while the check is away
    # Resolved by htmx once it has handled the check's answer (swapped or dropped it).
    page.evaluate(
        "document.body.addEventListener('htmx:afterRequest',"
        " () => { window.__checked = true; }, {once: true})"
    )
    held[0].continue_()  # the check goes out now and answers for "Indi"
    page.wait_for_function("() => window.__checked === true")
    assert country.input_value() == "India"
