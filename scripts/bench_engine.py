"""Time the pure strategy engine for one profile against generated programs: a plan
(``assess``) and the specialty explorer's standings of every specialty (``standings``).

Usage: ``DEBUG=1 .venv/bin/python scripts/bench_engine.py [--runs 7] [--sizes 5000,50000]``
(or ``make bench-engine``). Programs are generated in memory, so the figures measure the engine
alone: no database, no Django. Prints the median of several runs per size and the time per
program; similar per-program times show that the engine grows linearly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments.engine import ProgramFacts, assess, standings
from assessments.plan_json import plan_to_dict
from assessments.profile import parse_profile
from assessments.rules import DEFAULT_FEES, default_rules

ROOT = Path(__file__).resolve().parent.parent
# The documented example profile (EM primary, IM backup, J-1).
PROFILE = json.loads((ROOT / "docs" / "example-profile.json").read_text())
STATES = ["NY", "TX", "CA", "FL", "IL", "PA", "OH", "MI", "NJ", "GA", "MA", "MD"]
TYPES = ["university", "community_university", "community", "military"]
YNU = ["yes", "no", "unknown"]
# Every program belongs to the plan's specialties (EM primary, IM backup): the worst case, as
# programs of other specialties are skipped at once.
CODES = ["EM", "IM"]


def generate(n: int, seed: int = 7) -> list[ProgramFacts]:
    rng = random.Random(seed)
    today = dt.date(2026, 6, 1)
    out = []
    for i in range(n):
        out.append(
            ProgramFacts(
                id=i + 1,
                name=f"Program {i:06d}",
                institution=f"Hospital {i % 977}",
                city=f"City {i % 331}",
                state=rng.choice(STATES),
                specialty_code=CODES[i % len(CODES)],
                program_type=rng.choice(TYPES),
                j1=rng.choice(YNU),
                h1b=rng.choice(YNU),
                img_share=rng.choice([None, rng.randint(0, 100)]),
                step2_min=rng.choice([None, None, rng.randint(210, 240)]),
                step2_typical=rng.choice([None, rng.randint(220, 260)]),
                max_yog=rng.choice([None, None, rng.randint(1, 10)]),
                accepts_failures=rng.choice(YNU),
                requires_usce=rng.choice(YNU),
                last_verified=rng.choice([None, today - dt.timedelta(days=rng.randint(0, 800))]),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="5000,50000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rules = default_rules()
    profile = parse_profile(PROFILE, today=dt.date(2026, 6, 1))
    today = dt.date(2026, 6, 1)
    print(
        f"Engine only (assess), median of {args.runs} runs; wall clock and CPU time of this "
        "process (CPU time is steadier on a busy machine); plan_to_dict timed once for info; "
        "standings: the explorer's pass for every specialty, median and minimum CPU."
    )
    print(
        f"{'programs':>9} {'median s':>9} {'min s':>8} {'cpu s':>7} {'us/program':>11} "
        f"{'cpu us/prog':>11} {'listed':>7} {'excluded':>8} {'to_dict s':>9} "
        f"{'standings ms':>12} {'min ms':>7}"
    )
    for size in sizes:
        programs = generate(size)
        times, cpu_times = [], []
        result = None
        for _ in range(args.runs):
            # The collector is paused as the engine's callers pause it (services.gc_paused).
            gc.disable()
            try:
                start, cpu_start = time.perf_counter(), time.process_time()
                result = assess(
                    profile, rules=rules, fees=DEFAULT_FEES, programs=programs, today=today
                )
                times.append(time.perf_counter() - start)
                cpu_times.append(time.process_time() - cpu_start)
            finally:
                gc.enable()
        assert result is not None
        standing_cpu = []
        for _ in range(args.runs):
            gc.disable()
            try:
                cpu_start = time.process_time()
                standings(profile, rules=rules, fees=DEFAULT_FEES, programs=programs, today=today)
                standing_cpu.append(time.process_time() - cpu_start)
            finally:
                gc.enable()
        median = statistics.median(times)
        cpu = statistics.median(cpu_times)
        start = time.perf_counter()
        plan_to_dict(result)
        to_dict = time.perf_counter() - start
        print(
            f"{size:>9} {median:>9.4f} {min(times):>8.4f} {cpu:>7.4f} {median / size * 1e6:>11.2f} "
            f"{cpu / size * 1e6:>11.2f} {len(result.programs):>7} "
            f"{len(result.excluded_programs):>8} {to_dict:>9.4f} "
            f"{statistics.median(standing_cpu) * 1000:>12.2f} {min(standing_cpu) * 1000:>7.2f}"
        )


if __name__ == "__main__":
    main()
