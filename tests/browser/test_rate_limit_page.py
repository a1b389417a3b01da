"""The 429 page in Chromium: an htmx what-if past the limit shows the "please wait"
message in the page (htmx is configured to swap a 429), without a reload or CSP report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import csp_violations
from tests.factories import PASSWORD, UserFactory, em_programs, make_plan

pytestmark = pytest.mark.browser


def test_a_what_if_past_the_limit_says_when_to_try_again(
    page, console_messages, screenshot, settings
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "plan_whatif": "1/600"}
    user = UserFactory(email="limit-browser@example.org")
    em_programs(2)
    plan = make_plan(user)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(reverse("assessments:plan_detail", args=[plan.token]))
    page.evaluate("window.__notReloaded = true")

    page.get_by_label("Step 2 CK score").fill("250")
    page.get_by_role("button", name="Recompute").click()
    page.locator("#whatif-result").wait_for()
    page.get_by_role("button", name="Recompute").click()

    heading = page.get_by_role("heading", name="Please wait a few minutes")
    heading.wait_for()
    assert "limit of 1 what-ifs per 10 minutes" in page.locator("#main").inner_text()
    assert "Try again in" in page.locator("#main").inner_text()
    assert page.evaluate("window.__notReloaded") is True
    screenshot(page, "rate-limit-429-whatif")
    assert csp_violations(console_messages) == []
    assert "{#" not in page.locator("body").inner_text()  # no template comment leaks
