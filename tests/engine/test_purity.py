"""The engine stays pure: no Django import, no lasting side effects."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from tests.engine.helpers import program, run

ROOT = Path(__file__).resolve().parents[2]


def test_every_engine_module_imports_without_django():
    """Each module of the engine package, the plan JSON codec, the profile and the rules import
    alone in a fresh interpreter without pulling in Django."""
    engine_dir = ROOT / "assessments" / "engine"
    modules = sorted(
        f"assessments.engine.{path.stem}"
        for path in engine_dir.glob("*.py")
        if path.stem != "__init__"
    )
    assert "assessments.engine.matching" in modules and "assessments.engine.entry" in modules
    modules += [
        "assessments.engine",
        "assessments.plan_json",
        "assessments.profile",
        "assessments.rules",
    ]
    code = (
        "import importlib, sys\n"
        "name = sys.argv[1]\n"
        "importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    for name in modules:
        out = subprocess.run(
            [sys.executable, "-c", code, name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        )
        assert out.stdout.strip() == "[]", name


def test_the_engine_never_imports_the_plan_json_codec():
    code = "import sys; import assessments.engine; print('assessments.plan_json' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "False"


def test_the_engines_callers_pause_the_collector_and_put_it_back():
    from assessments.services import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves it off for the outer one
    assert gc.isenabled()
    try:
        with gc_paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()  # put back after an exception
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a collector that was off stays off
    finally:
        gc.enable()


def test_same_input_same_plan():
    programs = [program(id=1), program(id=2, state="NY")]
    assert run(programs=programs) == run(programs=programs)
