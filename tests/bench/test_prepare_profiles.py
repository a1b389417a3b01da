"""The benchmark's generated applicants pass the wizard's own forms: `make bench` stops at
the first one that does not (scripts.bench.prepare.answers_from_steps)."""

from __future__ import annotations

import datetime as dt

import pytest

from scripts.bench.prepare import answers_from_steps, application_year_for, step_data

pytestmark = pytest.mark.django_db


def test_every_generated_profile_is_valid_for_the_wizard() -> None:
    today = dt.date.today()
    year = application_year_for(today)
    # Four times the default 64 visitors and 20 applicants: every cycle of the generator.
    for index in range(256):
        answers = answers_from_steps(step_data(index, today, year), today)
        assert answers["specialty"] and answers["application_year"] == year, index
