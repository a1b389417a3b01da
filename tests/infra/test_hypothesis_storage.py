from __future__ import annotations

from pathlib import Path

from hypothesis.configuration import storage_directory

ROOT = Path(__file__).resolve().parents[2]


def test_hypothesis_keeps_its_caches_out_of_the_working_tree():
    # tests/conftest.py points Hypothesis's storage at the temporary directory: no
    # .hypothesis/ appears in the checkout when the property tests run.
    found = storage_directory("constants", intent_to_write=False)
    where = Path(getattr(found, "path", found)).resolve()  # a Path, or an object holding one

    assert where != ROOT and ROOT not in where.parents
