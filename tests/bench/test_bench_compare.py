"""scripts/bench_compare.py: the share of the ceiling kept, from make bench's JSON."""

from __future__ import annotations

import json

import pytest

from scripts.bench_compare import main


def _run(tmp_path, name, results, programs=5000):
    path = tmp_path / f"{name}.json"
    size = {
        "programs": programs,
        "results": [
            {"endpoint": e, "label": label, "share_of_health": share, "p95_ms": p95}
            for e, label, share, p95 in results
        ],
    }
    path.write_text(json.dumps({"sizes": [size]}), encoding="utf-8")
    return str(path)


def test_it_prints_each_runs_share_and_the_share_kept(tmp_path, capsys):
    new = [
        _run(tmp_path, "n1", [("plan", "plan page", 0.16, 70.0), ("new", "only new", 0.05, 9.0)]),
        _run(tmp_path, "n2", [("plan", "plan page", 0.18, 66.0)]),
    ]
    old = [_run(tmp_path, "o1", [("plan", "plan page", 0.20, 50.0)])]

    assert main(["--new", *new, "--old", *old]) == 0
    out = capsys.readouterr().out
    assert "| plan page | 16.0, 18.0 | 20.0 | 85 % | 70.0, 66.0 | 50.0 |" in out
    assert "| only new | 5.0 | — | — | 9.0 | — |" in out


def test_a_run_without_the_size_is_named(tmp_path):
    new = _run(tmp_path, "n1", [("plan", "plan page", 0.16, 70.0)], programs=50000)
    old = _run(tmp_path, "o1", [("plan", "plan page", 0.20, 50.0)])
    with pytest.raises(SystemExit, match="n1.json: no results at 5,000 programs"):
        main(["--new", new, "--old", old])
