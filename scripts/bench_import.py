"""Time and peak memory of `manage.py import_programs` for 5,000 and 100,000 rows.

Writes a real-shaped CSV (fictional programs, FREIDA-like values) of each size, imports
it into an empty database in a fresh process, and prints rows, wall-clock seconds, the
CPU seconds of that process (steadier than the wall clock on a busy machine) and its
peak resident memory. Usage (SQLite by default, or DATABASE_URL):

    DEBUG=1 .venv/bin/python scripts/bench_import.py [5000 100000]
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "acgme_id", "name", "city", "state", "specialty", "program_type", "affiliation",
    "positions", "total_positions", "first_accredited", "accepting_applications",
    "application_platform", "visas", "img_share", "do_share", "usmd_share", "source",
    "last_verified",
]  # fmt: skip
TYPES = ["University-based", "Community-based university affiliated", "Community-based", "Other"]
VISAS = ["J-1", "J-1; H-1B", "", "None"]
CODES = ["IM", "FM", "PEDS", "PSYCH", "NEURO", "ANES", "PATH", "RAD", "GS"]


def write(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            img = round(rng.uniform(0, 90), 1)
            out.writerow([
                f"{1000000000 + n}", f"Bench Fictional Program {n}", f"Town {n % 700}", "NY",
                CODES[n % len(CODES)], rng.choice(TYPES), "None", f"{rng.randint(0, 40)}.0",
                rng.randint(3, 120), rng.randint(1960, 2025), "Yes", "ERAS", rng.choice(VISAS),
                img, 10, round(90 - img, 1), "bench (fictional)", "2025-03-01",
            ])  # fmt: skip


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [5000, 100_000]
    env = {**os.environ, "DEBUG": "1"}
    print(f"{'rows':>8} {'seconds':>8} {'CPU s':>8} {'rows/s':>8} {'peak MB':>8}")
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / f"bench-{rows}.csv"
            write(data, rows)
            db = Path(tmp) / "bench.sqlite3"
            if "DATABASE_URL" not in os.environ:
                env["DATABASE_URL"] = f"sqlite:///{db}"
            subprocess.run(  # nosec B603 (our own interpreter and script)
                [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
            )
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(  # noqa: S603  # nosec B603
                [sys.executable, "manage.py", "import_programs", str(data), "--season", "2026"],
                cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            # The largest child so far: the importing process of the largest file.
            peak = after.ru_maxrss / 1024
            print(
                f"{rows:>8,} {seconds:>8.1f} {cpu:>8.1f} {rows / seconds:>8.0f} {peak:>8.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
