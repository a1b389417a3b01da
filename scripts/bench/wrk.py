"""Run wrk with scripts/wrk/rotate.lua over a rotation and read its summary."""

from __future__ import annotations

import math
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scripts.bench.config import LUA_SCRIPT
from scripts.bench.rotation import Req, to_lua
from scripts.bench.stats import parse_wrk_output


def wrk_run(
    *,
    wrk: str,
    base_url: str,
    requests: Sequence[Req],
    connections: int,
    threads: int,
    duration: float,
    timeout: float,
) -> dict[str, Any]:
    """One wrk run; returns rotate.lua's JSON summary. Bounded by duration + a margin."""
    threads = max(1, min(threads, connections))
    seconds = max(1, math.ceil(duration))
    with tempfile.TemporaryDirectory(prefix="matchplan-bench-") as tmp:
        rotation = Path(tmp) / "rotation.lua"
        rotation.write_text(to_lua(requests))
        command = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={max(1, math.ceil(timeout))}s",
            "-s",
            str(LUA_SCRIPT),
            base_url,
            "--",
            str(rotation),
            str(threads),
        ]
        result = subprocess.run(  # noqa: S603 (wrk with our own arguments)
            command, capture_output=True, text=True, timeout=seconds + timeout + 60, check=False
        )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return parse_wrk_output(result.stdout)
