"""The browser fixtures skip without Chromium, and fail instead under REQUIRE_BROWSER=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMOKE = "tests/browser/test_smoke.py::test_the_first_tab_reaches_the_skip_link"


def _pytest_without_chromium(**extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # An in-memory SQLite database: the outer run's PostgreSQL test database
        # must not be touched by this inner run.
        if k not in {"DATABASE_URL", "REQUIRE_POSTGRES", "REQUIRE_BROWSER", "PYTEST_ADDOPTS"}
    }
    env.update({"DEBUG": "1", "CHROMIUM_PATH": "/nonexistent/chromium", **extra_env})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", SMOKE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("require", "returncode", "outcome"), [("0", 0, "1 skipped"), ("1", 1, "1 error")]
)
def test_a_missing_chromium_skips_unless_required(
    require: str, returncode: int, outcome: str
) -> None:
    result = _pytest_without_chromium(REQUIRE_BROWSER=require)
    output = result.stdout + result.stderr
    assert result.returncode == returncode, output
    assert outcome in output
    assert "Chromium not found at /nonexistent/chromium; apt-get install -y chromium" in output
