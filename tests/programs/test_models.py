from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from programs.models import Program
from tests.factories import ProgramFactory, specialty

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("img_share", 101),
        ("step2_typical", 301),
        ("step2_min", 0),
        ("positions", 501),
        ("max_yog", 61),
        ("state", "ZZ"),
        ("program_type", "clinic"),
        ("j1", "maybe"),
        ("h1b", ""),
        ("acgme_id", "12345"),
        ("acgme_id", "12345abcde"),
    ],
)
def test_the_database_rejects_an_out_of_range_value_written_past_the_model(
    field: str, value: Any
) -> None:
    program = ProgramFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(**{field: value})


def test_the_database_rejects_a_bad_row_from_bulk_insert() -> None:
    bad = ProgramFactory.build(img_share=150)

    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.bulk_create([bad])

    assert not Program.objects.exists()


def test_acgme_id_is_unique_when_present_and_optional_otherwise() -> None:
    ProgramFactory(acgme_id="1400000001")
    ProgramFactory(acgme_id=None)
    ProgramFactory(acgme_id=None)  # many programs may lack an id

    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(acgme_id="1400000001")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("state", "ZZ"),
        ("acgme_id", "140000001"),
        ("acgme_id", "14000000012"),
        ("img_share", 101),
        ("step2_typical", 301),
        ("website", "not a url"),
    ],
)
def test_full_clean_rejects_a_bad_value(field: str, value: Any) -> None:
    program = ProgramFactory.build(**{field: value})

    with pytest.raises(ValidationError) as excinfo:
        program.full_clean()

    assert field in excinfo.value.message_dict


def test_full_clean_rejects_a_hard_minimum_above_the_typical_score() -> None:
    program = ProgramFactory.build(step2_min=250, step2_typical=240)

    with pytest.raises(ValidationError) as excinfo:
        program.full_clean()

    assert "step2_min" in excinfo.value.message_dict


def test_full_clean_rejects_more_first_year_positions_than_total_positions() -> None:
    program = ProgramFactory.build(positions=12, total_positions=8)

    with pytest.raises(ValidationError) as excinfo:
        program.full_clean()

    assert excinfo.value.message_dict["positions"] == [
        "The 12 first-year positions cannot be more than the 8 total positions (all years)."
    ]
    program.total_positions = 12  # a one-year program: all its places are first-year
    program.full_clean()


def test_full_clean_rejects_a_verification_date_in_the_future() -> None:
    program = ProgramFactory.build(last_verified=timezone.localdate() + dt.timedelta(days=10))

    with pytest.raises(ValidationError) as excinfo:
        program.full_clean()

    assert "last_verified" in excinfo.value.message_dict


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_full_clean_wants_the_season_an_accepting_answer_is_about(answer: str) -> None:
    program = ProgramFactory.build(accepting_applications=answer, accepting_season=None)

    with pytest.raises(ValidationError) as excinfo:
        program.full_clean()

    assert "Give the season" in excinfo.value.message_dict["accepting_season"][0]
    program.accepting_season = 2026
    program.full_clean()
    ProgramFactory.build(accepting_applications="unknown", accepting_season=None).full_clean()


def test_full_clean_accepts_every_fact_unknown() -> None:
    program = ProgramFactory.build(
        acgme_id=None,
        positions=None,
        j1="unknown",
        h1b="unknown",
        img_share=None,
        step2_min=None,
        step2_typical=None,
        max_yog=None,
        accepts_failures="unknown",
        requires_usce="unknown",
        website="",
        source="",
        last_verified=None,
        specialty=specialty("TY"),
    )

    program.full_clean()


def test_a_program_is_stale_after_twelve_months_or_when_never_verified() -> None:
    today = timezone.localdate()

    assert not ProgramFactory.build(last_verified=today - dt.timedelta(days=364)).is_stale
    assert ProgramFactory.build(last_verified=today - dt.timedelta(days=366)).is_stale
    assert ProgramFactory.build(last_verified=None).is_stale
