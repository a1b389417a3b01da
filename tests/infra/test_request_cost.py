"""A bound on what one request may cost (issue 13): gunicorn's worker timeout and, on
PostgreSQL, a statement timeout for web workers."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def _settings_dump(**env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    )
    full = {k: v for k, v in os.environ.items() if k != "DB_STATEMENT_TIMEOUT_MS"}
    full.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_gunicorn_sets_a_statement_timeout_and_a_worker_timeout(monkeypatch) -> None:
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "")  # recorded, so undone after the test
    monkeypatch.delenv("DB_STATEMENT_TIMEOUT_MS")
    config = runpy.run_path(str(ROOT / "docker/gunicorn.conf.py"))
    assert os.environ["DB_STATEMENT_TIMEOUT_MS"] == "10000"
    assert config["timeout"] == 30


def test_the_statement_timeout_reaches_postgresql_connections() -> None:
    options = _settings_dump(DATABASE_URL=POSTGRES, DB_STATEMENT_TIMEOUT_MS="1500")
    assert options["options"] == "-c statement_timeout=1500"


def test_no_statement_timeout_unless_asked_for() -> None:
    assert "options" not in _settings_dump(DATABASE_URL=POSTGRES)


def test_postgresql_cancels_a_statement_past_the_timeout() -> None:
    psycopg = pytest.importorskip("psycopg")
    try:
        connection = psycopg.connect(
            "host=127.0.0.1 user=postgres dbname=postgres options='-c statement_timeout=100'",
            connect_timeout=3,
        )
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    with connection, pytest.raises(psycopg.errors.QueryCanceled):
        connection.execute("SELECT pg_sleep(1)")
