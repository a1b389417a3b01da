"""Browser-test fixtures: headless Debian Chromium driven by Playwright against live_server.

Use ``page`` (JavaScript on) or ``js_disabled_page``; both open relative URLs against the
live server (``page.goto("/programs/")``). ``console_messages`` collects what the page
logged (CSP violations show up there), ``screenshot(page, "name")`` saves
test-artifacts/screenshots/name.png. Mark tests with ``@pytest.mark.browser``.

Without Chromium the tests skip, unless REQUIRE_BROWSER=1 (CI), where they fail.
Playwright's bundled browser download is not used: it does not work on our machines.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000


def _chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if not (Path(path).is_file() or shutil.which(path)):
        _unavailable(
            f"Chromium not found at {path}; apt-get install -y chromium (or set CHROMIUM_PATH)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
        _unavailable("the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; Django would then refuse
    # ORM calls from test code ("SynchronousOnlyOperation"). Nothing here is async.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        instance = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, headless=True
        )
    except Exception as exc:  # any launch failure means "no usable browser"
        playwright.stop()
        _unavailable(f"Chromium at {path} failed to start: {exc}")
    yield instance
    instance.close()
    playwright.stop()


# --- snapshot of the migrated rows (edit from the wizard work) ---------------------------
# Playwright's sync API gives the code that runs after it starts a new context, and with it
# new database connection objects: they lack the snapshot Django took at setup
# (_test_serialized_contents), so serialized rollback restored nothing and the second browser
# test found no specialties. The snapshot is taken from the setup connections, before the
# browser starts, and handed to the test's own connections before every test.
_SNAPSHOTS: dict[str, str] = {}


@pytest.fixture(scope="session")
def _reference_data_at_exit(django_db_setup, django_db_blocker) -> Iterator[None]:
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            _SNAPSHOTS[connection.alias] = contents
    yield
    # The last transactional test leaves the tables empty. With --reuse-db (on
    # PostgreSQL) the next run would start from that empty database, so put the
    # migrated rows back before the session ends.
    from django.core.management import call_command

    with django_db_blocker.unblock():
        for alias, contents in _SNAPSHOTS.items():
            call_command(
                "flush",
                database=alias,
                interactive=False,
                verbosity=0,
                inhibit_post_migrate=True,
            )
            connections[alias].creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _reference_data_survives_flushes(
    django_db_serialized_rollback: None, _reference_data_at_exit: None, browser
) -> None:
    # live_server tests are transactional: the database is emptied after each one,
    # including rows made by data migrations (the specialties). Serialized rollback
    # puts the migrated state back before every browser test; `browser` comes first so
    # that the snapshot lands on the connections the test will use.
    from django.db import connections

    for alias, contents in _SNAPSHOTS.items():
        connections[alias]._test_serialized_contents = contents


@dataclass
class ConsoleMessage:
    type: str
    text: str
    url: str = ""


def _open_context(browser, live_server, **options):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, **options
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.fixture
def console_messages() -> list[ConsoleMessage]:
    """Console output and uncaught errors of ``page`` (filled while the test runs)."""
    return []


@pytest.fixture
def page(browser, live_server, console_messages: list[ConsoleMessage]) -> Iterator:
    context = _open_context(browser, live_server)
    tab = context.new_page()
    tab.on(
        "console",
        lambda m: console_messages.append(
            ConsoleMessage(m.type, m.text, m.location.get("url", ""))
        ),
    )
    tab.on("pageerror", lambda e: console_messages.append(ConsoleMessage("pageerror", str(e))))
    yield tab
    context.close()


@pytest.fixture
def js_disabled_page(browser, live_server) -> Iterator:
    context = _open_context(browser, live_server, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """screenshot(page, "01-start") -> test-artifacts/screenshots/01-start.png (full page)."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def csp_violations(messages: list[ConsoleMessage]) -> list[str]:
    """Console messages in which Chromium reports a Content-Security-Policy violation."""
    return [m.text for m in messages if "Content Security Policy" in m.text]
