"""Share of the health ceiling kept, endpoint by endpoint: runs of this code against runs of
another commit made on the same machine the same hour (issue 10's measure).

Reads the JSON that `make bench` writes to bench-results/ and prints, for one catalog size,
each endpoint's share of the ceiling in every run, the mean of each side, the share kept
(mean of the new runs over mean of the old ones) and the p95s.

    .venv/bin/python scripts/bench_compare.py --new bench-results/bench-A.json ... \\
        --old ../old/bench-results/bench-B.json ... [--programs 5000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def load(paths: Sequence[Path], programs: int) -> list[dict[str, dict[str, Any]]]:
    """Per run: endpoint name -> its result at ``programs`` programs. A run without that
    size is an error (it names the file)."""
    runs = []
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        size = next((s for s in data["sizes"] if s["programs"] == programs), None)
        if size is None:
            raise SystemExit(f"{path}: no results at {programs:,} programs")
        runs.append({r["endpoint"]: r for r in size["results"]})
    return runs


def rows(
    new: list[dict[str, dict[str, Any]]], old: list[dict[str, dict[str, Any]]]
) -> list[tuple[str, list[float], list[float], float | None, list[float], list[float]]]:
    """(label, new shares %, old shares %, kept % or None, new p95s, old p95s) for every
    endpoint the new runs measured, in their order."""
    out = []
    names = list(dict.fromkeys(name for run in new for name in run))
    for name in names:
        label = next(run[name]["label"] for run in new if name in run)
        new_shares = [run[name]["share_of_health"] * 100 for run in new if name in run]
        old_shares = [run[name]["share_of_health"] * 100 for run in old if name in run]
        kept = None
        if new_shares and old_shares and statistics.mean(old_shares) > 0:
            kept = statistics.mean(new_shares) / statistics.mean(old_shares) * 100
        out.append(
            (
                label,
                new_shares,
                old_shares,
                kept,
                [run[name]["p95_ms"] for run in new if name in run],
                [run[name]["p95_ms"] for run in old if name in run],
            )
        )
    return out


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values) if values else "—"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new", nargs="+", type=Path, required=True, help="this code's runs")
    parser.add_argument("--old", nargs="+", type=Path, required=True, help="the other runs")
    parser.add_argument("--programs", type=int, default=5000, help="catalog size")
    args = parser.parse_args(argv)
    table = rows(load(args.new, args.programs), load(args.old, args.programs))
    print(
        f"{args.programs:,} programs; share of the health ceiling (%) per run, "
        f"{len(args.new)} new and {len(args.old)} old; kept = mean new / mean old"
    )
    print("| endpoint | new share % | old share % | kept | new p95 ms | old p95 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, new_shares, old_shares, kept, new_p95, old_p95 in table:
        kept_text = f"{kept:.0f} %" if kept is not None else "—"
        print(
            f"| {label} | {_list(new_shares)} | {_list(old_shares)} | {kept_text} | "
            f"{_list(new_p95)} | {_list(old_p95)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
