"""Django-side setup for the load tests. The harness runs it in a subprocess with the
benchmark's environment (DATABASE_URL of matchplan_bench, the run's SECRET_KEY):

    python -m scripts.bench.prepare setup --out context.json [--applicants 20] [--visitors 64]
    python -m scripts.bench.prepare draft --email someone@bench.invalid
    python -m scripts.bench.prepare draft --token <draft uuid>

`setup` creates (idempotently) the applicants with finished profiles and the wizard
visitors, saves a fresh plan for every applicant through the plan_create service (so plans
reflect the catalog as it is now), creates a server-side session for everyone and writes
everything the request rotations need as JSON. No HTTP login is used: that would go
through django-axes and the password hasher, which are not what is being measured.

`draft` prints a draft's answers as JSON (the fault script checks that none were lost).

It refuses to run against a database whose name does not contain "bench".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import string
import sys
from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
EMAIL_DOMAIN = "bench.invalid"
VISAS = ("j1", "h1b", "either", "none", "j1", "j1", "either")
PRIMARY_CYCLE = ("IM", "FM", "PEDS", "PSYCH", "EM", "NEURO", "ANES", "PATH", "RAD", "GS")
BACKUP_POOL = ("IM", "FM", "PEDS", "PSYCH", "IM-PRELIM", "TY", "GS-PRELIM", "PATH", "NEURO")
STATES_POOL = ("NY", "NJ", "TX", "FL", "CA", "IL", "MI", "PA", "OH", "GA", "MD", "MA")
COUNTRIES = ("India", "Pakistan", "Nigeria", "Egypt", "Philippines", "Brazil", "Iran", "Mexico")
TYPES_POOL = ("university", "community_university", "community", "military")


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    name = str(connection.settings_dict.get("NAME", ""))
    if connection.vendor != "postgresql" or "bench" not in name:
        raise SystemExit(
            f"prepare runs only against a PostgreSQL benchmark database (got {connection.vendor} "
            f"{name!r}); set DATABASE_URL to .../matchplan_bench."
        )


# --- profiles -----------------------------------------------------------------------------


def step_data(index: int, today: dt.date, application_year: int) -> dict[str, dict[str, Any]]:
    """POST data of the four form steps for applicant number `index`: varied specialties,
    scores, visas, graduation years, exam histories and experience; always valid."""
    rng = random.Random(1000 + index)
    primary = PRIMARY_CYCLE[index % len(PRIMARY_CYCLE)]
    backups = rng.sample([code for code in BACKUP_POOL if code != primary], k=rng.randint(0, 2))
    certified = index % 3 == 0
    step2_taken = certified or index % 5 != 4
    score = 212 + (index * 7) % 55
    if certified:
        # ECFMG certification needs Step 2 CK passed (the wizard refuses a certified
        # applicant under the passing score of 218).
        score = max(score, 220)
    hands_on = rng.choice((0, 1, 2, 3, 4, 6, 9, 12))
    observer = rng.choice((0, 1, 2, 3))
    letters = rng.randint(0, 4)
    exams: dict[str, Any] = {
        "step1_result": "pass",
        "step1_attempts": "2" if index % 7 == 6 else "1",
        "step1_score": "" if index % 4 else str(215 + index % 30),
        "step3_result": "pass" if index % 6 == 1 else "not_taken",
    }
    if step2_taken:
        exams |= {
            "step2ck_taken": "yes",
            "step2ck_score": str(score),
            "step2ck_test_date": (today - dt.timedelta(days=30 + 11 * index)).isoformat(),
            "step2ck_attempts": "2" if index % 9 == 8 else "1",
        }
    else:
        exams |= {
            "step2ck_taken": "no",
            "step2ck_planned_date": (today + dt.timedelta(days=40 + index)).isoformat(),
            "practice_score_1": str(score),
            "practice_score_2": str(score - 6),
        }
    return {
        "background": {
            "country": COUNTRIES[index % len(COUNTRIES)],
            "graduation_year": str(application_year - 1 - index % 9),
            "visa": VISAS[index % len(VISAS)],
            "ecfmg_certified": "yes" if certified else "no",
            "oet": "yes" if certified or index % 2 else "no",
        },
        "exams": exams,
        "experience": {
            "usce_hands_on_months": str(hands_on),
            "observership_months": str(observer),
            "specialty_months": str(min(hands_on + observer, rng.randint(0, 3))),
            "us_letters": str(letters),
            "sloes": str(min(letters, 1 if primary == "EM" else 0)),
            "publications": str(rng.randint(0, 5)),
            "presentations": str(rng.randint(0, 3)),
            "specialty_experience_years": str(rng.choice((0, 0, 1, 2))),
        },
        "goals": {
            "specialty": primary,
            "backup_specialties": backups,
            "application_year": str(application_year),
            "preferred_states": rng.sample(list(STATES_POOL), k=rng.randint(0, 3)),
            "program_types": rng.sample(list(TYPES_POOL), k=rng.randint(0, 2)),
            "budget_usd": str(rng.choice((800, 1500, 2500, 4000))) if index % 3 else "",
        },
    }


def answers_from_steps(steps: Mapping[str, Mapping[str, Any]], today: dt.date) -> dict[str, Any]:
    """Run the wizard's own forms over the step data, exactly as the wizard saves them."""
    from django.http import QueryDict

    from assessments.wizard import STEPS, FormStep

    answers: dict[str, Any] = {}
    for step in STEPS:
        if not isinstance(step, FormStep):
            continue
        data = QueryDict(urlencode(steps[step.name], doseq=True))
        form = step.form_class(data, answers=answers, today=today)
        if not form.is_valid():
            raise SystemExit(f"bench profile invalid at step {step.name}: {form.errors.as_json()}")
        answers |= form.to_answers()
    return answers


def application_year_for(today: dt.date) -> int:
    from assessments.forms import application_years

    years = application_years(today)
    # Next season if offered, else the only one: a season someone plans for now.
    return years[1] if len(years) > 1 else years[0]


# --- sessions -----------------------------------------------------------------------------


def csrf_secret() -> str:
    from django.utils.crypto import get_random_string

    return get_random_string(32, allowed_chars=string.ascii_letters + string.digits)


def session_create(*, user: Any = None, data: Mapping[str, Any] | None = None) -> str:
    """A stored session as the login view would leave it, without an HTTP login."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    if user is not None:
        store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        store[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    for key, value in (data or {}).items():
        store[key] = value
    store.create()
    return str(store.session_key)


def user_get_or_create(email: str, full_name: str) -> Any:
    from accounts.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
    return user


def draft_put(*, owner: Any, answers: dict[str, Any]) -> Any:
    """The owner's latest draft with these answers (created if none); a new anonymous
    draft when there is no owner."""
    from assessments.models import AssessmentDraft

    draft = None
    if owner is not None:
        draft = AssessmentDraft.objects.filter(owner=owner).order_by("-updated_at", "-pk").first()
    if draft is None:
        draft = AssessmentDraft.objects.create(owner=owner, answers=answers)
    else:
        draft.answers = answers
        draft.save(update_fields=["answers", "updated_at"])
    return draft


def draft_check_complete(draft: Any, today: dt.date) -> None:
    from assessments.wizard import STEPS, FormStep

    for step in STEPS:
        if isinstance(step, FormStep) and not step.is_completed(draft, today=today):
            raise SystemExit(f"bench draft {draft.token} is not complete at step {step.name}")


def step_bodies(answers: Mapping[str, Any]) -> dict[str, str]:
    """The wizard POST body of every form step, from the form's own view of the answers."""
    from assessments.wizard import STEPS, FormStep

    return {
        step.name: urlencode(step.form_class.data_from_answers(answers), doseq=True)
        for step in STEPS
        if isinstance(step, FormStep)
    }


# --- urls and what the pages must show ----------------------------------------------------


def optional_reverse(name: str, *args: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def plan_create_for(user: Any, draft: Any) -> Any:
    from assessments import drafts
    from assessments.services import plan_create

    return plan_create(
        owner=user, profile_data=drafts.draft_profile_data(draft), session_token_sink=None
    )


def whatif_bodies(plan: Any, index: int) -> list[str]:
    """What-if form posts for one plan: other scores, another visa, another specialty."""
    profile = plan.profile if isinstance(plan.profile, dict) else {}
    score = (profile.get("step2ck") or {}).get("score") or 230
    specialty = plan.specialty_code
    visa = profile.get("visa") or "j1"
    other_specialty = PRIMARY_CYCLE[(index + 3) % len(PRIMARY_CYCLE)]
    other_visa = "h1b" if visa != "h1b" else "j1"
    variants = [
        {"step2ck_score": score + 8, "visa": visa, "specialty": specialty},
        {"step2ck_score": max(score - 10, 190), "visa": visa, "specialty": specialty},
        {"step2ck_score": score, "visa": other_visa, "specialty": specialty},
        {"step2ck_score": score, "visa": visa, "specialty": other_specialty},
        {"step2ck_score": min(score + 20, 280), "visa": other_visa, "specialty": specialty},
    ]
    return [urlencode(variant) for variant in variants]


def browser_choices() -> dict[str, Any]:
    from programs.forms import ProgramFilterForm
    from programs.models import Program
    from programs.selectors import specialty_choices

    form = ProgramFilterForm(specialties=specialty_choices())

    def values(name: str) -> list[str]:
        field: Any = form.fields[name]
        return [str(value) for value, _label in field.choices if value != ""]

    # Text searches as people type them: the start of a city name.
    cities = list(Program.objects.order_by().values_list("city", flat=True).distinct()[:400])
    rng = random.Random(7)
    texts = sorted({city[: rng.randint(4, max(4, len(city)))].strip() for city in cities if city})
    return {
        "specialties": values("specialty"),
        "states": values("state"),
        "program_types": values("program_type"),
        "sorts": values("sort"),
        "texts": texts[:60],
    }


# --- commands -----------------------------------------------------------------------------


def setup(*, out: Path, applicant_count: int, visitor_count: int) -> None:
    from django.conf import settings
    from django.utils import timezone
    from django.utils.html import escape

    from assessments.wizard import STEPS
    from programs.models import Program, Specialty

    today = timezone.localdate()
    year = application_year_for(today)
    specialty_names = dict(Specialty.objects.values_list("code", "name"))
    plans_available = optional_reverse(
        "assessments:plan_detail", "00000000-0000-0000-0000-000000000000"
    )
    whatif_available = optional_reverse(
        "assessments:plan_whatif", "00000000-0000-0000-0000-000000000000"
    )
    try:
        import assessments.services
    except ImportError:
        plan_service = False
    else:
        plan_service = hasattr(assessments.services, "plan_create")

    applicants = []
    for index in range(applicant_count):
        steps = step_data(index, today, year)
        answers = answers_from_steps(steps, today)
        user = user_get_or_create(
            f"applicant-{index + 1:02d}@{EMAIL_DOMAIN}", f"Bench Applicant {index + 1}"
        )
        draft = draft_put(owner=user, answers=answers)
        draft_check_complete(draft, today)
        entry: dict[str, Any] = {
            "email": user.email,
            "session": session_create(user=user),
            "csrf": csrf_secret(),
            "specialty": answers["specialty"],
            "specialty_name": escape(specialty_names.get(answers["specialty"], "")),
            "visa": answers["visa"],
            "step_bodies": step_bodies(answers),
        }
        if plan_service and plans_available:
            plan = plan_create_for(user, draft)
            entry["plan_token"] = str(plan.token)
            entry["plan_url"] = optional_reverse("assessments:plan_detail", plan.token)
            counts = (plan.output or {}).get("program_counts") or {}
            entry["plan_programs"] = counts.get("listed")
            if whatif_available:
                entry["whatif_url"] = optional_reverse("assessments:plan_whatif", plan.token)
                entry["whatif_bodies"] = whatif_bodies(plan, index)
        applicants.append(entry)

    visitors = []
    for index in range(visitor_count):
        steps = step_data(100 + index, today, year)
        answers = answers_from_steps(steps, today)
        csrf = csrf_secret()
        if index % 2 == 0:
            user = user_get_or_create(
                f"visitor-{index + 1:03d}@{EMAIL_DOMAIN}", f"Bench Visitor {index + 1}"
            )
            draft = draft_put(owner=user, answers=answers)
            entry = {"kind": "user", "email": user.email, "session": session_create(user=user)}
        else:
            draft = draft_put(owner=None, answers=answers)
            from assessments.drafts import SESSION_DRAFT_KEY

            entry = {
                "kind": "anonymous",
                "draft_token": str(draft.token),
                "session": session_create(data={SESSION_DRAFT_KEY: str(draft.token)}),
            }
        draft_check_complete(draft, today)
        entry |= {"csrf": csrf, "step_bodies": step_bodies(answers), "answers": answers}
        visitors.append(entry)

    csrf_header = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")
    context = {
        "program_count": Program.objects.count(),
        "cookies": {"session": settings.SESSION_COOKIE_NAME, "csrf": settings.CSRF_COOKIE_NAME},
        "csrf_header": csrf_header,
        "urls": {
            "healthz": optional_reverse("assessments:healthz"),
            "programs": optional_reverse("programs:list"),
            "explorer": optional_reverse("assessments:explorer"),
            "plan_detail": bool(plans_available),
            "plan_whatif": bool(whatif_available),
            "plan_service": plan_service,
        },
        "wizard_steps": [
            {
                "name": step.name,
                "url": step.url,
                "title": escape(step.title),
                "form": step.name != "review",
            }
            for step in STEPS
        ],
        "browser": browser_choices(),
        "applicants": applicants,
        "visitors": visitors,
    }
    out.write_text(json.dumps(context, indent=1, default=str))
    print(
        f"prepared {len(applicants)} applicants, {len(visitors)} wizard visitors, "
        f"{context['program_count']:,} programs; plans: "
        f"{'yes' if plan_service and plans_available else 'not available yet'}"
    )


def draft_show(*, email: str | None, token: str | None) -> None:
    from assessments.models import AssessmentDraft

    if email:
        draft = (
            AssessmentDraft.objects.filter(owner__email=email)
            .order_by("-updated_at", "-pk")
            .first()
        )
    else:
        draft = AssessmentDraft.objects.filter(token=str(token)).first()
    print(json.dumps(None if draft is None else draft.answers, default=str))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    setup_parser = commands.add_parser("setup")
    setup_parser.add_argument("--out", type=Path, required=True)
    setup_parser.add_argument("--applicants", type=int, default=20)
    setup_parser.add_argument("--visitors", type=int, default=64)
    draft_parser = commands.add_parser("draft")
    who = draft_parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--token")
    args = parser.parse_args(argv)
    _django()
    if args.command == "setup":
        setup(out=args.out, applicant_count=args.applicants, visitor_count=args.visitors)
    else:
        draft_show(email=args.email, token=args.token)


if __name__ == "__main__":
    main()
