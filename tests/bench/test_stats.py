from __future__ import annotations

import json

import pytest

from scripts.bench.stats import (
    WRK_JSON_PREFIX,
    RunResult,
    Target,
    apply_health_share,
    count_unexpected,
    evaluate_targets,
    format_table,
    growth_pct,
    health_ceiling,
    memory_settled,
    parse_wrk_output,
    percentile,
    run_result,
)


def summary(**overrides):
    data = {
        "requests": 1200,
        "duration_us": 12_000_000,
        "bytes": 1,
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
        "latency_us": {"p50": 8000, "p90": 15000, "p95": 21000, "p99": 40000, "max": 90000},
        "statuses": {"200": 1200},
    }
    data.update(overrides)
    return data


def result(endpoint="programs", rps=100.0, p95=20.0, **kw) -> RunResult:
    base = {
        "endpoint": endpoint,
        "label": endpoint,
        "connections": 16,
        "duration_s": 12,
        "requests": int(rps * 12),
        "rps": rps,
        "p50_ms": 5,
        "p90_ms": 10,
        "p95_ms": p95,
        "p99_ms": 30,
        "max_ms": 60,
        "socket_errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        "statuses": {"200": int(rps * 12)},
        "unexpected_statuses": 0,
        "rotation_size": 10,
    }
    base.update(kw)
    return RunResult(**base)


def test_percentile_interpolates_between_ranks():
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([10, 20, 30, 40], 0) == 10
    assert percentile([10, 20, 30, 40], 100) == 40
    assert percentile([5], 95) == 5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_percentile_ignores_input_order():
    assert percentile([40, 10, 30, 20], 75) == percentile([10, 20, 30, 40], 75) == 32.5


@pytest.mark.parametrize("pct", [-1, 100.5])
def test_percentile_rejects_out_of_range(pct):
    with pytest.raises(ValueError):
        percentile([1, 2], pct)


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 50)


def test_it_reads_the_summary_line_among_wrk_output():
    out = "Running 12s test\n  2 threads\n" + WRK_JSON_PREFIX + json.dumps(summary()) + "\n"
    assert parse_wrk_output(out)["requests"] == 1200


def test_missing_summary_line_is_an_error():
    with pytest.raises(ValueError, match="no summary"):
        parse_wrk_output("Running 12s test\n")


def test_a_redirect_where_a_page_was_expected_counts_as_unexpected():
    assert count_unexpected({"200": 90, "302": 10}, [200]) == 10
    assert count_unexpected({"200": 90, "302": 10}, [200, 302]) == 0


def test_run_result_converts_microseconds_and_counts_errors():
    r = run_result(
        endpoint="plan",
        label="plan page",
        connections=16,
        summary=summary(
            statuses={"200": 1190, "500": 10},
            errors={"connect": 1, "read": 2, "write": 0, "status": 10, "timeout": 3},
        ),
        expected_statuses=[200],
        rotation_size=20,
    )
    assert r.rps == 100.0
    assert (r.p50_ms, r.p95_ms, r.p99_ms) == (8.0, 21.0, 40.0)
    # wrk's own "status" count is not added twice: the histogram already holds those.
    assert r.socket_errors == {"connect": 1, "read": 2, "write": 0, "timeout": 3}
    assert r.unexpected_statuses == 10
    assert r.errors == 16
    assert r.as_dict()["errors"] == 16


def test_targets_pass_and_fail_on_their_limits():
    fast, slow = result(p95=50.0), result(p95=50.1)
    assert Target("p95_ms", 50).check(fast) is True
    assert Target("p95_ms", 50).check(slow) is False


def test_a_target_for_smaller_catalogs_is_not_judged_on_larger_ones():
    target = Target("p95_ms", 100, max_programs=5_000)
    assert target.check(result(p95=90.0), programs=5_000) is True
    assert target.check(result(p95=120.0), programs=5_000) is False
    assert target.check(result(p95=120.0), programs=50_000) is None
    assert target.describe() == "p95 ≤ 100 ms up to 5,000 programs"


def test_a_run_without_completed_requests_passes_no_target():
    idle = result(rps=0, p95=0.0)
    assert idle.requests == 0
    assert Target("p95_ms", 30).check(idle) is False
    assert Target("errors", 0).check(idle) is False


def test_share_target_needs_a_health_figure():
    r = result(rps=150)
    assert Target("share_pct", 15).check(r) is None
    apply_health_share([r], 1000)
    assert r.share_of_health == 0.15
    assert Target("share_pct", 15).check(r) is True
    apply_health_share([r], 1001)
    assert Target("share_pct", 15).check(r) is False


def test_health_ceiling_is_the_mean_of_both_health_runs():
    results = [
        result("health", rps=1000),
        result("programs", rps=10),
        result("health-end", rps=800),
    ]
    assert health_ceiling(results) == 900
    assert health_ceiling([result("programs")]) is None


def test_every_endpoint_is_held_to_no_errors():
    broken = result(unexpected_statuses=1)
    verdicts = evaluate_targets(broken, [Target("p95_ms", 50)])
    assert verdicts == [
        {"target": "no errors", "passed": False},
        {"target": "p95 ≤ 50 ms", "passed": True},
    ]


def test_table_shows_each_endpoint_with_its_verdicts():
    r = result(rps=123.4, p95=61.0)
    apply_health_share([r], 1000)
    r.targets = evaluate_targets(r, [Target("p95_ms", 50)])
    table = format_table([r], title="5,000 programs")
    assert table.splitlines()[0] == "5,000 programs"
    row = next(line for line in table.splitlines() if line.startswith("programs"))
    assert "123.4" in row and "61.0" in row and "12.3" in row
    assert "p95 ≤ 50 ms: FAIL" in row and "no errors: PASS" in row


def test_growth_is_relative_to_the_start():
    assert growth_pct(100_000, 109_000) == pytest.approx(9.0)
    assert growth_pct(100_000, 95_000) == pytest.approx(-5.0)
    with pytest.raises(ValueError):
        growth_pct(0, 1)


def test_memory_settles_when_every_worker_grew_less_than_the_tolerance() -> None:
    before = {11: 400_000, 12: 300_000}
    assert memory_settled(before, {11: 404_000, 12: 303_000}, tolerance_pct=2.0)
    # One worker still loading (it had not yet served the heaviest requests): not settled.
    assert not memory_settled(before, {11: 404_000, 12: 330_000}, tolerance_pct=2.0)
    # A worker gone or unreadable has not settled; no workers at all is not settled either.
    assert not memory_settled(before, {11: 404_000}, tolerance_pct=2.0)
    assert not memory_settled({11: None}, {11: 404_000}, tolerance_pct=2.0)
    assert not memory_settled({}, {}, tolerance_pct=2.0)


def test_cpu_shares_are_each_programs_part_of_all_cores() -> None:
    from scripts.bench.stats import cpu_shares

    before = {"gunicorn": 1_000, "postgres": 500, "redis-server": 40, "bash": 7}
    after = {"gunicorn": 2_600, "postgres": 700, "redis-server": 80, "bash": 9}
    shares = cpu_shares(before, after, seconds=10, cpus=2, ticks_per_second=100)
    # 2,000 ticks were available: gunicorn used 1,600, postgres 200, the Redis server 40
    assert shares == {
        "gunicorn": 0.8,
        "postgres": 0.1,
        "redis-server": 0.02,
        "idle or other": 0.08,
    }
    assert cpu_shares(before, after, seconds=0, cpus=2, ticks_per_second=100) == {}


def test_cpu_ticks_by_command_reads_this_process() -> None:
    from scripts.bench.runner import cpu_ticks_by_command

    ticks = cpu_ticks_by_command()
    assert any(name.startswith(("python", "pytest")) for name in ticks)
    assert all(isinstance(value, int) and value >= 0 for value in ticks.values())
