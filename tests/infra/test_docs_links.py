"""The README and docs/ are self-contained: every relative link resolves to a file in the
repository, and nothing points at a path outside it (a sibling directory, or this
machine's absolute paths). Web links (the primary sources cited) are left alone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# [text](target) and ![alt](target); the target ends at a space (a title) or ")"
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)")
CODE = re.compile(r"`([^`\s]+)`")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# Absolute paths of a machine, not of the site (`/healthz`) or a system tool (`/usr/bin`).
MACHINE_PATH = re.compile(r"^(file:|~/|/(work|home|root|Users|tmp|mnt|srv|opt)/)")


def documents(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("**/*.md"))]


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def outside_references(document: Path, root: Path = ROOT) -> list[str]:
    """`file:line: reference` for each link of `document` that leaves `root` or is missing
    (web links and in-page anchors are fine), and each path in a code span that leaves the
    repository or names a machine's directory."""
    problems = []
    name = document.relative_to(root)
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
        for target in LINK.findall(line):
            if MACHINE_PATH.match(target):
                problems.append(f"{name}:{number}: {target}")
            elif not (target.startswith("#") or SCHEME.match(target)):
                path = (document.parent / target.split("#")[0]).resolve()
                if not _inside(path, root) or not path.exists():
                    problems.append(f"{name}:{number}: {target}")
        for span in CODE.findall(line):
            # paths in code spans are written from the repository's root, in docs/ too
            if span.startswith("../") or MACHINE_PATH.match(span):
                problems.append(f"{name}:{number}: {span}")
    return problems


def test_readme_and_docs_point_only_inside_the_repository() -> None:
    assert len(documents()) > 5
    assert [p for doc in documents() for p in outside_references(doc)] == []


def test_the_check_finds_links_that_leave_or_miss(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text("# Rules\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "\n".join(
            [
                "See [the rules](docs/rules.md#bands) and [NRMP](https://www.nrmp.org/).",
                "The articles are in `../shared/seeds/` and [here](../shared/domain.md).",
                "A [missing page](docs/gone.md), ![a shot](docs/shot.png), [top](#top).",
                "Not `/work/shared/style.md` nor [this](file:///etc/x); `/healthz` is fine.",
            ]
        )
    )
    docs_page = tmp_path / "docs" / "more.md"
    docs_page.write_text("Back to [the README](../README.md), not `../shared/seeds/004_…`.\n")
    assert outside_references(readme, tmp_path) == [
        "README.md:2: ../shared/domain.md",
        "README.md:2: ../shared/seeds/",
        "README.md:3: docs/gone.md",
        "README.md:3: docs/shot.png",
        "README.md:4: file:///etc/x",
        "README.md:4: /work/shared/style.md",
    ]
    assert outside_references(docs_page, tmp_path) == ["docs/more.md:1: ../shared/seeds/004_…"]
