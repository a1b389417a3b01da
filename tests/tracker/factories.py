"""Seasons and applications for the tracker tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from tests.advising.factories import UserFactory
from tests.programs.factories import ProgramFactory, specialty
from tracker.models import Application, Season, SignalAllowance, Status

__all__ = ["ApplicationFactory", "SeasonFactory", "install_signals", "ProgramFactory", "specialty"]


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season

    owner = factory.SubFactory(UserFactory)
    match_year = factory.LazyFunction(lambda: timezone.localdate().year + 1)
    plan = None


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    season = factory.SubFactory(SeasonFactory)
    program = factory.SubFactory(ProgramFactory)
    status = Status.CONSIDERING


def applied(season: Season, program: Any = None, **fields: Any) -> Application:
    defaults: dict[str, Any] = {
        "status": Status.APPLIED,
        "applied_on": timezone.localdate() - dt.timedelta(days=30),
        "platform": "eras",
    }
    return ApplicationFactory(
        season=season, program=program or ProgramFactory(), **(defaults | fields)
    )


def install_signals() -> None:
    """The migration's figures (transactional tests flush them)."""
    from importlib import import_module

    from django.apps import apps

    module = import_module("tracker.migrations.0002_signal_allowances")
    if not SignalAllowance.objects.exists():
        module.install(apps, None)
