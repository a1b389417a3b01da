"""`make bench`: build the benchmark database, serve it with gunicorn, drive every endpoint
with wrk at each catalog size, print a table per size and write bench-results/*.json."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scripts.bench import server
from scripts.bench.client import send
from scripts.bench.config import RESULTS_DIR, BenchConfig, bench_config
from scripts.bench.endpoints import ENDPOINTS, HEALTH_END, Checked, Endpoint, Options, sample
from scripts.bench.server import log
from scripts.bench.stats import (
    RunResult,
    apply_health_share,
    cpu_shares,
    evaluate_targets,
    format_table,
    health_ceiling,
    run_result,
)
from scripts.bench.wrk import wrk_run


class VerificationError(RuntimeError):
    """A response was not the real page: measuring it would hide an error."""


def verify(port: int, items: list[Checked], *, what: str) -> None:
    failures = []
    for item in items:
        response = send(port, item.req, timeout=30)
        problems = item.expect.problems(response)
        if problems:
            failures.append(f"  {item.req.method} {item.req.path}: {'; '.join(problems)}")
            if len(failures) >= 5:
                break
    if failures:
        raise VerificationError(
            f"{what}: responses are not the real pages:\n" + "\n".join(failures)
        )


def machine_info() -> dict[str, Any]:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_mb": memory_mb,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and how many files differed from it (others work in the tree)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(  # noqa: S603
                ["git", *args],  # noqa: S607
                cwd=RESULTS_DIR.parent,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except OSError:
            return ""

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_files": len(
            [line for line in git("status", "--porcelain").splitlines() if line]
        ),
    }


def cpu_ticks_by_command() -> dict[str, int]:
    """User plus system clock ticks used so far, summed per command name, from /proc (Linux).
    Processes that end between two snapshots are missed; the benchmark's are long-lived."""
    ticks: dict[str, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        ticks[name] = ticks.get(name, 0) + int(fields[11]) + int(fields[12])
    return ticks


def measure(
    endpoint: Endpoint,
    items: list[Checked],
    *,
    config: BenchConfig,
    wrk: str,
    gunicorn: server.Gunicorn,
    opts: Options,
    ctx: dict[str, Any],
) -> RunResult:
    port = config.server.port
    verify(port, sample(items, endpoint.verify_limit), what=endpoint.label)
    connections = config.plan_connections if endpoint.plan_connections else config.connections
    requests = [item.req for item in items]
    if config.warmup:
        # The program browser and new what-if values warm up on other requests, so that
        # the measured run starts with the measured pages not yet in the app's caches.
        warm = (
            [
                item.req
                for item in endpoint.build(ctx, dataclasses.replace(opts, seed=opts.seed + 1000))
            ]
            if endpoint.warm_on_others
            else requests
        )
        wrk_run(
            wrk=wrk,
            base_url=config.server.base_url,
            requests=warm,
            connections=connections,
            threads=config.threads,
            duration=config.warmup,
            timeout=config.timeout,
        )
    load_before = os.getloadavg()[0]
    workers_before = gunicorn.current_workers()
    ticks_before, started = cpu_ticks_by_command(), time.monotonic()
    summary = wrk_run(
        wrk=wrk,
        base_url=config.server.base_url,
        requests=requests,
        connections=connections,
        threads=config.threads,
        duration=config.duration,
        timeout=config.timeout,
    )
    expected = sorted({status for item in items for status in item.expect.statuses})
    result = run_result(
        endpoint=endpoint.name,
        label=endpoint.label,
        connections=connections,
        summary=summary,
        expected_statuses=expected,
        rotation_size=len(
            {(r.method, r.path, tuple(sorted(r.headers.items())), r.body) for r in requests}
        ),
    )
    cpu = cpu_shares(
        ticks_before,
        cpu_ticks_by_command(),
        seconds=time.monotonic() - started,
        cpus=os.cpu_count() or 1,
        ticks_per_second=os.sysconf("SC_CLK_TCK"),
    )
    workers_after = gunicorn.current_workers()
    # Still the real pages once the load is over (a session or cache gone bad would show).
    verify(port, sample(items, min(5, endpoint.verify_limit)), what=f"{endpoint.label} (after)")
    log(
        f"{endpoint.label}: {result.rps:.1f} req/s, p95 {result.p95_ms:.1f} ms, "
        f"errors {result.errors} (load avg before {load_before:.2f}; CPU "
        + ", ".join(f"{name} {share:.0%}" for name, share in cpu.items())
        + ")"
    )
    replaced = len(set(workers_before) - set(workers_after))
    if replaced:
        # Expected with the production config's max_requests (a slow leak cannot grow
        # forever); a crash would also show as errors or in gunicorn's log.
        log(f"{replaced} gunicorn worker(s) replaced during the run (max_requests recycling)")
    result.workers_replaced = replaced
    result.loadavg_before = round(load_before, 2)
    result.cpu_share = cpu
    return result


def run_size(
    *,
    size: int,
    config: BenchConfig,
    wrk: str,
    env: dict[str, str],
    log_path: Path,
    workdir: Path,
) -> dict[str, Any]:
    context_path = workdir / f"context-{size}.json"
    server.prepare(env, "setup", "--out", str(context_path))
    ctx = json.loads(context_path.read_text())
    opts = Options(host=config.server.host_header, browser_requests=config.browser_requests)
    results: list[RunResult] = []
    skipped: dict[str, str] = {}
    selected = [
        e
        for e in ENDPOINTS
        if not config.endpoints or e.name in config.endpoints or e.name == "health"
    ]
    with server.Gunicorn(config.server, env, log_path) as gunicorn:
        for endpoint in [*selected, HEALTH_END]:
            reason = endpoint.missing(ctx)
            if reason:
                skipped[endpoint.name] = reason
                log(f"skipping {endpoint.label}: {reason}")
                continue
            items = endpoint.build(ctx, opts)
            results.append(
                measure(
                    endpoint,
                    items,
                    config=config,
                    wrk=wrk,
                    gunicorn=gunicorn,
                    opts=opts,
                    ctx=ctx,
                )
            )
    ceiling = health_ceiling(results)
    apply_health_share(results, ceiling)
    targets = {e.name: e.targets for e in (*ENDPOINTS, HEALTH_END)}
    for result in results:
        result.targets = evaluate_targets(
            result, targets[result.endpoint], programs=ctx["program_count"]
        )
    return {
        "programs": ctx["program_count"],
        "applicants": len(ctx["applicants"]),
        "wizard_visitors": len(ctx["visitors"]),
        "plan_program_counts": [a.get("plan_programs") for a in ctx["applicants"]],
        "health_ceiling_rps": None if ceiling is None else round(ceiling, 1),
        "results": [r.as_dict() for r in results],
        "skipped": skipped,
        "_results": results,
    }


def main() -> int:
    server.install_signal_handlers()
    config = bench_config()
    wrk = server.wrk_ensure()
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    json_path = RESULTS_DIR / f"bench-{stamp}.json"
    log_path = RESULTS_DIR / f"gunicorn-bench-{stamp}.log"
    env = server.django_env(config.server, server.new_secret_key())
    report: dict[str, Any] = {
        "started_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "code": code_version(),
        "config": {
            "sizes": config.sizes,
            "duration_s": config.duration,
            "warmup_s": config.warmup,
            "connections": config.connections,
            "plan_connections": config.plan_connections,
            "wrk_threads": config.threads,
            "gunicorn_workers": config.server.workers,
            "gunicorn_args": list(config.server.extra_gunicorn_args),
            "browser_requests": config.browser_requests,
        },
        "sizes": [],
    }
    tables = []
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="matchplan-bench-") as tmp:
            server.database_build(config.server, env)
            loaded = 0
            for index, size in enumerate(config.sizes):
                log(f"loading programs: {loaded:,} -> {size:,}")
                server.programs_load(
                    env, config.server.database_url, count=size - loaded, seed=index + 1
                )
                loaded = size
                outcome = run_size(
                    size=size, config=config, wrk=wrk, env=env, log_path=log_path, workdir=Path(tmp)
                )
                results = outcome.pop("_results")
                table = format_table(
                    results,
                    title=(
                        f"\n{outcome['programs']:,} programs · {config.connections} connections "
                        f"({config.plan_connections} for plan generation) · {config.duration:g} s "
                        f"per endpoint · targets apply at 50,000 programs unless they say otherwise"
                    ),
                )
                print(table, flush=True)
                for name, reason in outcome["skipped"].items():
                    print(f"  not measured: {name}: {reason}")
                tables.append(table)
                report["sizes"].append(outcome)
                json_path.write_text(json.dumps(report, indent=1))
    except VerificationError as exc:
        log(f"FAILED: {exc}")
        report["error"] = str(exc)
        json_path.write_text(json.dumps(report, indent=1))
        return 1
    finally:
        report["finished_at"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        report["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if report["sizes"] or "error" in report:
            json_path.write_text(json.dumps(report, indent=1))
    print("\n".join(["", "Summary", *tables]) if len(tables) > 1 else "")
    print(
        f"\nWrote {json_path.relative_to(RESULTS_DIR.parent)} ({time.monotonic() - started:.0f} s)."
    )
    failed = [
        (size["programs"], r["endpoint"], t["target"])
        for size in report["sizes"][-1:]
        for r in size["results"]
        for t in r["targets"]
        if t["passed"] is False
    ]
    if failed:
        print(
            "Targets missed at the largest size: " + "; ".join(f"{e}: {t}" for _n, e, t in failed)
        )
        if os.environ.get("BENCH_STRICT") == "1":
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
