"""Database factories for the engine's DB tests (programs of the installed specialties)."""

from __future__ import annotations

import datetime as dt

import factory

from programs.models import Program, Specialty


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    institution = "Mercy Hospital"
    city = "Dayton"
    state = "OH"
    specialty = factory.LazyFunction(lambda: Specialty.objects.get(code="EM"))
    program_type = "community"
    j1 = "yes"
    h1b = "unknown"
    img_share = 40
    step2_typical = 238
    last_verified = factory.LazyFunction(dt.date.today)
