"""The engine stays pure: no Django import, no lasting side effects."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from tests.engine.helpers import program, run

ROOT = Path(__file__).resolve().parents[2]


def test_engine_profile_and_rules_import_without_django():
    code = (
        "import sys; import assessments.engine, assessments.profile, assessments.rules; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "[]"


def test_assess_restores_the_garbage_collector_state():
    assert gc.isenabled()
    run(programs=[program()])
    assert gc.isenabled()
    gc.disable()
    try:
        run(programs=[program()])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_same_input_same_plan():
    programs = [program(id=1), program(id=2, state="NY")]
    assert run(programs=programs) == run(programs=programs)
