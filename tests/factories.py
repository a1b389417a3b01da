"""Test data, in one place: users and advisors, programs, drafts and plans, advising and
season records (factory_boy factories and small builders)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import ADVISORS_GROUP, User
from advising.models import AdvisorAssignment, PlanComment, PlanReview, ReviewStatus, Share
from advising.selectors import token_digest
from assessments.forms import application_years
from assessments.models import AssessmentDraft, Plan, SeasonDate, Source
from assessments.services import plan_create
from programs.models import Program, ProgramType, Specialty, YesNoUnknown
from tests.engine.helpers import with_changes
from tracker.models import Application, Season, SignalAllowance, Status

# --- advising ------------------------------------------------------------------------------

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Applicant {n}")
    password = factory.django.Password(PASSWORD)


class AdvisorFactory(UserFactory):
    email = factory.Sequence(lambda n: f"advisor{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Advisor {n}")

    @factory.post_generation
    def advisor_group(obj, create, extracted, **kwargs):
        if create:
            # get_or_create: transactional tests flush the group the migration made
            obj.groups.add(Group.objects.get_or_create(name=ADVISORS_GROUP)[0])


def minimal_output(*, tier: str = "viable", red_flags: int = 2) -> dict:
    return {
        "tier": tier,
        "red_flags": [
            {"code": f"flag_{i}", "severity": "high", "message": f"Red flag number {i}."}
            for i in range(red_flags)
        ],
        "applications": {"min": 60, "max": 80, "estimated_cost_usd": 2130},
        "dual_apply": {
            "recommended": True,
            "specialties": ["IM"],
            "reason": "Apply to IM as well.",
        },
        "backups": [],
        "timeline": [],
        "actions": [],
        "programs": [{"id": 1, "name": "Demo program", "fit": "target", "reasons": []}],
        "excluded": {"visa_not_sponsored": 3},
        "engine_version": "test",
    }


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    owner = factory.SubFactory(UserFactory)
    engine_version = "test"
    specialty_code = "EM"
    tier = "viable"
    red_flag_count = 2
    profile = factory.LazyFunction(dict)
    inputs = factory.LazyFunction(dict)
    output = factory.LazyAttribute(
        lambda o: minimal_output(tier=o.tier, red_flags=o.red_flag_count)
    )


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisorAssignment

    advisor = factory.SubFactory(AdvisorFactory)
    applicant = factory.SubFactory(UserFactory)


class ShareFactory(factory.django.DjangoModelFactory):
    """An accepted share, unless built with `advisor=None, accepted_at=None`."""

    class Meta:
        model = Share

    class Params:
        token = factory.Sequence(lambda n: f"test-token-{n}")

    applicant = factory.SubFactory(UserFactory)
    advisor = factory.SubFactory(AdvisorFactory)
    advisor_email = factory.LazyAttribute(
        lambda o: o.advisor.email if o.advisor else "invited@example.org"
    )
    token_hash = factory.LazyAttribute(lambda o: token_digest(o.token))
    accepted_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanComment

    plan = factory.SubFactory(PlanFactory)
    author = factory.SubFactory(AdvisorFactory)
    body = "Looks solid; add two more US letters."


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanReview

    plan = factory.SubFactory(PlanFactory)
    reviewer = factory.SubFactory(AdvisorFactory)
    status = ReviewStatus.REVIEWED


# --- programs ------------------------------------------------------------------------------


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


# --- engine --------------------------------------------------------------------------------


class EMProgramFactory(factory.django.DjangoModelFactory):
    """An emergency-medicine program with the facts the engine's database tests expect."""

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


# --- wizard --------------------------------------------------------------------------------

__all__ = ["DraftFactory", "PlanFactory", "UserFactory", "complete_answers", "step_post_data"]


def complete_answers(today: dt.date | None = None) -> dict[str, Any]:
    """A complete, valid draft (all four form steps), dated relative to today."""
    today = today or dt.date.today()
    return {
        "country": "India",
        "graduation_year": today.year - 3,
        "visa": "j1",
        "ecfmg_certified": False,
        "oet": "yes",
        "oet_passed": True,
        "step1": {"result": "pass", "attempts": 1, "score": None},
        "step2ck": {
            "score": 240,
            "attempts": 1,
            "test_date": (today - dt.timedelta(days=90)).isoformat(),
            "planned_date": None,
            "practice_scores": [],
        },
        "step3": {"result": "not_taken"},
        "usce_hands_on_months": 3,
        "observership_months": 2,
        "specialty_months": 2,
        "usce_months": 4,
        "usce_in_specialty_months": 2,
        "us_letters": 3,
        "sloes": 1,
        "publications": 0,
        "presentations": 1,
        "specialty_experience_years": 0,
        "specialty": "EM",
        "backup_specialties": ["IM"],
        "application_year": application_years(today)[-2],
        "preferred_states": ["NY", "TX"],
        "program_types": ["community"],
        "budget_usd": 1500,
    }


def step_post_data(step: str, today: dt.date | None = None, **overrides: Any) -> dict[str, Any]:
    """Valid POST data of one wizard step (the same answers as complete_answers)."""
    today = today or dt.date.today()
    data: dict[str, Any] = {
        "background": {
            "country": "India",
            "graduation_year": str(today.year - 3),
            "visa": "j1",
            "ecfmg_certified": "no",
            "oet": "yes",
        },
        "exams": {
            "step1_result": "pass",
            "step1_attempts": "1",
            "step1_score": "",
            "step2ck_taken": "yes",
            "step2ck_score": "240",
            "step2ck_test_date": (today - dt.timedelta(days=90)).isoformat(),
            "step2ck_attempts": "1",
            "step2ck_planned_date": "",
            "practice_score_1": "",
            "practice_score_2": "",
            "practice_score_3": "",
            "step3_result": "not_taken",
        },
        "experience": {
            "usce_hands_on_months": "3",
            "observership_months": "2",
            "specialty_months": "2",
            "us_letters": "3",
            "sloes": "1",
            "publications": "0",
            "presentations": "1",
            "specialty_experience_years": "0",
        },
        "goals": {
            "specialty": "EM",
            "backup_specialties": ["IM"],
            "application_year": str(application_years(today)[-2]),
            "preferred_states": ["NY", "TX"],
            "program_types": ["community"],
            "budget_usd": "1500",
        },
    }[step]
    data.update(overrides)
    return data


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentDraft

    owner = factory.SubFactory(UserFactory)
    answers = factory.LazyFunction(complete_answers)


class EmptyPlanFactory(PlanFactory):
    """A plan whose output lists no program and no red flag."""

    red_flag_count = 1
    output = factory.LazyFunction(lambda: {"tier": "viable", "red_flags": [], "programs": []})


# --- plans ---------------------------------------------------------------------------------

__all__ = [
    "PASSWORD",
    "ProgramFactory",
    "UserFactory",
    "em_programs",
    "make_plan",
    "profile_data",
]


def profile_data(**changes: Any) -> dict[str, Any]:
    """A valid EM profile (backup IM) dated relative to today; nested keys as step2ck__score."""
    today = timezone.localdate()
    data: dict[str, Any] = {
        "specialty": "EM",
        "backup_specialties": ["IM"],
        "visa": "j1",
        "graduation_year": today.year - 2,
        "application_year": today.year,
        "step1": {"result": "pass", "attempts": 1, "score": None},
        "step2ck": {
            "score": 238,
            "attempts": 1,
            "test_date": (today - dt.timedelta(days=60)).isoformat(),
            "planned_date": None,
            "practice_scores": [],
        },
        "step3": {"result": "not_taken"},
        "ecfmg_certified": False,
        "usce_months": 3,
        "usce_in_specialty_months": 2,
        "us_letters": 2,
        "sloes": 1,
        "publications": 0,
        "presentations": 1,
        "specialty_experience_years": 0,
        "preferred_states": ["NY", "TX"],
        "program_types": ["community"],
        "budget_usd": 1500,
    }
    return with_changes(data, changes)


def em_programs(count: int, **fields: Any) -> list[Program]:
    """``count`` EM programs that a J-1 applicant with a 238 is not excluded from."""
    defaults: dict[str, Any] = {
        "specialty": specialty("EM"),
        "j1": "yes",
        "step2_min": 214,
        "max_yog": None,
        "requires_usce": "no",
    }
    return ProgramFactory.create_batch(count, **(defaults | fields))


def make_plan(owner: Any = None, **changes: Any) -> Plan:
    return plan_create(owner=owner, profile_data=profile_data(**changes))


# --- tracker -------------------------------------------------------------------------------

__all__ = [
    "ApplicationFactory",
    "SeasonDateFactory",
    "SeasonFactory",
    "install_signals",
    "ProgramFactory",
    "specialty",
]


class SourceFactory(factory.django.DjangoModelFactory):
    """The NRMP calendar page of a season, as an admin records it."""

    class Meta:
        model = Source
        django_get_or_create = ("key",)

    season = 2027
    key = factory.LazyAttribute(lambda o: f"nrmp-{o.season}-calendar")
    title = "Main Residency Match calendar"
    publisher = "NRMP"
    url = "https://www.nrmp.org/match-calendar/"
    checked_on = dt.date(2026, 12, 1)


class SeasonDateFactory(factory.django.DjangoModelFactory):
    """A key date on record (pass ``date``), cited to its season's NRMP calendar page."""

    class Meta:
        model = SeasonDate

    season = 2027
    event = "match_day"
    source = factory.SubFactory(SourceFactory, season=factory.SelfAttribute("..season"))


def season_date_passed(match_year: int, event: str) -> SeasonDate:
    """Put ``event`` of the ``match_year`` season on record as yesterday: Match Week
    ("soap_starts", outcomes can be recorded), rank list entry ("nrmp_ranking"), ..."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return SeasonDateFactory(season=match_year, event=event, date=yesterday)


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
