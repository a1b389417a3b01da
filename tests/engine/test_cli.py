"""`manage.py assess`: JSON out with exit 0; invalid input exits 2, names each field on
standard error and prints nothing on standard output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.engine.helpers import EXAMPLE, profile_data

ROOT = Path(__file__).resolve().parents[2]


def assess(argv: list[str], stdin: str | None = None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = 0
    try:
        call_command("assess", *argv, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_prints_the_plan_for_a_file(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(EXAMPLE))
    code, out, err = assess([str(path), "--today", "2026-06-01"])
    assert code == 0 and err == ""
    plan = json.loads(out)
    assert plan["tier"] == "viable"
    assert plan["programs"] == []
    assert plan["engine_version"]


@pytest.mark.django_db
def test_it_reads_standard_input(monkeypatch):
    code, out, _ = assess(["-", "--today", "2026-06-01"], json.dumps(EXAMPLE), monkeypatch)
    assert code == 0
    assert json.loads(out)["specialty"] == "EM"


@pytest.mark.django_db
def test_invalid_fields_exit_2_one_line_each_and_nothing_on_stdout(monkeypatch):
    data = profile_data(
        visa="j2", step2ck__score=301, step1={"result": "pass", "attempts": 5}, graduation_year=2090
    )
    code, out, err = assess(["-", "--today", "2026-06-01"], json.dumps(data), monkeypatch)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == [
        "graduation_year",
        "step1.attempts",
        "step2ck.score",
        "visa",
    ]


@pytest.mark.django_db
def test_malformed_json_exits_2(monkeypatch):
    code, out, err = assess(["-"], '{"specialty": "EM",', monkeypatch)
    assert code == 2 and out == ""
    assert "malformed JSON" in err


@pytest.mark.django_db
def test_a_json_array_is_invalid(monkeypatch):
    code, out, err = assess(["-"], "[]", monkeypatch)
    assert code == 2 and out == "" and "JSON object" in err


@pytest.mark.django_db
def test_a_missing_file_exits_2():
    code, out, err = assess(["/nonexistent/profile.json"])
    assert code == 2 and out == "" and err.startswith("file:")


def _log_lines_removed(text: str) -> list[str]:
    # Other apps may log at startup (e.g. django-axes); keep only the command's own lines.
    return [line for line in text.splitlines() if " INFO " not in line and line.strip()]


def test_cli_works_after_a_plain_migrate(tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    ok = subprocess.run(
        [*manage, "assess", "-", "--today", "2026-06-01"],
        input=json.dumps(EXAMPLE),
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    plan = json.loads(ok.stdout)
    assert plan["programs"] == [] and plan["tier"] in {"strong", "viable", "risk", "high_risk"}
    bad = subprocess.run(
        [*manage, "assess", "-"],
        input='{"specialty": "EM", "visa": "x"}',
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    lines = _log_lines_removed(bad.stderr)
    assert "visa: Must be one of: either, h1b, j1, none; got 'x'." in lines
    assert all(":" in line for line in lines)


@pytest.mark.django_db
def test_the_abridged_output_in_the_docs_is_what_the_command_prints():
    """docs/assess.md shows figures of the example profile's plan; they must be the command's
    own (they once showed ERAS prices after EM had moved to ResidencyCAS)."""
    doc = (ROOT / "docs" / "assess.md").read_text()
    code, out, _ = assess([str(ROOT / "docs" / "example-profile.json"), "--today", "2026-06-01"])
    assert code == 0
    plan = json.loads(out)
    cost = plan["applications"]["estimated_cost_usd"]
    budget = plan["applications"]["budget"]
    assert f'"estimated_cost_usd": {{"min": {cost["min"]}, "max": {cost["max"]}}}' in doc
    assert f'"covers": "{budget["covers"]}"' in doc
    assert (
        f'"affordable_primary_applications": {budget["affordable_primary_applications"]}, '
        f'"affordable_with_backups": {budget["affordable_with_backups"]}'
    ) in doc
    assert all(f'"{reason}": 0' in doc for reason in plan["excluded"])
