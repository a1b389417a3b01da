"""A realistic internal medicine catalog for the fit tests: fictional names, real-shaped
values (FREIDA-like: no Step 2 CK figures, IMG shares by program type with a median near
41% and a third at 50%+, about a quarter without a visa statement, a few military and VA
programs, a few not accepting applications, some new programs)."""

from __future__ import annotations

import datetime as dt
import random

from assessments.engine import ProgramFacts

TODAY = dt.date(2026, 6, 1)
SEASON = 2026

TYPES = (("university", 30), ("community_university", 45), ("community", 18), ("unknown", 3))
IMG = {"university": (22, 18), "community_university": (45, 20), "community": (62, 20),
       "unknown": (45, 25)}  # fmt: skip


def im_catalog(count: int = 160, *, seed: int = 7) -> list[ProgramFacts]:
    rng = random.Random(seed)
    programs = []
    for n in range(1, count + 1):
        program_type = rng.choices([t for t, _ in TYPES], weights=[w for _, w in TYPES])[0]
        new = program_type != "university" and rng.random() < 0.15
        mean, spread = IMG[program_type]
        share = min(max(round(rng.gauss(mean + (15 if new else 0), spread)), 0), 100)
        if rng.random() < 0.27:
            j1 = h1b = "unknown"
        else:
            j1 = "yes" if rng.random() < 0.95 else "no"
            h1b = "yes" if rng.random() < 0.27 else "no"
        programs.append(
            ProgramFacts(
                id=n,
                name=f"Fictional IM Program {n:03d}",
                institution=f"Fictional Hospital {n:03d}",
                city=f"Town {n % 40}",
                state=rng.choice(["NY", "TX", "OH", "CA", "PA", "MI"]),
                specialty_code="IM",
                program_type=program_type,
                j1=j1,
                h1b=h1b,
                img_share=share if rng.random() < 0.9 else None,
                positions=max(2, round(rng.lognormvariate(2.6, 0.5))),
                last_verified=TODAY - dt.timedelta(days=rng.randint(20, 500)),
                accepting_applications="yes",
                accepting_season=SEASON,
                application_platform="eras",
                affiliation="none",
                first_accredited=rng.randint(2022, 2025) if new else rng.randint(1950, 2015),
                source="fixture (fictional)",
            )
        )
    # Three military programs, one VA-affiliated, two not accepting this season.
    extra = [
        {"program_type": "military", "affiliation": "military", "img_share": 0, "j1": "no", "h1b": "no"},
        {"program_type": "university", "affiliation": "military", "img_share": 3, "j1": "unknown",
             "h1b": "unknown"},
        {"program_type": "military", "affiliation": "military", "img_share": None, "j1": "unknown",
             "h1b": "unknown"},
        {"program_type": "community_university", "affiliation": "veterans_affairs",
             "img_share": 35, "j1": "yes", "h1b": "no"},
        {"program_type": "community", "affiliation": "none", "img_share": 80, "j1": "yes", "h1b": "yes",
             "accepting_applications": "no"},
        {"program_type": "community", "affiliation": "none", "img_share": 75, "j1": "yes", "h1b": "yes",
             "accepting_applications": "no", "last_verified": TODAY - dt.timedelta(days=700)},
    ]  # fmt: skip
    for offset, facts in enumerate(extra, start=count + 1):
        values = {
            "id": offset,
            "name": f"Fictional IM Program {offset:03d}",
            "institution": f"Fictional Hospital {offset:03d}",
            "city": "Town X",
            "state": "VA",
            "specialty_code": "IM",
            "positions": 10,
            "last_verified": TODAY - dt.timedelta(days=100),
            "accepting_applications": "yes",
            "accepting_season": SEASON,
            "application_platform": "eras",
            "first_accredited": 1990,
        }
        values.update(facts)
        programs.append(ProgramFacts(**values))
    return programs
