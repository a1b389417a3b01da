from __future__ import annotations

import datetime as dt
import statistics
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import ADVISORS_GROUP
from programs.context_processors import DEMO_CACHE_KEY
from programs.demo import (
    DEMO_PASSWORD,
    DEMO_PROGRAM_COUNT,
    PROFILES,
    demo_programs,
    ensure_demo_users,
)
from programs.models import GENERATED_SOURCE, Program, Specialty

pytestmark = pytest.mark.django_db


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_load_demo_is_idempotent_and_covers_every_specialty(settings: Any) -> None:
    settings.DEBUG = True

    first = load_demo()
    rows_after_first = sorted(Program.objects.values_list("acgme_id", "name", "img_share"))
    second = load_demo()

    assert "650 program(s) created" in first
    assert "0 program(s) created, 650 already present" in second
    assert Program.objects.count() == DEMO_PROGRAM_COUNT >= 600
    assert sorted(Program.objects.values_list("acgme_id", "name", "img_share")) == rows_after_first
    assert set(Program.objects.values_list("specialty__code", flat=True)) == set(
        Specialty.objects.values_list("code", flat=True)
    )
    assert len(Specialty.objects.all()) == 13
    assert set(Program.objects.values_list("source", flat=True)) == {settings.DEMO_SOURCE}


def test_load_demo_prints_the_address_make_run_serves(settings: Any) -> None:
    settings.DEBUG = True
    assert "Open http://127.0.0.1:8000/" in load_demo()
    # `make run PORT=8010` passes its address.
    assert "Open http://127.0.0.1:8010/" in load_demo("--url", "http://127.0.0.1:8010/")


def test_load_demo_leaves_programs_an_admin_edited_alone(settings: Any) -> None:
    load_demo()
    program = Program.objects.order_by("acgme_id").first()
    program.img_share = 99
    program.save()

    load_demo()

    program.refresh_from_db()
    assert program.img_share == 99


def test_every_demo_program_passes_model_validation() -> None:
    specialties = {s.code: s for s in Specialty.objects.all()}
    for program in demo_programs():
        program.specialty = specialties[program.specialty.code]
        # The database constraints are enforced by load_demo's inserts (tests above).
        program.full_clean(validate_unique=False, validate_constraints=False)


def test_the_demo_catalog_is_deterministic() -> None:
    day = dt.date(2026, 6, 1)

    def facts(programs: list[Program]) -> list[tuple]:
        return [(p.acgme_id, p.name, p.state, p.j1, p.img_share, p.last_verified) for p in programs]

    assert facts(demo_programs(today=day)) == facts(demo_programs(today=day))
    assert sum(p.programs for p in PROFILES.values()) == DEMO_PROGRAM_COUNT


def test_the_demo_catalog_follows_the_published_spreads() -> None:
    programs = demo_programs()
    shares = [p.img_share for p in programs if p.img_share is not None]
    by_type = {t: [p for p in programs if p.program_type == t] for t in ("university", "community")}

    def j1_rate(group: list[Program]) -> float:
        return sum(p.j1 == "yes" for p in group) / len(group)

    assert 37 <= statistics.median(shares) <= 45  # FREIDA IM: median 41%
    assert 0.27 <= sum(s >= 50 for s in shares) / len(shares) <= 0.40  # a third at 50%+
    assert 0.66 <= j1_rate(programs) <= 0.80  # 72% take J-1
    assert j1_rate(by_type["university"]) > 0.85 > j1_rate(by_type["community"])
    assert 0.15 <= sum(p.h1b == "yes" for p in programs) / len(programs) <= 0.26  # ~20%
    facts = ["positions", "j1", "h1b", "img_share", "step2_min", "step2_typical", "max_yog",
             "accepts_failures", "requires_usce", "website"]  # fmt: skip
    unknown = sum(getattr(p, f) in (None, "", "unknown") for p in programs for f in facts)
    # Public listings state no Step 2 CK figures and few limits: many facts are unknown.
    assert 0.30 <= unknown / (len(programs) * len(facts)) <= 0.50
    assert sum(p.step2_typical is not None for p in programs) / len(programs) <= 0.20
    neither = sum(p.j1 == "unknown" and p.h1b == "unknown" for p in programs)
    assert 0.20 <= neither / len(programs) <= 0.32  # 27% list no visa status
    new = sum((p.first_accredited or 0) >= dt.date.today().year - 5 for p in programs)
    assert 0.10 <= new / len(programs) <= 0.25
    assert any(p.program_type == "military" and p.affiliation == "military" for p in programs)
    assert any(p.affiliation == "veterans_affairs" for p in programs)
    assert 0 < sum(p.accepting_applications == "no" for p in programs) < len(programs) * 0.08
    sizes = sorted(p.positions for p in programs if p.specialty.code == "IM" and p.positions)
    assert sizes[-1] >= 2 * statistics.median(sizes)  # a long tail of large programs
    assert {p.track for p in programs if p.specialty.code == "IM-PRELIM"} == {"preliminary"}
    gs = [p.step2_typical for p in programs if p.specialty.code == "GS" and p.step2_typical]
    fm = [p.step2_typical for p in programs if p.specialty.code == "FM" and p.step2_typical]
    assert statistics.median(gs) > statistics.median(fm)
    assert all(p.step2_min < p.step2_typical for p in programs if p.step2_min and p.step2_typical)


def test_demo_users_are_created_only_while_debug_is_on(settings: Any) -> None:
    settings.DEBUG = True

    out = load_demo()
    load_demo()  # and again: still one of each

    users = get_user_model().objects.filter(email__endswith="@example.com")
    assert users.count() == 3
    assert "admin@example.com" in out and DEMO_PASSWORD in out
    assert "http://127.0.0.1:8000/" in out
    admin = users.get(email="admin@example.com")
    assert admin.check_password(DEMO_PASSWORD)
    assert admin.is_superuser and admin.is_staff
    advisor = users.get(email="advisor@example.com")
    assert advisor.groups.filter(name=ADVISORS_GROUP).exists()
    applicant = users.get(email="applicant@example.com")
    assert not applicant.is_staff and not applicant.groups.exists()


def test_with_debug_off_demo_programs_load_but_no_users(settings: Any) -> None:
    settings.DEBUG = False

    out = load_demo()

    assert Program.objects.count() == DEMO_PROGRAM_COUNT
    assert not get_user_model().objects.exists()
    assert "demo users were NOT created" in out
    with pytest.raises(PermissionError):
        ensure_demo_users()


def test_loading_and_removing_demo_data_refreshes_the_site_notice(client: Client) -> None:
    home = reverse("programs:list")
    assert "Demo data:" not in client.get(home).content.decode()
    assert cache.get(DEMO_CACHE_KEY) is False

    load_demo()
    assert "Demo data:" in client.get(home).content.decode()

    out = load_demo("--remove")
    assert "Removed 650" in out
    assert not Program.objects.exists()
    assert "Demo data:" not in client.get(home).content.decode()


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_programs", *args, stdout=out)
    return out.getvalue()


def test_generate_programs_creates_n_valid_fictional_programs() -> None:
    out = generate("120", "--seed", "7")

    assert "Generated 120 program(s)" in out
    assert Program.objects.filter(source=GENERATED_SOURCE).count() == 120
    for program in Program.objects.select_related("specialty")[:40]:
        program.full_clean()
    assert cache.get(DEMO_CACHE_KEY) is None  # the notice is recomputed


def test_generate_programs_replace_and_remove() -> None:
    generate("50")
    generate("30", "--replace")
    assert Program.objects.filter(source=GENERATED_SOURCE).count() == 30

    generate("20")
    assert Program.objects.count() == 50

    generate("--remove")
    assert not Program.objects.exists()


def test_generated_programs_leave_real_ones_alone() -> None:
    load_demo()

    generate("10", "--replace")
    generate("--remove")

    assert Program.objects.filter(source=settings.DEMO_SOURCE).count() == DEMO_PROGRAM_COUNT


@pytest.mark.parametrize("count", ["0", "100001", "-3"])
def test_generate_programs_refuses_a_count_out_of_range(count: str) -> None:
    with pytest.raises(CommandError) as excinfo:
        generate(count)

    assert excinfo.value.returncode == 2
    assert "1 to 100,000" in str(excinfo.value)
    assert not Program.objects.exists()
