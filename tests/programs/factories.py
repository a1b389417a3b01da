from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from programs.models import Program, ProgramType, Specialty, YesNoUnknown


def specialty(code: str = "IM") -> Specialty:
    """One of the 13 specialties the migrations install."""
    return Specialty.objects.get(code=code)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    acgme_id = factory.Sequence(lambda n: f"14000{n:05d}")
    name = factory.Sequence(lambda n: f"Testville Program {n:04d}")
    institution = "Testville Fictional Medical Center"
    city = "Testville"
    state = "NY"
    specialty = factory.LazyFunction(specialty)
    program_type = ProgramType.COMMUNITY_UNIVERSITY
    positions = 10
    j1 = YesNoUnknown.YES
    h1b = YesNoUnknown.NO
    img_share = 40
    step2_min = 220
    step2_typical = 240
    max_yog = 5
    accepts_failures = YesNoUnknown.UNKNOWN
    requires_usce = YesNoUnknown.YES
    website = "https://www.example.org/testville"
    source = "Test fixture"
    last_verified = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
