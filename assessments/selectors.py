"""Reads that build the engine's inputs from the database.

They return the engine's frozen dataclasses, not model instances: ``catalog_facts`` reads
plain tuples with ``values_list`` so 50,000 programs load quickly and the engine stays pure, and
keeps them in the shared cache, keyed by catalog version.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from django.core.cache import cache

from assessments import engine
from assessments.engine import Fees, ProgramFacts, SpecialtyRules
from assessments.models import (
    DualPartner,
    FeeSchedule,
    NrmpSeason,
    PlatformFeeSchedule,
    SeasonDate,
    SeasonEvent,
    Source,
    SpecialtyRule,
    SpecialtySeason,
)
from assessments.rules import DEFAULT_FEES
from programs.models import Program
from programs.selectors import catalog_version

_RULE_FIELDS = [
    f.name
    for f in dataclasses.fields(SpecialtyRules)
    if f.name not in {"code", "name", "track", "dual_partners"}
]
_FEE_FIELDS = [f.name for f in dataclasses.fields(Fees)]
# The program fields the engine reads, in ProgramFacts' order (one list: the dataclass).
_PROGRAM_COLUMNS = tuple(
    "specialty__code" if f.name == "specialty_code" else f.name
    for f in dataclasses.fields(ProgramFacts)
)


def rules_by_code() -> dict[str, SpecialtyRules]:
    """Every specialty's rule parameters, keyed by specialty code (two queries)."""
    partners: dict[int, list[str]] = defaultdict(list)
    for rule_id, code in DualPartner.objects.order_by("rule_id", "position", "id").values_list(
        "rule_id", "specialty__code"
    ):
        partners[rule_id].append(code)
    out: dict[str, SpecialtyRules] = {}
    rows = SpecialtyRule.objects.values(
        "id", "specialty__code", "specialty__name", "specialty__track", *_RULE_FIELDS
    )
    for row in rows:
        values: dict[str, Any] = {name: row[name] for name in _RULE_FIELDS}
        for key in ("matched_ranks_median", "unmatched_ranks_median"):
            if values[key] is not None:
                values[key] = float(values[key])
        code = row["specialty__code"]
        out[code] = SpecialtyRules(
            code=code,
            name=row["specialty__name"],
            track=row["specialty__track"],
            dual_partners=tuple(partners[row["id"]]),
            **values,
        )
    return out


def _source_ref(row: Source | None) -> engine.SourceRef | None:
    if row is None:
        return None
    return engine.SourceRef(
        row.key,
        row.title,
        row.publisher,
        row.season,
        row.url,
        row.checked_on,
        row.confirmed,
        row.note,
    )


def season_facts() -> dict[int, engine.SeasonFacts]:
    """Every season's facts from the season tables (five small queries), keyed by season.
    A season needs an NRMP row; platforms missing from a season are taken from the latest
    earlier season that has them."""
    sources = {s.id: s for s in Source.objects.all()}
    refs = {sid: _source_ref(s) for sid, s in sources.items()}
    by_key = {s.key: refs[sid] for sid, s in sources.items()}
    platforms: dict[int, dict[str, engine.PlatformFees]] = defaultdict(dict)
    key_dates: dict[int, dict[str, engine.KeyDate]] = defaultdict(dict)
    for season, event, date, source_id, note in SeasonDate.objects.values_list(
        "season", "event", "date", "source_id", "note"
    ):
        key_dates[season][event] = engine.KeyDate(season, event, date, refs.get(source_id), note)
    every_date = {season: dict(events) for season, events in key_dates.items()}
    for row in PlatformFeeSchedule.objects.order_by("season"):
        platforms[row.season][row.platform] = engine.PlatformFees(
            platform=row.platform,
            season=row.season,
            confirmed_season=row.confirmed_season,
            base_fee=row.base_fee,
            base_programs=row.base_programs,
            mid_fee=row.mid_fee,
            mid_until=row.mid_until,
            after_fee=row.after_fee,
            transcript_fee=row.transcript_fee,
            token_fee=row.token_fee,
            transcript_confirmed_season=row.transcript_confirmed_season,
            token_confirmed_season=row.token_confirmed_season,
            source=refs.get(row.source_id),
            transcript_source=refs.get(row.transcript_source_id),
            token_source=refs.get(row.token_source_id),
        )
    specialty_platform: dict[int, dict[str, str]] = defaultdict(dict)
    signals: dict[int, dict[str, engine.SignalRule]] = defaultdict(dict)
    for row in SpecialtySeason.objects.select_related("specialty"):
        code = row.specialty.code
        specialty_platform[row.season][code] = row.platform
        kinds = tuple(
            (label or "signal", n)
            for label, n in (
                (row.signals_first_label, row.signals_first),
                (row.signals_second_label, row.signals_second),
            )
            if n
        )
        if kinds:
            signals[row.season][code] = engine.SignalRule(
                code,
                row.season,
                row.signals_confirmed_season,
                kinds,
                row.signal_rule,
                refs.get(row.source_id),
            )
    out: dict[int, engine.SeasonFacts] = {}
    known: dict[str, engine.PlatformFees] = {}
    for n in NrmpSeason.objects.order_by("season"):
        known.update(platforms.get(n.season, {}))
        if engine.PLATFORM_ERAS not in known:
            continue
        out[n.season] = engine.SeasonFacts(
            season=n.season,
            platforms=dict(known),
            specialty_platform=specialty_platform.get(n.season, {}),
            signals=signals.get(n.season, {}),
            nrmp=engine.NrmpFees(
                season=n.season,
                confirmed_season=n.confirmed_season,
                registration_fee=n.registration_fee,
                included_ranks=n.included_ranks,
                extra_rank_fee=n.extra_rank_fee,
                late_fee=n.late_fee,
                standard_deadline_month_day=(n.standard_deadline.month, n.standard_deadline.day),
                source=refs.get(n.source_id),
            ),
            sources=by_key,
            key_dates=every_date,
        )
    return out


def active_fee_schedule() -> Fees:
    """The active fee schedule; the built-in 2026 defaults if an admin deactivated them all."""
    row = FeeSchedule.objects.filter(active=True).values(*_FEE_FIELDS).first()
    if row is None:
        return DEFAULT_FEES
    return Fees(**row)


# Program facts per specialty, for one catalog version, in the shared cache. Generating a plan
# reads every program of three or four specialties (up to ~11,000 rows at 50,000 programs,
# ~0.1 s to load); the catalog changes only when an admin edits it, and catalog_version()
# changes with every save, bulk insert and deletion, so the rows are cached under it (an edit
# makes new keys; the old ones expire). The cached value is the rows as values_list gave them
# (plain tuples pickle and load several times faster than the dataclasses) and the
# specialty's name order (engine.name_ranks).
PROGRAM_FACTS_CACHE_SECONDS = 3600


@dataclasses.dataclass(frozen=True, slots=True)
class CatalogFacts:
    """The facts of every program of some specialties, as read at catalog ``version``."""

    version: str
    by_code: dict[str, tuple[ProgramFacts, ...]]  # per specialty code, by id
    name_ranks: dict[str, dict[int, int]]  # engine.assess's name_ranks

    def programs(self) -> list[ProgramFacts]:
        """Every program, by id (the list is the caller's own)."""
        return program_facts_merged(self.by_code)


def _load_program_rows(codes: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    rows = (
        Program.objects.filter(specialty__code__in=codes)
        .order_by("id")
        .values_list(*_PROGRAM_COLUMNS)
    )
    # Institutions, cities, websites and sources repeat across thousands of programs: one
    # string each (pickle then stores each once too).
    shared: dict[str, str] = {}
    strings = [i for i, name in enumerate(_PROGRAM_COLUMNS) if name in _SHARED_COLUMNS]
    found: dict[str, list[tuple[Any, ...]]] = {code: [] for code in codes}
    code_at = _PROGRAM_COLUMNS.index("specialty__code")
    for row in rows:
        values = list(row)
        for i in strings:
            values[i] = shared.setdefault(values[i], values[i])
        found[row[code_at]].append(tuple(values))
    return found


_SHARED_COLUMNS = frozenset({"institution", "city", "website", "source"})


# The facts built from those rows, kept per worker for the current catalog version only. The
# exception to "the shared cache only" (docs/shared/style.md, 11), for a measured reason:
# building the ProgramFacts of a plan's specialties from the cached rows (unpickle and
# construct) cost ~17 ms of CPU per plan at 5,000 programs (catalog_facts for IM, FM and PEDS,
# 1,971 programs: 18.8 ms median without this, 1.6 ms with it; PostgreSQL and Redis, 7 Dec
# 2026), more than the engine's own work; kept here it costs a dict look-up. Every worker still reads the rows from
# the shared cache (not the database) the first time, and a catalog edit (a new version)
# drops the previous version's facts.
_built: dict[tuple[str, str], tuple[tuple[ProgramFacts, ...], dict[int, int]]] = {}


def catalog_facts(codes: Iterable[str], *, version: str | None = None) -> CatalogFacts:
    """Facts of every program of the given specialties, per specialty code, by id.

    The catalog version (a few small queries); for the specialties this worker has not built
    for that version, one cache read, and one more query for those not in the cache either.
    The facts are immutable objects. ``version``: the catalog version when the caller has
    just read it (saves reading it again).
    """
    wanted = sorted(set(codes))
    version = version or catalog_version()
    local = {code: _built.get((version, code)) for code in wanted}
    need = [code for code in wanted if local[code] is None]
    if need:
        keys = {code: f"program-facts:{version}:{code}" for code in need}
        found = cache.get_many(list(keys.values()))
        missing = [code for code in need if keys[code] not in found]
        if missing:
            fresh = {}
            for code, rows in _load_program_rows(missing).items():
                facts = tuple(ProgramFacts(*row) for row in rows)
                fresh[keys[code]] = (rows, engine.name_ranks(facts))
            cache.set_many(fresh, PROGRAM_FACTS_CACHE_SECONDS)
            found.update(fresh)
        for key in [key for key in list(_built) if key[0] != version]:
            _built.pop(key, None)
        for code in need:
            rows, ranks = found[keys[code]]
            local[code] = _built[(version, code)] = (tuple(ProgramFacts(*r) for r in rows), ranks)
    return CatalogFacts(
        version,
        {code: local[code][0] for code in wanted},  # type: ignore[index]
        {code: local[code][1] for code in wanted},  # type: ignore[index]
    )


def program_facts_merged(by_code: dict[str, tuple[ProgramFacts, ...]]) -> list[ProgramFacts]:
    """Per-specialty facts in one list, by id (the list is the caller's own)."""
    if len(by_code) == 1:
        return list(next(iter(by_code.values())))
    # Each specialty's facts are sorted by id, so this sort only merges sorted runs.
    return sorted((f for items in by_code.values() for f in items), key=attrgetter("id"))


def rules_to_dict(rules: SpecialtyRules) -> dict[str, Any]:
    data = dataclasses.asdict(rules)
    data["dual_partners"] = list(rules.dual_partners)
    return data


def fees_to_dict(fees: Fees) -> dict[str, Any]:
    return dataclasses.asdict(fees)


def methodology_data() -> dict[str, Any]:
    """Everything the methodology page shows: every rule with its source, the fee schedule,
    the passing standards and the engine's own thresholds."""
    rules = rules_by_code()
    return {
        "engine_version": engine.ENGINE_VERSION,
        "rules": [rules_to_dict(rules[code]) for code in sorted(rules)],
        "fees": fees_to_dict(active_fee_schedule()),
        "seasons": _seasons_for_page(),
        "passing_standards": [
            {"since": since.isoformat(), "score": score, "source": engine.SRC_USMLE}
            for since, score in engine.PASSING_STANDARDS
        ],
        "thresholds": engine.thresholds(),
    }


def _seasons_for_page() -> dict[str, Any]:
    """The season facts with their sources, as plain data (the page's cache key is a digest
    of it, so any admin edit shows at once)."""

    def src(prefix: str) -> list[str]:
        return [f"{prefix}__{name}" for name in ("title", "publisher", "season", "url")] + [
            f"{prefix}__checked_on",
            f"{prefix}__confirmed",
        ]

    return {
        "platform_fees": list(
            PlatformFeeSchedule.objects.order_by("-season", "platform").values(
                "platform",
                "season",
                "confirmed_season",
                "base_fee",
                "base_programs",
                "mid_fee",
                "mid_until",
                "after_fee",
                "transcript_fee",
                "token_fee",
                *src("source"),
            )
        ),
        "specialties": list(
            SpecialtySeason.objects.order_by("-season", "specialty__code").values(
                "specialty__code",
                "specialty__name",
                "season",
                "platform",
                "signals_first",
                "signals_first_label",
                "signals_second",
                "signals_second_label",
                "signal_rule",
                "signals_confirmed_season",
                *src("source"),
            )
        ),
        "key_dates": [
            {**row, "label": SeasonEvent(row["event"]).label}
            for row in SeasonDate.objects.order_by("-season", "date", "event").values(
                "season", "event", "date", "note", *src("source")
            )
        ],
        "nrmp": list(
            NrmpSeason.objects.order_by("-season").values(
                "season",
                "confirmed_season",
                "registration_fee",
                "included_ranks",
                "extra_rank_fee",
                "late_fee",
                "standard_deadline",
                *src("source"),
            )
        ),
        "sources": list(
            Source.objects.order_by("publisher", "title").values(
                "key", "title", "publisher", "season", "url", "checked_on", "confirmed", "note"
            )
        ),
    }
