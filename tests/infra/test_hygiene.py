"""Tests leave nothing in the working tree and wait on events, not on the clock."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[2]


def test_property_tests_keep_no_example_database() -> None:
    assert settings.default.database is None


def test_browser_tests_wait_on_events_not_fixed_sleeps() -> None:
    offenders = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "tests" / "browser").glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"wait_for_timeout\(|time\.sleep\(", line)
    ]
    assert offenders == []
