"""The fictional demo catalog, the benchmark generator and the demo users.

Everything here is deterministic: the same seed and the same "today" give the same
programs, so `manage.py load_demo` can run on every `make run`. The spreads follow
FREIDA's internal medicine figures for visas and IMG share and NRMP Charting Outcomes
medians for Step 2 CK; the institutions, places and programs are invented and every
institution carries the word "Fictional".
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from programs.context_processors import DEMO_CACHE_KEY
from programs.models import GENERATED_SOURCE, Program, ProgramType, Specialty, YesNoUnknown

DEMO_SEED = 2026
DEMO_PROGRAM_COUNT = 650
DEMO_PASSWORD = "matchplan-demo"  # noqa: S105 (published on purpose; DEBUG only)
DEMO_URL = "http://127.0.0.1:8000/"
DEMO_USERS = {
    "admin": "admin@example.com",
    "advisor": "advisor@example.com",
    "applicant": "applicant@example.com",
}
GENERATE_MAX = 100_000

YES, NO, UNKNOWN = YesNoUnknown.YES, YesNoUnknown.NO, YesNoUnknown.UNKNOWN


@dataclass(frozen=True)
class SpecialtyProfile:
    programs: int  # how many of the 650 demo programs
    step2_center: int  # typical Step 2 CK of interviewees at an average program
    img_offset: int  # IMG share relative to the program-type baseline, in points
    positions: tuple[int, int]


# step2_center for the ten categorical specialties is the NRMP 2026 median Step 2 CK of
# matched non-US IMGs (domain.md). NRMP publishes no such median for the one-year
# tracks; the preliminary-surgery article puts IMG-friendly prelims at 220-234 and
# academic prelims at 235-240, and prelim medicine and transitional years are filled
# in a similar range, so those three are centred lower (236-240) on purpose.
PROFILES: dict[str, SpecialtyProfile] = {
    "IM": SpecialtyProfile(110, 251, +8, (8, 40)),
    "FM": SpecialtyProfile(90, 230, +8, (4, 14)),
    "PEDS": SpecialtyProfile(60, 240, +6, (6, 24)),
    "PSYCH": SpecialtyProfile(60, 241, +6, (4, 14)),
    "EM": SpecialtyProfile(55, 243, -4, (6, 16)),
    "GS": SpecialtyProfile(45, 256, -14, (3, 8)),
    "ANES": SpecialtyProfile(40, 255, -12, (6, 20)),
    "RAD": SpecialtyProfile(35, 250, -14, (3, 10)),
    "NEURO": SpecialtyProfile(30, 252, 0, (3, 10)),
    "PATH": SpecialtyProfile(30, 244, +10, (2, 8)),
    "GS-PRELIM": SpecialtyProfile(35, 236, +2, (2, 12)),
    "IM-PRELIM": SpecialtyProfile(30, 238, +4, (4, 20)),
    "TY": SpecialtyProfile(30, 240, -6, (6, 16)),
}

# Program type: share of institutions, whether the program lists visa statuses at all
# (FREIDA: 27% of IM programs list neither J-1 nor H-1B or leave it blank), the J-1 rate
# among those that list them, the IMG share (mean, spread) and the Step 2 CK offset.
# University programs almost all take J-1 and have the fewest IMGs, community programs
# the most; about 20% of programs sponsor H-1B; military programs train no visa holders.
# The type mix is FREIDA's for internal medicine (about a third university-based, half
# community-based university-affiliated, a sixth community-based, a few military or other).
TYPE_MIX: dict[str, dict[str, Any]] = {
    ProgramType.UNIVERSITY: {
        "weight": 31,
        "lists_visas": 0.86,
        "j1": 0.99,
        "img": (20, 18),
        "step2": +4,
        "kinds": ("University Hospital", "University Medical Center", "Academic Medical Center"),
    },
    ProgramType.COMMUNITY_UNIVERSITY: {
        "weight": 46,
        "lists_visas": 0.74,
        "j1": 0.96,
        "img": (40, 20),
        "step2": 0,
        "kinds": ("Medical Center", "Regional Medical Center", "Health System"),
    },
    ProgramType.COMMUNITY: {
        "weight": 17,
        "lists_visas": 0.58,
        "j1": 0.86,
        "img": (55, 22),
        "step2": -6,
        "kinds": ("Community Hospital", "Memorial Hospital", "General Hospital"),
    },
    ProgramType.MILITARY: {
        "weight": 2,
        "lists_visas": 0.9,
        "j1": 0.0,
        "img": (2, 2),
        "step2": +2,
        "kinds": ("Army Medical Center", "Naval Medical Center"),
    },
    ProgramType.UNKNOWN: {  # FREIDA's "Other" and blanks
        "weight": 4,
        "lists_visas": 0.6,
        "j1": 0.9,
        "img": (45, 25),
        "step2": 0,
        "kinds": ("Health Network", "Clinic Foundation"),
    },
}
H1B_RATE = 0.27  # among programs that list their visa statuses: ~20% of all
NEW_PROGRAM_SHARE = 0.18  # accredited in the last five years (many new community programs)
NEW_PROGRAM_IMG_BONUS = 15  # new programs fill more of their places with IMGs
TRAINING_YEARS = {
    "IM": 3, "FM": 3, "PEDS": 3, "PSYCH": 4, "EM": 3, "GS": 5, "ANES": 4, "RAD": 4,
    "NEURO": 4, "PATH": 4, "GS-PRELIM": 1, "IM-PRELIM": 1, "TY": 1,
}  # fmt: skip

PLACE_STARTS = (
    "Lake", "Cedar", "Maple", "River", "Stone", "Pine", "Harbor", "Silver", "Oak", "Willow",
    "Fair", "Brook", "Elm", "Ash", "Birch", "Clear", "Green", "Red", "High", "North",
    "South", "East", "West", "Spring", "Summer", "Hazel", "Juniper", "Laurel", "Meadow", "Quarry",
)  # fmt: skip
PLACE_ENDS = (
    "side", " Hollow", " Ridge", "bend", "bridge", "crest", "view", " Creek", "mont",
    " Springs", "haven", "field", "wood", "ford", " Falls", " Valley",
)  # fmt: skip
# Rough weights by where residency programs are; PR stands for the territories.
STATE_WEIGHTS = {
    "NY": 12, "CA": 9, "TX": 8, "PA": 7, "FL": 6, "IL": 5, "OH": 5, "MI": 5, "MA": 4,
    "NJ": 4, "NC": 3, "GA": 3, "MD": 3, "VA": 3, "TN": 3, "MO": 3, "WI": 2, "MN": 2,
    "CT": 2, "IN": 2, "KY": 2, "LA": 2, "AZ": 2, "CO": 2, "WA": 2, "SC": 2, "AL": 2,
    "OK": 1, "KS": 1, "IA": 1, "NE": 1, "AR": 1, "MS": 1, "UT": 1, "NM": 1, "NV": 1,
    "OR": 1, "WV": 1, "DC": 1, "RI": 1, "HI": 1, "PR": 1,
}  # fmt: skip
MAX_YOG_CHOICES = ((3, 6), (5, 14), (7, 5), (10, 5), (None, 70))  # most programs state none


@dataclass(frozen=True)
class Institution:
    place: str
    kind: str
    state: str
    program_type: str

    @property
    def name(self) -> str:
        return f"{self.place} Fictional {self.kind}"


def _pick(rng: random.Random, weighted: dict[Any, int] | tuple[tuple[Any, int], ...]) -> Any:
    items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _yes_no_unknown(rng: random.Random, mix: tuple[int, int, int]) -> str:
    return rng.choices((YES, NO, UNKNOWN), weights=mix)[0]


def _maybe(rng: random.Random, known_share: float, value: Any) -> Any:
    return value if rng.random() < known_share else None


def _institutions(rng: random.Random, count: int) -> list[Institution]:
    places = [start + end for start in PLACE_STARTS for end in PLACE_ENDS]
    rng.shuffle(places)
    types = {t: mix["weight"] for t, mix in TYPE_MIX.items()}
    result = []
    for place in places[:count]:
        program_type = _pick(rng, types)
        kind = rng.choice(TYPE_MIX[program_type]["kinds"])
        result.append(Institution(place, kind, _pick(rng, STATE_WEIGHTS), program_type))
    return result


def demo_season(today: dt.date) -> int:
    """The application season a catalog made on ``today`` describes: this year's until
    ERAS opens to programs in September, then next year's."""
    return today.year if today.month < 9 else today.year + 1


def _facts(
    rng: random.Random, *, code: str, track: str, program_type: str, today: dt.date
) -> dict[str, Any]:
    """The facts of one program, shaped like public listings: sizes with a long tail,
    IMG shares by program type, visa lists missing for about a quarter, Step 2 CK figures
    for few programs (public listings have none), other unknowns where sources are silent.
    """
    profile = PROFILES[code]
    mix = TYPE_MIX[program_type]
    military = program_type == ProgramType.MILITARY
    new = not military and rng.random() < NEW_PROGRAM_SHARE
    if new:
        first_accredited = today.year - rng.randint(1, 5)
    else:
        first_accredited = _maybe(rng, 0.95, rng.randint(1950, today.year - 6))
    mean, spread = mix["img"]
    img = rng.gauss(mean + profile.img_offset + (NEW_PROGRAM_IMG_BONUS if new else 0), spread)
    img_share = min(max(round(img), 0), 100)
    do_share = min(max(round(rng.gauss(14, 9)), 0), 100 - img_share)
    typical = round(profile.step2_center + mix["step2"] + rng.gauss(0, 5))
    typical = min(max(typical, 218), 272)
    step2_typical = _maybe(rng, 0.15, typical)
    step2_min = None
    if rng.random() < 0.12:
        # A published hard minimum sits well below the typical score, never under 214.
        step2_min = max(214, typical - rng.randint(10, 26))
    community = program_type == ProgramType.COMMUNITY
    if military:
        accepts_failures = _yes_no_unknown(rng, (5, 35, 60))
    elif community:
        accepts_failures = _yes_no_unknown(rng, (25, 10, 65))
    else:
        accepts_failures = _yes_no_unknown(rng, (12, 20, 68))
    if rng.random() < mix["lists_visas"]:
        j1 = YES if rng.random() < mix["j1"] else NO
        h1b = YES if not military and rng.random() < H1B_RATE else NO
    else:
        j1 = h1b = UNKNOWN
    low, high = profile.positions
    # Long tail: most programs are small or mid-sized, a few very large.
    positions = round(math.exp(rng.gauss(math.log((low + high) / 2), 0.5)))
    positions = min(max(positions, low // 2 or 1), high * 2)
    if rng.random() < 0.01:
        positions = 0  # no first-year place this year
    total = positions * TRAINING_YEARS[code] + rng.randint(0, 3)
    if military:
        affiliation = "military"
    else:
        affiliation = _pick(
            rng, (("none", 78), ("veterans_affairs", 5), ("other_government", 5), ("unknown", 12))
        )
    platform = "residencycas" if code == "EM" else "eras"
    verified_days_ago = rng.randint(0, 600)
    return {
        "track": track,
        "program_type": program_type,
        "affiliation": affiliation,
        "positions": _maybe(rng, 0.97, positions),
        "total_positions": _maybe(rng, 0.9, total),
        "first_accredited": first_accredited,
        "accepting_applications": _yes_no_unknown(rng, (93, 3, 4)),
        "accepting_season": demo_season(today),
        "application_platform": platform if rng.random() < 0.93 else "unknown",
        "j1": j1,
        "h1b": h1b,
        "img_share": _maybe(rng, 0.9, img_share),
        "do_share": _maybe(rng, 0.85, do_share),
        "usmd_share": _maybe(rng, 0.85, 100 - img_share - do_share),
        "step2_min": step2_min,
        "step2_typical": step2_typical,
        "max_yog": _pick(rng, MAX_YOG_CHOICES),
        "accepts_failures": accepts_failures,
        "requires_usce": _yes_no_unknown(rng, (35, 20, 45) if not community else (30, 25, 45)),
        "last_verified": None
        if rng.random() < 0.04
        else today - dt.timedelta(days=verified_days_ago),
    }


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def demo_programs(*, seed: int = DEMO_SEED, today: dt.date | None = None) -> list[Program]:
    """The demo catalog as unsaved Program objects, the same for the same seed and day.

    Each specialty is offered by distinct institutions, so program names are unique.
    ACGME ids are "00000" + a serial: real ACGME ids start with a specialty code,
    never 00000, so the demo can never collide with an imported real program.
    """
    today = today or timezone.localdate()
    rng = random.Random(seed)
    institutions = _institutions(rng, 180)
    specialties = {s.code: s for s in Specialty.objects.filter(code__in=PROFILES)}
    missing = set(PROFILES) - set(specialties)
    if missing:
        raise LookupError(f"Specialties missing (run migrate): {', '.join(sorted(missing))}")
    programs: list[Program] = []
    for code, profile in PROFILES.items():
        specialty = specialties[code]
        for institution in rng.sample(institutions, profile.programs):
            facts = _facts(
                rng,
                code=code,
                track=specialty.track,
                program_type=institution.program_type,
                today=today,
            )
            name = f"{institution.place} {specialty.name} Program"
            programs.append(
                Program(
                    acgme_id=f"00000{len(programs) + 1:05d}",
                    name=name,
                    institution=institution.name,
                    city=institution.place,
                    state=institution.state,
                    specialty=specialty,
                    website=""
                    if rng.random() < 0.1
                    else f"https://www.example.org/{_slug(institution.place)}/{code.lower()}",
                    source=settings.DEMO_SOURCE,
                    notes="Fictional program, generated for the MatchPlan demo. "
                    "Its facts follow published national spreads, not any real program.",
                    **facts,
                )
            )
    return programs


@dataclass(frozen=True)
class DemoLoadResult:
    created: int
    already_present: int


@transaction.atomic
def demo_catalog_load(*, seed: int = DEMO_SEED, today: dt.date | None = None) -> DemoLoadResult:
    """Insert the demo programs that are not there yet (by ACGME id); never edits rows.

    Running it twice leaves the same rows; programs an admin edited stay edited.
    """
    programs = demo_programs(seed=seed, today=today)
    present = set(
        Program.objects.filter(acgme_id__in=[p.acgme_id for p in programs]).values_list(
            "acgme_id", flat=True
        )
    )
    missing = [p for p in programs if p.acgme_id not in present]
    bulk_create_with_history(missing, Program, batch_size=500)
    cache.delete(DEMO_CACHE_KEY)
    return DemoLoadResult(created=len(missing), already_present=len(present))


@transaction.atomic
def demo_catalog_remove() -> int:
    """Delete the demo programs (their history records the deletion)."""
    deleted, _ = Program.objects.filter(source=settings.DEMO_SOURCE).delete()
    cache.delete(DEMO_CACHE_KEY)
    return deleted


def ensure_demo_users() -> dict[str, Any]:
    """Create or refresh the three demo logins; only allowed while DEBUG is on.

    Returns {"admin": User, "advisor": User, "applicant": User}. Other apps that need
    demo relations (e.g. an advisor assigned to the applicant) take the users from here.
    """
    if not settings.DEBUG:
        raise PermissionError("Demo users have a published password and need DEBUG on.")
    from accounts.models import ADVISORS_GROUP

    user_model = get_user_model()
    advisors, _ = Group.objects.get_or_create(name=ADVISORS_GROUP)
    users: dict[str, Any] = {}
    with transaction.atomic():
        for role, email in DEMO_USERS.items():
            user = user_model.objects.filter(email=email).first() or user_model(email=email)
            user.full_name = user.full_name or f"Demo {role}"
            user.is_active = True
            user.is_staff = role == "admin"
            user.is_superuser = role == "admin"
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role == "advisor":
                user.groups.add(advisors)
            users[role] = user
    return users


# --- benchmark data ------------------------------------------------------------------


def generated_rows(*, count: int, seed: int, today: dt.date | None = None) -> Iterator[dict]:
    """`count` fictional programs for load tests, lazily, as column -> value dicts.

    No ACGME id; the source is GENERATED_SOURCE; names carry the seed and a serial.
    The specialties are read now, not on first iteration: the rows are consumed while
    the connection is busy with a COPY, when no other query may run.
    """
    specialties = list(Specialty.objects.filter(code__in=PROFILES))
    if not specialties:
        raise LookupError("No specialties installed (run migrate).")
    return _generated_rows(count, seed, today or timezone.localdate(), specialties)


def _generated_rows(
    count: int, seed: int, today: dt.date, specialties: list[Specialty]
) -> Iterator[dict]:
    rng = random.Random(seed)
    weights = [PROFILES[s.code].programs for s in specialties]
    places = [start + end for start in PLACE_STARTS for end in PLACE_ENDS]
    types = list(TYPE_MIX)
    type_weights = [TYPE_MIX[t]["weight"] for t in types]
    states = list(STATE_WEIGHTS)
    state_weights = list(STATE_WEIGHTS.values())
    for number in range(1, count + 1):
        specialty = rng.choices(specialties, weights=weights)[0]
        program_type = rng.choices(types, weights=type_weights)[0]
        place = rng.choice(places)
        kind = rng.choice(TYPE_MIX[program_type]["kinds"])
        yield {
            "acgme_id": None,
            "name": f"{place} {specialty.name} Program {seed}-{number}",
            "institution": f"{place} Fictional {kind}",
            "city": place,
            "state": rng.choices(states, weights=state_weights)[0],
            "specialty_id": specialty.pk,
            "website": "",
            "source": GENERATED_SOURCE,
            "notes": "",
            **_facts(
                rng,
                code=specialty.code,
                track=specialty.track,
                program_type=program_type,
                today=today,
            ),
        }


def programs_generate(*, count: int, seed: int = 1, replace: bool = False) -> int:
    """Insert `count` generated programs (1..100,000) in batches; returns how many.

    The rows go in with COPY on PostgreSQL and multi-row INSERTs elsewhere, not
    through save() or bulk_create: the ORM's per-value preparation made 100,000 rows
    take half a minute on SQLite, and one statement per row as long on PostgreSQL. So these rows get no history records and no signals;
    that is fine for throwaway benchmark data. Values are adapted by the database
    backend's own adapters, so this runs unchanged on SQLite and PostgreSQL.
    """
    if not 1 <= count <= GENERATE_MAX:
        raise ValueError(f"count must be between 1 and {GENERATE_MAX:,}")
    fields = [f for f in Program._meta.concrete_fields if not f.primary_key]
    columns = [f.attname for f in fields]
    quote = connection.ops.quote_name
    # As many rows per INSERT as the backend's parameter limit allows (SQLite: 999
    # parameters, so 47 rows; PostgreSQL: 1000 rows): one round trip per batch.
    max_params = connection.features.max_query_params or 65_535
    rows_per_insert = max(1, min(1000, max_params // len(fields)))
    prefix = (
        f"INSERT INTO {quote(Program._meta.db_table)} "  # noqa: S608  # nosec B608
        f"({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt_date = connection.ops.adapt_datefield_value
    dates: dict[dt.date, Any] = {}

    def values(row: dict) -> list:
        row["updated_at"] = now
        verified = row["last_verified"]
        if verified is not None:
            if verified not in dates:
                dates[verified] = adapt_date(verified)
            row["last_verified"] = dates[verified]
        return [row[c] for c in columns]

    def insert(cursor: Any, batch: list[list]) -> None:
        sql = prefix + ", ".join([placeholders] * len(batch))
        cursor.execute(sql, [value for row in batch for value in row])

    rows = generated_rows(count=count, seed=seed)
    with transaction.atomic(), connection.cursor() as cursor:
        if replace:
            generated_remove()
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: no SQL to parse per row.
            copy_sql = (
                f"COPY {quote(Program._meta.db_table)} "
                f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            batch: list[list] = []
            for row in rows:
                batch.append(values(row))
                if len(batch) == rows_per_insert:
                    insert(cursor, batch)
                    batch = []
            if batch:
                insert(cursor, batch)
    cache.delete(DEMO_CACHE_KEY)
    return count


def generated_remove() -> int:
    """Delete every generated benchmark program in one statement.

    A plain DELETE, because the ORM would write one history row per program (minutes
    for 100,000). Generated programs have no history to keep.
    """
    table = connection.ops.quote_name(Program._meta.db_table)
    column = connection.ops.quote_name("source")
    with transaction.atomic(), connection.cursor() as cursor:
        sql = f"DELETE FROM {table} WHERE {column} = %s"  # noqa: S608  # nosec B608
        cursor.execute(sql, [GENERATED_SOURCE])
        deleted = cursor.rowcount
    cache.delete(DEMO_CACHE_KEY)
    return deleted
