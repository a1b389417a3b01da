"""`make fault`: stop PostgreSQL in the middle of load, start it again, and watch the app.

While probes send a steady mix of requests (health, program browser, plan pages, wizard
pages) and two wizard visitors keep saving a step, PostgreSQL is stopped for a few seconds
and started again. Passing means:

- every request during the outage got a clean 503 (the 503 page for HTML, the health
  endpoint's 503 JSON), never a 500, a traceback or a dropped connection;
- the app recovers within 5 seconds of PostgreSQL accepting connections again, with the
  same gunicorn master and workers (no restart);
- no wizard answer was lost: every save that was answered with a redirect is in the
  database afterwards, and the rest of the draft is intact.

It prints the error window (first and last failing request), the statuses seen during the
outage and the recovery time. PostgreSQL is always started again (in a finally block).

Knobs: FAULT_PROGRAMS (5000), FAULT_CONNECTIONS (6 probe threads), FAULT_BEFORE (5 s of load
before the stop), FAULT_OUTAGE (3 s stopped), FAULT_AFTER (12 s after it accepts again),
FAULT_PORT (8703), FAULT_PG_CLUSTER ("15 main"; found with pg_lsclusters by default),
BENCH_DATABASE_URL. It refuses to run while other databases of the cluster have clients
(a CI run, say), unless FAULT_FORCE=1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench import server
from scripts.bench.client import send
from scripts.bench.config import RESULTS_DIR, env_float, env_int, server_config
from scripts.bench.endpoints import Checked, Options, available
from scripts.bench.rotation import form_post
from scripts.bench.runner import code_version, machine_info, verify
from scripts.bench.server import log

RECOVERY_LIMIT_S = 5.0
OUTAGE_PAGE_TEXT = "MatchPlan is briefly unavailable"
PROBED = ("health", "programs", "plan", "wizard-get")
SAVE_INTERVAL_S = 0.25


@dataclass
class Probe:
    name: str
    started: float  # monotonic
    ended: float
    status: int
    expected: tuple[int, ...]  # what the endpoint answers while the database is up
    problem: str = ""  # why this response is not acceptable at all (even during an outage)

    @property
    def ok(self) -> bool:
        return self.status in self.expected and not self.problem


@dataclass
class Save:
    visitor: str
    number: int
    started: float
    status: int


@dataclass
class Timeline:
    stop_sent: float = 0.0
    stopped: float = 0.0
    start_sent: float = 0.0
    accepting: float = 0.0
    notes: list[str] = field(default_factory=list)


# --- PostgreSQL control -------------------------------------------------------------------


def pg_cluster(port: int) -> tuple[str, str]:
    """(version, name) of the cluster serving `port`: FAULT_PG_CLUSTER or pg_lsclusters."""
    raw = os.environ.get("FAULT_PG_CLUSTER", "").split()
    if len(raw) == 2:
        return raw[0], raw[1]
    output = subprocess.run(
        ["pg_lsclusters", "--no-header"],  # noqa: S607 (Debian tool on PATH)
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == str(port):
            return parts[0], parts[1]
    raise SystemExit(f"no PostgreSQL cluster on port {port} in pg_lsclusters; set FAULT_PG_CLUSTER")


def pg_ctl(cluster: tuple[str, str], action: str) -> subprocess.CompletedProcess[str]:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action]
    if action == "stop":
        command += ["--mode", "fast"]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603


def pg_other_clients(url: str) -> dict[str, int]:
    """Client connections to other databases of the cluster, which the restart would cut."""
    import psycopg

    own = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT datname, count(*) FROM pg_stat_activity"
            " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            " AND datname IS NOT NULL AND datname <> %s GROUP BY datname",
            [own],
        ).fetchall()
    return dict(rows)


def wait_accepting(url: str, *, seconds: float) -> float:
    """Poll (every 50 ms, bounded) until PostgreSQL accepts a connection; returns when."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.database_accepts(url, timeout=1):
            return time.monotonic()
        time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL did not accept connections within {seconds:.0f} s")


def pg_ensure_running(cluster: tuple[str, str], url: str) -> None:
    """Start the cluster unless it accepts connections; wait (bounded) until it does."""
    if server.database_accepts(url):
        return
    result = pg_ctl(cluster, "start")
    if result.returncode != 0 and "already running" not in (result.stderr + result.stdout):
        log(f"pg_ctlcluster start: {result.stderr.strip() or result.stdout.strip()}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.database_accepts(url):
            return
        time.sleep(0.2)
    raise RuntimeError("PostgreSQL did not accept connections within 60 s of starting it")


# --- load -----------------------------------------------------------------------------------


def judge(name: str, status: int, body: str, error: str, expected: tuple[int, ...]) -> str:
    """Why a response is unacceptable whatever the database does ('' when acceptable)."""
    if status == 0:
        return f"no response ({error})"
    if "Traceback" in body:
        return "traceback in the body"
    if status == 503:
        if name == "health":
            return "" if '"status": "error"' in body else "health 503 without its JSON"
        return "" if OUTAGE_PAGE_TEXT in body else "503 without the outage page"
    if status in expected:
        return ""
    return f"status {status}"


def probe_loop(
    name_items: list[tuple[str, Checked]],
    port: int,
    stop: threading.Event,
    deadline: float,
    out: list[Probe],
    lock: threading.Lock,
) -> None:
    for name, item in itertools.cycle(name_items):
        if stop.is_set() or time.monotonic() > deadline:
            return
        response = send(port, item.req, timeout=10)
        probe = Probe(
            name=name,
            started=response.started,
            ended=response.started + response.elapsed,
            status=response.status,
            expected=item.expect.statuses,
            problem=judge(
                name, response.status, response.body, response.error, item.expect.statuses
            ),
        )
        with lock:
            out.append(probe)
        time.sleep(0.01)  # a steady stream, not a flood: this is about correctness


def save_loop(
    label: str,
    visitor: dict[str, Any],
    ctx: dict[str, Any],
    opts: Options,
    port: int,
    stop: threading.Event,
    deadline: float,
    out: list[Save],
    lock: threading.Lock,
) -> None:
    step = next(s for s in ctx["wizard_steps"] if s["name"] == "background")
    base = dict(parse_qsl(visitor["step_bodies"]["background"], keep_blank_values=True))
    cookies = {
        ctx["cookies"]["session"]: visitor["session"],
        ctx["cookies"]["csrf"]: visitor["csrf"],
    }
    for number in itertools.count(1):
        if stop.is_set() or time.monotonic() > deadline:
            return
        body = urlencode({**base, "country": f"Fault {number}"})
        req = form_post(
            step["url"],
            body,
            cookies=cookies,
            csrf_header=ctx["csrf_header"],
            csrf_token=visitor["csrf"],
            host=opts.host,
        )
        response = send(port, req, timeout=10)
        with lock:
            out.append(
                Save(visitor=label, number=number, started=response.started, status=response.status)
            )
        time.sleep(SAVE_INTERVAL_S)


# --- analysis -------------------------------------------------------------------------------


def clock(t: float, offset: float) -> str:
    return dt.datetime.fromtimestamp(t + offset).strftime("%H:%M:%S.%f")[:-3]


def analyse(probes: list[Probe], timeline: Timeline) -> dict[str, Any]:
    """The error window, the statuses while PostgreSQL was down, and the recovery time.

    Times are seconds after the stop command was sent. A request counts as failing when
    it got anything but 200/302; it is unclean when it got anything but a proper 503.
    Recovery is measured on sent times: the last request that still failed after
    PostgreSQL accepted connections again, counted from that moment (0 if none did).
    """
    probes = sorted(probes, key=lambda p: p.started)
    failing = [p for p in probes if not p.ok]
    down = [p for p in probes if timeline.stopped <= p.started <= timeline.accepting]
    shutting_down = [p for p in probes if timeline.stop_sent <= p.started < timeline.stopped]
    unclean = [p for p in probes if p.problem]

    def rel(t: float) -> float:
        return round(t - timeline.stop_sent, 3)

    result: dict[str, Any] = {
        "requests": len(probes),
        "failing": len(failing),
        "unclean": [
            {"name": p.name, "status": p.status, "problem": p.problem, "sent_s": rel(p.started)}
            for p in unclean[:20]
        ],
        "unclean_count": len(unclean),
        "failures_before_stop": sum(1 for p in failing if p.ended < timeline.stop_sent),
        "down_statuses": dict(Counter(str(p.status) for p in down)),
        "down_requests": len(down),
        "shutting_down_statuses": dict(Counter(str(p.status) for p in shutting_down)),
    }
    if failing:
        by_end = sorted(failing, key=lambda p: p.ended)
        result["first_failure_s"] = rel(by_end[0].ended)
        result["last_failure_s"] = rel(by_end[-1].ended)
    late = [p for p in failing if p.started >= timeline.accepting]
    result["recovery_s"] = round(
        max((p.started for p in late), default=timeline.accepting) - timeline.accepting, 3
    )
    # Some request after the last failure must have succeeded, or the app never recovered.
    last_failure_sent = max((p.started for p in failing), default=0.0)
    if not any(p.ok and p.started > last_failure_sent for p in probes):
        result["recovery_s"] = None
    first_ok = next((p for p in probes if p.started >= timeline.accepting and p.ok), None)
    result["first_success_after_accepting_s"] = (
        None if first_ok is None else round(first_ok.started - timeline.accepting, 3)
    )
    return result


def saves_check(
    saves: list[Save],
    label: str,
    answers_before: dict[str, Any],
    answers_after: dict[str, Any] | None,
    timeline: Timeline,
) -> dict[str, Any]:
    mine = [s for s in saves if s.visitor == label]
    acked = [s.number for s in mine if s.status == 302]
    last_acked = max(acked) if acked else 0
    sent = max((s.number for s in mine), default=0)
    phases: Counter[str] = Counter()
    for s in mine:
        phase = (
            "before"
            if s.started < timeline.stop_sent
            else "during"
            if s.started <= timeline.accepting
            else "after"
        )
        phases[f"{phase}:{s.status}"] += 1
    found = None
    problems = []
    if answers_after is None:
        problems.append("the draft is gone")
    else:
        country = str(answers_after.get("country", ""))
        if country.startswith("Fault "):
            found = int(country.split()[1])
        if found is None or found < last_acked or found > sent:
            problems.append(
                f"saved country is {country!r}, last acknowledged save was 'Fault {last_acked}'"
            )
        rest_before = {k: v for k, v in answers_before.items() if k != "country"}
        rest_after = {k: v for k, v in answers_after.items() if k != "country"}
        if rest_before != rest_after:
            changed = sorted(
                k
                for k in rest_before.keys() | rest_after.keys()
                if rest_before.get(k) != rest_after.get(k)
            )
            problems.append(f"other answers changed: {changed}")
    return {
        "visitor": label,
        "saves_sent": sent,
        "saves_acknowledged": len(acked),
        "last_acknowledged": last_acked,
        "found_in_database": found,
        "by_phase": dict(sorted(phases.items())),
        "problems": problems,
    }


# --- main -----------------------------------------------------------------------------------


def main() -> int:
    server.install_signal_handlers()
    config = server_config(8703, "FAULT_PORT")
    # "Recovers without a restart" is checked by the worker pids: no max_requests recycling.
    config = dataclasses.replace(
        config, extra_gunicorn_args=(*config.extra_gunicorn_args, "--max-requests", "0")
    )
    programs = env_int("FAULT_PROGRAMS", 5000, high=100_000)
    threads = env_int("FAULT_CONNECTIONS", 6, high=64)
    before_s = env_float("FAULT_BEFORE", 5.0, low=1, high=600)
    outage_s = env_float("FAULT_OUTAGE", 3.0, low=0.5, high=60)
    after_s = env_float("FAULT_AFTER", 12.0, low=6, high=600)
    port = urlsplit(config.database_url).port or 5432
    cluster = pg_cluster(port)
    admin_url = config.database_url
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    env = server.django_env(config, server.new_secret_key())
    log_path = RESULTS_DIR / f"gunicorn-fault-{stamp}.log"
    offset = time.time() - time.monotonic()
    machine = machine_info()

    # The restart cuts every connection of the cluster: do not break someone else's work.
    others = (
        pg_other_clients(config.database_url)
        if server.database_accepts(config.database_url)
        else {}
    )
    if others and os.environ.get("FAULT_FORCE") != "1":
        raise SystemExit(
            f"other databases on this PostgreSQL have clients ({others}); the restart would cut "
            "them. Retry when they are done, or set FAULT_FORCE=1."
        )
    with tempfile.TemporaryDirectory(prefix="matchplan-fault-") as tmp:
        ctx = server.stage(config, env, programs=programs, out=Path(tmp) / "context.json")
    opts = Options(host=config.host_header, browser_requests=200)
    built, skipped = available(ctx, opts)
    for name, reason in skipped.items():
        log(f"not probed: {name}: {reason}")
    name_items = [(name, item) for name in PROBED if name in built for item in built[name][:50]]
    savers = {
        "signed-in visitor": next(v for v in ctx["visitors"] if v["kind"] == "user"),
        "anonymous visitor": next(v for v in ctx["visitors"] if v["kind"] == "anonymous"),
    }

    probes: list[Probe] = []
    saves: list[Save] = []
    lock = threading.Lock()
    stop = threading.Event()
    timeline = Timeline()
    with server.Gunicorn(config, env, log_path) as gunicorn:
        for name in PROBED:
            if name in built:
                verify(config.port, built[name][:5], what=name)
        master = gunicorn.process.pid if gunicorn.process else None
        workers = list(gunicorn.workers)
        deadline = time.monotonic() + before_s + outage_s + after_s + 90
        workers_threads = [
            threading.Thread(
                target=probe_loop,
                args=(
                    name_items[i::threads] or name_items,
                    config.port,
                    stop,
                    deadline,
                    probes,
                    lock,
                ),
                daemon=True,
            )
            for i in range(threads)
        ] + [
            threading.Thread(
                target=save_loop,
                args=(label, visitor, ctx, opts, config.port, stop, deadline, saves, lock),
                daemon=True,
            )
            for label, visitor in savers.items()
        ]
        for thread in workers_threads:
            thread.start()
        try:
            time.sleep(before_s)
            log(f"stopping PostgreSQL {' '.join(cluster)}")
            timeline.stop_sent = time.monotonic()
            result = pg_ctl(cluster, "stop")
            timeline.stopped = time.monotonic()
            if result.returncode != 0:
                timeline.notes.append(f"stop: {result.stderr.strip()}")
            time.sleep(outage_s)
            log("starting PostgreSQL")
            timeline.start_sent = time.monotonic()
            # pg_ctlcluster returns a while after the server accepts connections: watch
            # for the first accepted connection meanwhile, that is when recovery starts.
            starter = threading.Thread(target=pg_ctl, args=(cluster, "start"), daemon=True)
            starter.start()
            timeline.accepting = wait_accepting(config.database_url, seconds=60)
            starter.join(timeout=60)
            log(
                "PostgreSQL accepts connections again "
                f"({timeline.accepting - timeline.stop_sent:.2f} s after the stop)"
            )
            time.sleep(after_s)
        finally:
            stop.set()
            pg_ensure_running(cluster, admin_url)
            for thread in workers_threads:
                thread.join(timeout=15)
        same_processes = (
            gunicorn.process is not None and gunicorn.process.pid == master
        ) and sorted(gunicorn.current_workers()) == sorted(workers)

    answers_after = {
        label: json.loads(
            server.prepare(
                env,
                "draft",
                *(
                    ["--email", v["email"]]
                    if v["kind"] == "user"
                    else ["--token", v["draft_token"]]
                ),
            )
        )
        for label, v in savers.items()
    }
    probe_report = analyse(probes, timeline)
    save_reports = [
        saves_check(saves, label, savers[label]["answers"], answers_after[label], timeline)
        for label in savers
    ]

    outage_len = timeline.accepting - timeline.stop_sent
    print()
    print(
        f"Fault: PostgreSQL {' '.join(cluster)}: stop sent at {clock(timeline.stop_sent, offset)}, "
        f"down from +{timeline.stopped - timeline.stop_sent:.2f} s, start sent at "
        f"+{timeline.start_sent - timeline.stop_sent:.2f} s, accepting connections again at "
        f"{clock(timeline.accepting, offset)} (+{outage_len:.2f} s)"
    )
    print(
        f"  probes: {probe_report['requests']} requests "
        f"({', '.join(n for n in PROBED if n in built)}), {probe_report['failing']} failed"
    )
    if "first_failure_s" in probe_report:
        first, last = probe_report["first_failure_s"], probe_report["last_failure_s"]
        print(
            f"  error window (failing responses received): first at "
            f"{clock(timeline.stop_sent + first, offset)} ({first:+.2f} s), last at "
            f"{clock(timeline.stop_sent + last, offset)} ({last:+.2f} s)"
        )
    else:
        print("  error window: no request failed")
    print(
        f"  statuses of requests sent while PostgreSQL was down ({probe_report['down_requests']}): "
        f"{probe_report['down_statuses']}; while it was shutting down: "
        f"{probe_report['shutting_down_statuses']}"
    )
    unclean = probe_report["unclean_count"]
    print(
        "  unclean responses (500, traceback, 503 without the outage page, no response): "
        f"{unclean} ({'PASS' if unclean == 0 else 'FAIL'})"
    )
    for bad in probe_report["unclean"][:5]:
        print(f"    {bad}")
    recovery = probe_report["recovery_s"]
    recovery_ok = recovery is not None and recovery <= RECOVERY_LIMIT_S
    print(
        "  recovery (last failing request sent after PostgreSQL accepted connections): "
        f"{'never' if recovery is None else f'{recovery:.2f} s'} "
        f"({'PASS' if recovery_ok else 'FAIL'}: ≤ {RECOVERY_LIMIT_S:g} s); first success "
        f"sent {probe_report['first_success_after_accepting_s']} s after it accepted"
    )
    print(
        "  gunicorn master and workers unchanged: "
        f"{'yes (PASS)' if same_processes else 'no (FAIL)'}"
    )
    saves_ok = True
    for report in save_reports:
        ok = not report["problems"]
        saves_ok &= ok
        print(
            f"  wizard saves, {report['visitor']}: {report['saves_acknowledged']} of {report['saves_sent']} "
            f"acknowledged; database has 'Fault {report['found_in_database']}', last acknowledged "
            f"'Fault {report['last_acknowledged']}'; by phase {report['by_phase']} "
            f"({'PASS' if ok else 'FAIL: ' + '; '.join(report['problems'])})"
        )
    passed = (
        unclean == 0
        and recovery_ok
        and same_processes
        and saves_ok
        and probe_report["failures_before_stop"] == 0
        and probe_report["down_requests"] > 0
    )
    path = RESULTS_DIR / f"fault-{stamp}.json"
    path.write_text(
        json.dumps(
            {
                "started_at": stamp,
                "machine": machine,
                "code": code_version(),
                "config": {
                    "programs": ctx["program_count"],
                    "probe_threads": threads,
                    "before_s": before_s,
                    "outage_s": outage_s,
                    "after_s": after_s,
                    "cluster": cluster,
                },
                "timeline_s": {
                    "stopped": round(timeline.stopped - timeline.stop_sent, 3),
                    "start_sent": round(timeline.start_sent - timeline.stop_sent, 3),
                    "accepting": round(outage_len, 3),
                    "notes": timeline.notes,
                },
                "probes": probe_report,
                "saves": save_reports,
                "same_processes": same_processes,
                "passed": passed,
            },
            indent=1,
        )
    )
    print(f"  {'PASS' if passed else 'FAIL'} · wrote {path.relative_to(RESULTS_DIR.parent)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
