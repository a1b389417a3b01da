"""Figures: percentiles, wrk's JSON summary, targets and the printed table. Pure functions."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

WRK_JSON_PREFIX = "@@WRK_JSON "


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile by linear interpolation between closest ranks (numpy's default).

    Used for the latencies the Python probes record (the fault script); wrk computes its own.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile must be within 0..100, got {pct}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    weight = rank - low
    return ordered[low] * (1 - weight) + ordered[high] * weight


def cpu_shares(
    before: Mapping[str, int],
    after: Mapping[str, int],
    *,
    seconds: float,
    cpus: int,
    ticks_per_second: int,
    names: Sequence[str] = ("gunicorn", "postgres", "redis-server"),
) -> dict[str, float]:
    """Each named program's share of all the CPU time available in ``seconds`` (0..1), from
    two snapshots of clock ticks per command name; "idle or other" is what remains (wrk
    among it: it has exited by the second snapshot, so its own ticks cannot be read). The
    shared cache's server is named apart, so that time the workers spend waiting on it
    (idle) is not taken for its own work."""
    available = seconds * cpus * ticks_per_second
    if available <= 0:
        return {}
    shares = {
        name: round(max(0, after.get(name, 0) - before.get(name, 0)) / available, 3)
        for name in names
    }
    shares["idle or other"] = round(max(0.0, 1 - sum(shares.values())), 3)
    return shares


@dataclass
class RunResult:
    """One endpoint measured once: what the table and the JSON report show."""

    endpoint: str
    label: str
    connections: int
    duration_s: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: dict[str, int]
    statuses: dict[str, int]
    unexpected_statuses: int  # responses whose status is not one the endpoint must answer
    rotation_size: int
    share_of_health: float | None = None
    targets: list[dict[str, Any]] = field(default_factory=list)
    workers_replaced: int = 0
    loadavg_before: float | None = None  # the machine's 1-minute load just before the run
    # share of the machine's CPU time (all cores) each program used during the run
    cpu_share: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values()) + self.unexpected_statuses

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = self.errors
        return data


def parse_wrk_output(stdout: str) -> dict[str, Any]:
    """The JSON summary that scripts/wrk/rotate.lua prints in done(); raises if missing."""
    for line in stdout.splitlines():
        if line.startswith(WRK_JSON_PREFIX):
            return json.loads(line[len(WRK_JSON_PREFIX) :])
    raise ValueError("wrk printed no summary line (did rotate.lua run?):\n" + stdout[-2000:])


def count_unexpected(statuses: Mapping[str, int], expected: Iterable[int]) -> int:
    """Responses whose status is not in `expected` (a 302 to the login page is an error
    for a plan page even though wrk counts every 3xx as a success)."""
    allowed = {str(code) for code in expected}
    return sum(count for status, count in statuses.items() if status not in allowed)


def run_result(
    *,
    endpoint: str,
    label: str,
    connections: int,
    summary: Mapping[str, Any],
    expected_statuses: Iterable[int],
    rotation_size: int,
) -> RunResult:
    """A RunResult from rotate.lua's summary (latencies arrive in microseconds)."""
    duration_s = summary["duration_us"] / 1_000_000
    requests = int(summary["requests"])
    latency = summary["latency_us"]
    statuses = {str(k): int(v) for k, v in summary.get("statuses", {}).items()}
    return RunResult(
        endpoint=endpoint,
        label=label,
        connections=connections,
        duration_s=round(duration_s, 2),
        requests=requests,
        rps=round(requests / duration_s, 1) if duration_s else 0.0,
        p50_ms=round(latency["p50"] / 1000, 1),
        p90_ms=round(latency["p90"] / 1000, 1),
        p95_ms=round(latency["p95"] / 1000, 1),
        p99_ms=round(latency["p99"] / 1000, 1),
        max_ms=round(latency["max"] / 1000, 1),
        socket_errors={k: int(v) for k, v in summary["errors"].items() if k != "status"},
        statuses=statuses,
        unexpected_statuses=count_unexpected(statuses, expected_statuses),
        rotation_size=rotation_size,
    )


# --- targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A limit on one figure: p95 in ms (at most), share of health in % (at least), errors."""

    metric: str  # "p95_ms" | "share_pct" | "errors"
    limit: float
    # The target holds for catalogs of at most this many programs (None: every size).
    max_programs: int | None = None

    def describe(self) -> str:
        if self.metric == "p95_ms":
            if self.max_programs is not None:
                return f"p95 ≤ {self.limit:g} ms up to {self.max_programs:,} programs"
            return f"p95 ≤ {self.limit:g} ms"
        if self.metric == "share_pct":
            return f"≥ {self.limit:g} % of health"
        if self.metric == "errors":
            return "no errors" if self.limit == 0 else f"errors ≤ {self.limit:g}"
        raise ValueError(f"unknown metric {self.metric}")

    def check(self, result: RunResult, programs: int | None = None) -> bool | None:
        """True/False, or None when the figure is not available (no health run) or the
        target does not apply to a catalog of ``programs``.

        A run that completed no request passes nothing: its latencies are zeros, not figures.
        """
        if self.max_programs is not None and (programs is None or programs > self.max_programs):
            return None
        if result.requests == 0:
            return False
        if self.metric == "p95_ms":
            return result.p95_ms <= self.limit
        if self.metric == "share_pct":
            if result.share_of_health is None:
                return None
            return result.share_of_health * 100 >= self.limit
        if self.metric == "errors":
            return result.errors <= self.limit
        raise ValueError(f"unknown metric {self.metric}")


def evaluate_targets(
    result: RunResult, targets: Iterable[Target], programs: int | None = None
) -> list[dict[str, Any]]:
    return [
        {"target": target.describe(), "passed": target.check(result, programs)}
        for target in (Target("errors", 0), *targets)
    ]


def health_ceiling(
    results: Sequence[RunResult], names: Iterable[str] = ("health", "health-end")
) -> float | None:
    """The ceiling: mean requests/s of the health runs (measured first and last, so that a
    machine that got busier or quieter meanwhile moves the ceiling with it)."""
    wanted = set(names)
    rates = [r.rps for r in results if r.endpoint in wanted and r.rps > 0]
    return sum(rates) / len(rates) if rates else None


def apply_health_share(results: Sequence[RunResult], ceiling_rps: float | None) -> None:
    """Fill share_of_health of every result (None when there is no ceiling)."""
    for result in results:
        result.share_of_health = round(result.rps / ceiling_rps, 4) if ceiling_rps else None


# --- presentation -------------------------------------------------------------------------


def verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[passed]


def format_table(results: Sequence[RunResult], *, title: str) -> str:
    """A fixed-width table: one row per endpoint, its targets' verdicts at the end."""
    headers = [
        "endpoint",
        "conns",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "% health",
        "targets",
    ]
    rows = []
    for r in results:
        share = "" if r.share_of_health is None else f"{r.share_of_health * 100:.1f}"
        targets = "; ".join(f"{t['target']}: {verdict(t['passed'])}" for t in r.targets)
        rows.append(
            [
                r.label,
                str(r.connections),
                f"{r.rps:.1f}",
                f"{r.p50_ms:.1f}",
                f"{r.p95_ms:.1f}",
                f"{r.p99_ms:.1f}",
                str(r.errors),
                share,
                targets,
            ]
        )
    widths = [
        max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
        for i, h in enumerate(headers)
    ]
    numeric = {1, 2, 3, 4, 5, 6, 7}

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    rule = "-" * len(line(headers))
    return "\n".join([title, rule, line(headers), rule, *(line(row) for row in rows), rule])


def growth_pct(start: float, end: float) -> float:
    """Growth from start to end in percent (negative when it shrank)."""
    if start <= 0:
        raise ValueError("start must be positive")
    return (end - start) / start * 100


def memory_settled(
    before: dict[int, int | None], after: dict[int, int | None], *, tolerance_pct: float
) -> bool:
    """Whether every worker's memory grew by less than ``tolerance_pct`` from ``before`` to
    ``after`` (one more round of warm-up traffic): its working set is loaded. A worker that
    is gone, or was not measured, has not settled."""
    for pid, first in before.items():
        last = after.get(pid)
        if not first or not last or growth_pct(first, last) >= tolerance_pct:
            return False
    return bool(before)
