"""Lines of app code at git revisions, and what each merge into the main line changed.

App code is the Python of the apps (APPS below), migrations left out: the measure issue 10
asks for ("app code is smaller than today"). Read from git objects, so the working tree is
not touched and any revision can be counted.

    .venv/bin/python scripts/app_lines.py                 # 48cb1e2 and HEAD
    .venv/bin/python scripts/app_lines.py 48cb1e2 main    # any revisions
    .venv/bin/python scripts/app_lines.py --merges 48cb1e2

``--merges REV`` walks the first-parent line from REV to HEAD and prints each merge's change
(its first parent against the merge: what the merged branch brought), then the sum of the
direct commits, so the rows add up to HEAD minus REV.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

APPS = ("accounts", "advising", "assessments", "config", "core", "programs", "tracker")
DEFAULT_BASE = "48cb1e2"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(  # noqa: S603 (git with this script's own arguments)
        ["git", "-C", str(repo), *args],  # noqa: S607 (git on PATH)
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def is_app_code(path: str) -> bool:
    parts = path.split("/")
    return path.endswith(".py") and parts[0] in APPS and "migrations" not in parts[1:-1]


def app_lines(repo: Path, rev: str) -> int:
    """Lines of app code at ``rev``: newline characters, as ``wc -l`` counts them."""
    listing = _git(repo, "ls-tree", "-r", "--full-tree", rev, "--", *APPS)
    blobs = []
    for row in listing.splitlines():
        meta, path = row.split("\t", 1)
        _mode, kind, sha = meta.split()
        if kind == "blob" and is_app_code(path):
            blobs.append(sha)
    if not blobs:
        return 0
    # One git process for every file: "--batch" prints each object's header and contents.
    out = subprocess.run(  # noqa: S603 (object ids git listed)
        ["git", "-C", str(repo), "cat-file", "--batch"],  # noqa: S607 (git on PATH)
        input=("\n".join(blobs) + "\n").encode(),
        capture_output=True,
        check=True,
    ).stdout
    total, offset = 0, 0
    for _ in blobs:
        header_end = out.index(b"\n", offset)
        size = int(out[offset:header_end].split()[2])
        start = header_end + 1
        total += out.count(b"\n", start, start + size)
        offset = start + size + 1  # the contents are followed by a newline
    return total


def merge_rows(repo: Path, base: str, head: str = "HEAD") -> list[tuple[str, str, int]]:
    """(commit, subject, change in app lines) for each merge on the first-parent line from
    ``base`` to ``head``, then ("", "direct commits", their summed change)."""
    log = _git(repo, "log", "--first-parent", "--format=%h%x09%p%x09%s", f"{base}..{head}")
    rows: list[tuple[str, str, int]] = []
    merged = 0
    for line in reversed(log.splitlines()):
        commit, parents, subject = line.split("\t", 2)
        if len(parents.split()) < 2:
            continue
        change = app_lines(repo, commit) - app_lines(repo, f"{commit}^1")
        rows.append((commit, subject, change))
        merged += change
    total = app_lines(repo, head) - app_lines(repo, base)
    rows.append(("", "direct commits on the main line", total - merged))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="*", help=f"default: {DEFAULT_BASE} HEAD")
    parser.add_argument("--merges", metavar="REV", help="each merge's change since REV")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    try:
        if args.merges:
            print(f"app code lines changed by each merge since {args.merges}:")
            for commit, subject, change in merge_rows(args.repo, args.merges):
                print(f"  {change:+7,d}  {commit:9s} {subject[:90]}")
            return 0
        print(f"app code lines ({', '.join(APPS)}; Python, no migrations):")
        for rev in args.revisions or [DEFAULT_BASE, "HEAD"]:
            label = _git(args.repo, "rev-parse", "--short", rev).strip()
            print(f"  {rev:12s} {label:9s} {app_lines(args.repo, rev):8,d}")
    except subprocess.CalledProcessError as error:
        detail = error.stderr.decode() if isinstance(error.stderr, bytes) else error.stderr
        print(f"git failed: {(detail or str(error)).strip()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
