from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.middleware import ADMIN_CSP_UPDATE

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["assessments:home", "programs:list", "accounts:login", "accounts:signup"]


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES)
def test_pages_send_a_policy_without_inline_scripts_or_styles(
    client: Client, url_name: str
) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_admin_allows_only_the_hash_listed_attributes_of_the_export_page(
    client: Client,
) -> None:
    response = client.get(reverse("admin:login"))
    header = response["Content-Security-Policy"]
    policy = _directives(header)
    assert "'unsafe-inline'" not in header
    assert policy["script-src"] == ["'self'", *ADMIN_CSP_UPDATE["script-src"]]
    assert policy["style-src"] == ["'self'", *ADMIN_CSP_UPDATE["style-src"]]
    assert all(s.startswith("'sha256-") for s in policy["style-src"][2:])


def test_the_hash_listed_attributes_are_still_in_the_installed_export_template() -> None:
    # If django-import-export changes them, the hashes no longer match: update both.
    import import_export

    template = Path(import_export.__file__).parent / "templates/admin/import_export/export.html"
    text = template.read_text()
    assert 'onchange="onSelectToggleChange(event)"' in text
    assert 'style="padding: 0;"' in text
    assert 'style="font-weight: bold;"' in text


def test_the_hashes_are_of_the_attribute_text() -> None:
    # The sha256 of "padding: 0;", base64, as Chromium reports it in its CSP errors.
    assert "'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA='" in ADMIN_CSP_UPDATE["style-src"]


@pytest.mark.django_db
def test_the_404_page_carries_the_policy_too(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_its_indicator_styles(client: Client) -> None:
    # htmx 2 adds a <style> element unless includeIndicatorStyles is false; the CSP
    # would block it. Our CSS carries the indicator rules instead.
    html = client.get(reverse("assessments:home")).content.decode()
    assert '"includeIndicatorStyles": false' in html
    script = re.search(r"<script[^>]+htmx[^>]*\.js", html)
    assert script, "htmx is loaded from our static files"
    assert html.index('name="htmx-config"') < script.start()  # read before htmx runs
    assert ".htmx-indicator" in (ROOT / "static/css/app.css").read_text()


def _our_templates() -> list[Path]:
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(p for d in dirs for p in d.rglob("*.html") if ".venv" not in p.parts)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(
    r"\son(?:click|change|submit|load|input|key\w+|focus|blur|mouse\w+|error)\s*=", re.I
)


def test_no_template_has_inline_scripts_styles_or_handlers() -> None:
    # The policy would block them in the browser; catch them before that.
    offenders = []
    for path in _our_templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0).strip()}")
    assert offenders == []


def test_the_template_scan_finds_inline_code() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/a.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert INLINE_STYLE.search('<div style="color:red">')
    assert INLINE_HANDLER.search('<button onclick="go()">')
    assert len(_our_templates()) > 3


def test_the_policy_is_configured_without_unsafe_sources() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name, sources in directives.items():
        assert "'unsafe-inline'" not in sources, name
        assert "'unsafe-eval'" not in sources, name
