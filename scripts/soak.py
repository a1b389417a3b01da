"""`make soak`: mixed traffic at 64 connections for 5 minutes against the benchmark setup.

Prints the errors (expected: none) and every gunicorn worker's resident memory (VmRSS) at
the start and the end, with the growth (target: under 10 %). "Start" is taken after a
warm-up of the same traffic, so that what every worker loads once (templates, URL
resolvers, connections, the working set of the heaviest requests) is not mistaken for
growth; the cold figure is printed as well. The warm-up runs in rounds of SOAK_WARMUP
seconds until no worker grew by 2 % or more in the last round (at most SOAK_WARMUP_MAX).

Knobs: SOAK_SECONDS (300), SOAK_CONNECTIONS (64), SOAK_PROGRAMS (5000), SOAK_WARMUP (20),
SOAK_WARMUP_MAX (120),
SOAK_SAMPLE_SECONDS (15), SOAK_PORT (8702), BENCH_WORKERS (2), BENCH_THREADS (2 wrk threads),
BENCH_DATABASE_URL. Results also go to bench-results/soak-<timestamp>.json.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench import server
from scripts.bench.config import RESULTS_DIR, env_float, env_int, server_config
from scripts.bench.endpoints import Options, available, sample
from scripts.bench.rotation import interleave
from scripts.bench.runner import code_version, machine_info, verify
from scripts.bench.server import log
from scripts.bench.stats import growth_pct, memory_settled, run_result
from scripts.bench.wrk import wrk_run

GROWTH_LIMIT_PCT = 10.0
# The warm-up ends when no worker grew by this much in its last round.
SETTLED_PCT = 2.0
# The mix: what visitors do most (browse, read their plan, fill in the wizard) most often.
WEIGHTS = {
    "programs": 34,
    "programs-search": 6,
    "plan": 16,
    "wizard-get": 16,
    "wizard-post": 10,
    "whatif": 10,
    "plan-generate": 3,
    "health": 5,
}


def main() -> int:
    server.install_signal_handlers()
    config = server_config(8702, "SOAK_PORT")
    # Worker recycling (max_requests in the production config) would reset memory and
    # hide a leak: the soak keeps the same workers from start to end.
    config = dataclasses.replace(
        config, extra_gunicorn_args=(*config.extra_gunicorn_args, "--max-requests", "0")
    )
    seconds = env_float("SOAK_SECONDS", 300.0, low=5, high=24 * 3600)
    connections = env_int("SOAK_CONNECTIONS", 64, high=4096)
    programs = env_int("SOAK_PROGRAMS", 5_000, high=100_000)
    warmup = env_float("SOAK_WARMUP", 20.0, low=0, high=600)
    warmup_max = env_float("SOAK_WARMUP_MAX", 120.0, low=0, high=3600)
    sample_every = env_float("SOAK_SAMPLE_SECONDS", 15.0, low=1, high=3600)
    threads = env_int("BENCH_THREADS", 2, high=64)
    wrk = server.wrk_ensure()
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    env = server.django_env(config, server.new_secret_key())
    log_path = RESULTS_DIR / f"gunicorn-soak-{stamp}.log"

    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="matchplan-soak-") as tmp:
        ctx = server.stage(config, env, programs=programs, out=Path(tmp) / "context.json")
    opts = Options(host=config.host_header, browser_requests=1000)
    built, skipped = available(ctx, opts)
    for name, reason in skipped.items():
        log(f"not in the mix: {name}: {reason}")
    weighted = [
        ([c.req for c in built[name]], weight) for name, weight in WEIGHTS.items() if name in built
    ]
    mix = interleave(weighted, total=4000, seed=5)
    expected = sorted(
        {s for items in built.values() for item in items for s in item.expect.statuses}
    )

    samples: list[dict[str, Any]] = []
    with server.Gunicorn(config, env, log_path) as gunicorn:
        for name, items in built.items():
            verify(config.port, sample(items, 4 if name == "plan-generate" else 10), what=name)
        workers = list(gunicorn.workers)
        cold = {pid: server.rss_kb(pid) for pid in workers}
        # Warm-up in rounds until every worker's memory has settled: a worker that has not
        # yet served the heaviest requests (plan generation, a what-if at 50,000 programs)
        # is still loading its working set, and that growth is not a leak.
        start = cold
        warmed = 0.0
        settled = not warmup
        while warmup:  # at least one round, then until settled or SOAK_WARMUP_MAX
            log(f"warm-up: {warmup:g} s of the mix at {connections} connections")
            wrk_run(
                wrk=wrk,
                base_url=config.base_url,
                requests=mix,
                connections=connections,
                threads=threads,
                duration=warmup,
                timeout=10,
            )
            warmed += warmup
            before, start = start, {pid: server.rss_kb(pid) for pid in workers}
            settled = memory_settled(before, start, tolerance_pct=SETTLED_PCT)
            if settled or warmed >= warmup_max:
                break
        if warmup:
            last = f"{SETTLED_PCT:g} % in the last {warmup:g} s"
            log(
                f"warm-up: {warmed:g} s; every worker's memory grew under {last}: settled"
                if settled
                else f"warm-up: {warmed:g} s (SOAK_WARMUP_MAX); memory still grew {last} or more"
            )
        log(f"soak: {seconds:g} s of the mix at {connections} connections")
        outcome: dict[str, Any] = {}

        def drive() -> None:
            try:
                outcome["summary"] = wrk_run(
                    wrk=wrk,
                    base_url=config.base_url,
                    requests=mix,
                    connections=connections,
                    threads=threads,
                    duration=seconds,
                    timeout=10,
                )
            except Exception as exc:  # reported below; the sampler must still stop
                outcome["error"] = repr(exc)

        driver = threading.Thread(target=drive, daemon=True)
        began = time.monotonic()
        driver.start()
        deadline = began + seconds + 120
        while driver.is_alive() and time.monotonic() < deadline:
            driver.join(timeout=sample_every)
            samples.append(
                {
                    "t_s": round(time.monotonic() - began, 1),
                    "rss_kb": {str(pid): server.rss_kb(pid) for pid in workers},
                    "loadavg": round(os.getloadavg()[0], 2),
                }
            )
        end = {pid: server.rss_kb(pid) for pid in workers}
        workers_after = gunicorn.current_workers()
        verify(
            config.port,
            [item for items in built.values() for item in sample(items, 2)],
            what="after the soak",
        )
    if "summary" not in outcome:
        log(f"FAILED: wrk did not finish: {outcome.get('error', 'timed out')}")
        return 1

    result = run_result(
        endpoint="mix",
        label="mixed traffic",
        connections=connections,
        summary=outcome["summary"],
        expected_statuses=expected,
        rotation_size=len(mix),
    )
    print()
    print(
        f"Soak: {ctx['program_count']:,} programs, {connections} connections, "
        f"{result.duration_s:g} s, mix of {', '.join(n for n in WEIGHTS if n in built)}"
    )
    print(
        f"  requests {result.requests:,}  ({result.rps:.1f} req/s)  p50 {result.p50_ms:.1f} ms  "
        f"p95 {result.p95_ms:.1f} ms  p99 {result.p99_ms:.1f} ms  max {result.max_ms:.1f} ms"
    )
    print(
        f"  statuses {dict(sorted(result.statuses.items()))}  socket errors {result.socket_errors}"
    )
    print(f"  errors: {result.errors}  ({'PASS' if result.errors == 0 else 'FAIL'}: expected none)")
    print(
        "  worker memory (VmRSS, MiB): after the start-up checks -> start (after warm-up) -> end, growth from start"
    )
    growths: dict[int, float | None] = {}
    for pid in workers:
        first, last = start[pid], end[pid]
        if first is None or last is None:
            print(f"    worker {pid}: gone during the soak (FAIL)")
            growths[pid] = None
            continue
        growth = growth_pct(first, last)
        growths[pid] = round(growth, 2)
        print(
            f"    worker {pid}: {(cold[pid] or 0) / 1024:.1f} -> {first / 1024:.1f} -> "
            f"{last / 1024:.1f}  growth {growth:+.1f} %  "
            f"({'PASS' if growth < GROWTH_LIMIT_PCT else 'FAIL'}: < {GROWTH_LIMIT_PCT:g} %)"
        )
    for pid in workers:
        seen = [s["rss_kb"][str(pid)] for s in samples if s["rss_kb"].get(str(pid))]
        if seen:
            print(
                f"    worker {pid} sampled every {sample_every:g} s: "
                f"{min(seen) / 1024:.1f} to {max(seen) / 1024:.1f} MiB"
            )
    if sorted(workers_after) != sorted(workers):
        print(f"  workers changed during the soak: {workers} -> {workers_after} (FAIL)")
    passed = (
        result.errors == 0
        and all(g is not None and g < GROWTH_LIMIT_PCT for g in growths.values())
        and sorted(workers_after) == sorted(workers)
    )
    report = {
        "started_at": stamp,
        "machine": machine,
        "code": code_version(),
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        "config": {
            "seconds": seconds,
            "connections": connections,
            "programs": ctx["program_count"],
            "warmup_s": warmed,
            "warmup_settled": settled,
            "weights": {n: w for n, w in WEIGHTS.items() if n in built},
            "skipped": skipped,
        },
        "result": result.as_dict(),
        "rss_kb": {
            str(pid): {
                "cold": cold[pid],
                "start": start[pid],
                "end": end[pid],
                "growth_pct": growths[pid],
            }
            for pid in workers
        },
        "samples": samples,
        "workers_after": workers_after,
        "passed": passed,
    }
    path = RESULTS_DIR / f"soak-{stamp}.json"
    path.write_text(json.dumps(report, indent=1))
    print(f"  {'PASS' if passed else 'FAIL'} · wrote {path.relative_to(RESULTS_DIR.parent)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
