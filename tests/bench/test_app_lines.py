"""scripts/app_lines.py counts app code from git objects: on a small repository made here,
the counts and each merge's change are what the files say."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scripts.app_lines import app_lines, is_app_code, main, merge_rows


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _write(repo: Path, path: str, lines: int) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f"x{i} = {i}\n" for i in range(lines)))


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "--short", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "test@example.invalid")
    _git(tmp_path, "config", "user.name", "Test")
    return tmp_path


def test_only_app_python_without_migrations_counts() -> None:
    assert is_app_code("assessments/engine/matching.py")
    assert is_app_code("config/settings.py")
    assert not is_app_code("assessments/migrations/0001_initial.py")
    assert not is_app_code("tests/plans/test_page.py")
    assert not is_app_code("scripts/bench/runner.py")
    assert not is_app_code("templates/base.html")


def test_counts_and_merges_add_up(repo: Path, capsys) -> None:
    _write(repo, "programs/models.py", 10)
    _write(repo, "programs/migrations/0001_initial.py", 50)
    _write(repo, "tests/test_x.py", 20)
    base = _commit(repo, "start")
    assert app_lines(repo, base) == 10

    _git(repo, "checkout", "-q", "-b", "feature")
    _write(repo, "tracker/views.py", 7)
    _commit(repo, "a feature")
    _git(repo, "checkout", "-q", "main")
    _write(repo, "programs/models.py", 4)  # a direct commit removes 6 lines
    _commit(repo, "simplify")
    _git(repo, "merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature")

    assert app_lines(repo, "HEAD") == 11
    rows = merge_rows(repo, base)
    assert [(subject, change) for _, subject, change in rows] == [
        ("Merge branch 'feature'", 7),
        ("direct commits on the main line", -6),
    ]

    assert main(["--repo", str(repo), base, "HEAD"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split()[-1] == "10"
    assert out.splitlines()[2].split()[-1] == "11"


def test_unknown_revision_exits_non_zero_with_gits_message(repo: Path, capsys) -> None:
    _write(repo, "core/views.py", 3)
    _commit(repo, "start")
    assert main(["--repo", str(repo), "no-such-revision"]) == 1
    assert "git failed" in capsys.readouterr().err
