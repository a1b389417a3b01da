"""scripts/bench_micro.py prints the figures written next to the RawSQL flags."""

from __future__ import annotations

import re

import pytest

from scripts.bench_micro import _flag_queries
from tests.factories import PlanFactory, UserFactory

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^(.+?):\s+(\d+\.\d{3}) ms CPU, (\d+\.\d{3}) ms wall$")


def test_the_flag_queries_print_cpu_and_wall_for_each_way(capsys):
    owner = UserFactory()
    plan = PlanFactory(owner=owner)

    _flag_queries(owner, plan)

    lines = capsys.readouterr().out.splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    labels = [m.group(1) for m in parsed]
    assert labels == [
        "user load, flag as Exists(queryset)",
        "user load, flag as RawSQL (the backend)",
        "user load, plain get",
        "user load, flag as a second query",
        "plan page query, flags as Exists",
        "plan page query, flags as RawSQL (used)",
        "plan page query, no flags",
    ]
    assert all(float(m.group(3)) > 0 for m in parsed)
