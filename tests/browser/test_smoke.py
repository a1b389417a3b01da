from __future__ import annotations

import pytest

from tests.browser.conftest import csp_violations

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "browser-test-admin-pw"


def test_the_home_page_loads_without_console_errors(page, console_messages, screenshot) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert page.locator("h1").first.is_visible()
    assert page.title().endswith("MatchPlan")
    page.wait_for_load_state("networkidle")
    screenshot(page, "smoke-home")
    errors = [f"{m.url}: {m.text}" for m in console_messages if m.type in ("error", "pageerror")]
    assert errors == []
    assert csp_violations(console_messages) == []


def test_htmx_loaded_and_injected_no_style_element(page, console_messages) -> None:
    page.goto("/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    # htmx 2 would add a <style> with its indicator rules; the CSP forbids inline styles.
    assert page.locator("head style").count() == 0
    assert csp_violations(console_messages) == []


def test_the_first_tab_reaches_the_skip_link(page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
    )
    assert focused == ["Skip to main content", "#main"]
    assert page.locator("a[href='#main']").is_visible()  # visible once focused


def test_a_csp_violation_would_be_seen(page, console_messages) -> None:
    # Proves the console listener catches violations, so the checks above can fail.
    page.goto("/")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
            " document.body.appendChild(s); }"
        )
    assert csp_violations(console_messages)
    assert page.evaluate("window.x") is None


@pytest.fixture
def admin_page(page, django_user_model):
    django_user_model.objects.create_superuser(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page


def _admin_pages() -> list[str]:
    """Changelist and add page of every registered model, plus import/export pages."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    pages = ["/admin/"]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for view in ("changelist", "add", "import", "export"):
            try:
                pages.append(reverse(f"{prefix}_{view}"))
            except NoReverseMatch:
                continue
    return pages


def test_the_admin_works_under_the_content_security_policy(
    admin_page, console_messages, screenshot
) -> None:
    pages = _admin_pages()
    assert "/admin/auth/group/add/" in pages
    for path in pages:
        response = admin_page.goto(path)
        assert response is not None, path
        assert response.status == 200 or (path.endswith("/add/") and response.status == 403), path
        admin_page.wait_for_load_state("load")
    admin_page.goto("/admin/auth/group/add/")
    screenshot(admin_page, "smoke-admin-group-add")
    # The filter_horizontal widget for permissions is built by the admin's JavaScript.
    assert admin_page.locator(".selector-available").count() >= 1
    assert csp_violations(console_messages) == []
