"""CI's guards: REQUIRE_POSTGRES stops a run on SQLite, REQUIRE_REDIS one without Redis;
REQUIRE_BROWSER turns the
browser tests' skip (no Chromium) into a failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMOKE = "tests/browser/test_smoke.py::test_the_first_tab_reaches_the_skip_link"


def _inner_pytest(test: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # An in-memory SQLite database and a local-memory cache: the outer run's
        # PostgreSQL test database and Redis database must not be touched by this inner run.
        if k
        not in {
            "DATABASE_URL",
            "REQUIRE_POSTGRES",
            "REQUIRE_BROWSER",
            "PYTEST_ADDOPTS",
            "REDIS_URL",
            "REQUIRE_REDIS",
        }
    }
    env.update({"DEBUG": "1", **extra_env})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", test],
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
    result = _inner_pytest(SMOKE, CHROMIUM_PATH="/nonexistent/chromium", REQUIRE_BROWSER=require)
    output = result.stdout + result.stderr
    assert result.returncode == returncode, output
    assert outcome in output
    assert "Chromium not found at /nonexistent/chromium; apt-get install -y chromium" in output


def test_require_postgres_stops_a_run_on_sqlite() -> None:
    result = _inner_pytest(
        "tests/infra/test_compose.py::test_the_app_waits_for_a_healthy_database",
        REQUIRE_POSTGRES="1",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert "REQUIRE_POSTGRES=1 but the tests ran on sqlite" in output


def test_require_redis_stops_a_run_without_redis() -> None:
    result = _inner_pytest(
        "tests/infra/test_compose.py::test_the_app_waits_for_a_healthy_database",
        REQUIRE_REDIS="1",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert (
        "REQUIRE_REDIS=1 but the cache is django.core.cache.backends.locmem.LocMemCache" in output
    )
