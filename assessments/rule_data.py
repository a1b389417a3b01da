"""The engine's rule, fee and season inputs, read once and kept in the shared cache.

Every plan, what-if and explorer request needs the same inputs: the specialty rules, the fee
schedule and the season facts (eight small queries). They change only when an admin edits
them, so they are cached under a version number that any save or delete of those models
bumps (through Django's model signals, in every process that shares the cache). The time
limit only bounds how long a process with a cache of its own (local memory, no REDIS_URL)
can miss another process's edit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from assessments import engine, selectors

VERSION_KEY = "rule-data:version"
DATA_SECONDS = 300


@dataclass(frozen=True)
class RuleData:
    version: str
    rules: dict[str, engine.SpecialtyRules]
    fees: engine.Fees
    seasons: dict[int, engine.SeasonFacts]


def rule_data_version() -> str:
    """The version the rule, fee and season data are cached under (one cache read): what a
    key needs when the data themselves may not be needed (the explorer's cached pages)."""
    return _version()


def _version() -> str:
    # A fresh cache starts from the clock, so it never reuses a number an emptied cache had.
    return str(cache.get_or_set(VERSION_KEY, lambda: int(time.time() * 1000), None))


def rule_data() -> RuleData:
    """The current rules, fees and seasons (from the cache; from the database on a miss)."""
    version = _version()
    key = f"rule-data:{version}"
    found = cache.get(key)
    if found is None:
        found = RuleData(
            version=version,
            rules=selectors.rules_by_code(),
            fees=selectors.active_fee_schedule(),
            seasons=selectors.season_facts(),
        )
        cache.set(key, found, DATA_SECONDS)
    return found


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next read starts a new one
        cache.delete(VERSION_KEY)


def rule_data_changed(**_kwargs: Any) -> None:
    """Receiver: a rule, fee or season row was saved or deleted. The version moves at once
    (this request reads its own edit) and again once the transaction commits: another
    request that read the rows before the commit cached them under the version in between,
    which then is never read again."""
    _bump()
    transaction.on_commit(_bump)


# The models whose rows make up the data above.
MODELS = (
    "assessments.DualPartner",
    "assessments.FeeSchedule",
    "assessments.NrmpSeason",
    "assessments.PlatformFeeSchedule",
    "assessments.SeasonDate",
    "assessments.Source",
    "assessments.SpecialtyRule",
    "assessments.SpecialtySeason",
    "programs.Specialty",
)


def connect() -> None:
    for label in MODELS:
        model = apps.get_model(label)
        uid = f"rule-data-{label}"
        post_save.connect(rule_data_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(rule_data_changed, sender=model, dispatch_uid=uid + "-delete")
