"""The applicant's profile: typed dataclasses, parsing with full validation, and back to JSON.

Pure Python (no Django), so the engine, its tests and the benchmark run without a database.
The JSON shape is documented in docs/assess.md; the wizard stores its answers in exactly this
shape and calls :func:`parse_profile`.

Unknown keys are errors (a typo such as ``"sloe"`` would otherwise be silently ignored and give
a wrong plan). Optional keys: ``budget_usd``, ``preferred_states``, ``program_types``,
``oet_passed``, ``step1.score``, ``step2ck.planned_date``, ``step2ck.practice_scores``,
``step2ck.test_date`` (required when a score is given) and ``step3.attempts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

# The specialty codes installed by programs/migrations/0002_specialties.py. Callers that know
# the live set (from the rule table) pass it to parse_profile; this is the fallback.
DEFAULT_SPECIALTY_CODES: frozenset[str] = frozenset(
    {
        "EM",
        "IM",
        "FM",
        "PEDS",
        "PSYCH",
        "NEURO",
        "ANES",
        "PATH",
        "RAD",
        "GS",
        "GS-PRELIM",
        "IM-PRELIM",
        "TY",
    }
)
VISAS: tuple[str, ...] = ("j1", "h1b", "either", "none")
EXAM_RESULTS: tuple[str, ...] = ("pass", "fail", "not_taken")
PROGRAM_TYPES: tuple[str, ...] = ("university", "community_university", "community", "military")
# Kept equal to programs.models.US_STATE_CODES (a test checks it); duplicated so that this
# module stays importable without Django.
STATE_CODES: frozenset[str] = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "  # noqa: SIM905
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split()
)

MIN_SCORE, MAX_SCORE = 1, 300
MIN_ATTEMPTS, MAX_ATTEMPTS = 1, 4  # USMLE allows at most 4 attempts per Step since July 2021
MAX_BACKUPS = 3
MAX_PRACTICE_SCORES = 30
EARLIEST_GRADUATION_YEAR = 1960
GRADUATION_YEARS_AHEAD = 6  # a first-year student today graduates in at most ~6 years
APPLICATION_YEARS_BACK = 1  # last season's plan may still be re-run
APPLICATION_YEARS_AHEAD = 6


@dataclass(frozen=True, slots=True)
class PracticeScore:
    score: int
    date: dt.date | None = None
    form: str = ""


@dataclass(frozen=True, slots=True)
class Step1:
    result: str  # pass | fail | not_taken; fail = never passed
    attempts: int = 1
    score: int | None = None  # legacy three-digit score (before 26 January 2022)


@dataclass(frozen=True, slots=True)
class Step2CK:
    score: int | None = None  # None: not taken yet; otherwise the latest attempt's score
    attempts: int = 1  # counts the reported (or the planned) attempt
    test_date: dt.date | None = None
    planned_date: dt.date | None = None
    practice_scores: tuple[PracticeScore, ...] = ()

    @property
    def taken(self) -> bool:
        return self.score is not None

    @property
    def latest_practice(self) -> PracticeScore | None:
        """The most recent practice score: latest date wins, undated ones count in list order."""
        best: PracticeScore | None = None
        best_key: tuple[dt.date, int] | None = None
        for index, practice in enumerate(self.practice_scores):
            key = (practice.date or dt.date.min, index)
            if best_key is None or key >= best_key:
                best, best_key = practice, key
        return best


@dataclass(frozen=True, slots=True)
class Step3:
    result: str = "not_taken"
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class Profile:
    specialty: str
    visa: str
    graduation_year: int
    application_year: int
    step1: Step1
    step2ck: Step2CK
    step3: Step3 = field(default_factory=Step3)
    backup_specialties: tuple[str, ...] = ()
    ecfmg_certified: bool = False
    oet_passed: bool | None = None  # None: not said; ECFMG certification implies it
    usce_months: float = 0
    usce_in_specialty_months: float = 0
    us_letters: int = 0
    sloes: int = 0
    publications: int = 0
    presentations: int = 0
    specialty_experience_years: float = 0
    preferred_states: tuple[str, ...] = ()
    program_types: tuple[str, ...] = ()
    budget_usd: int | None = None
    pathway: str | None = None  # not_started | applied | met; None: not said
    observership_months: float = 0  # observerships: no hands-on care, counted apart from USCE
    citizenship: str | None = None  # us_citizen | permanent_resident | other; None: not said


class ProfileError(ValueError):
    """Invalid profile data; ``errors`` maps each field path (``step2ck.score``) to a message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))

    def lines(self) -> list[str]:
        return [f"{path}: {message}" for path, message in self.errors.items()]


# --- parsing ------------------------------------------------------------------------------

TOP_KEYS_REQUIRED = (
    "specialty",
    "backup_specialties",
    "visa",
    "graduation_year",
    "application_year",
    "step1",
    "step2ck",
    "step3",
    "ecfmg_certified",
    "usce_months",
    "usce_in_specialty_months",
    "us_letters",
    "sloes",
    "publications",
    "presentations",
    "specialty_experience_years",
)
TOP_KEYS_OPTIONAL = (
    "preferred_states",
    "program_types",
    "budget_usd",
    "oet_passed",
    "pathway",
    "observership_months",
    "citizenship",
)
# Progress toward ECFMG's clinical and communication requirement (a Pathway plus OET Medicine).
PATHWAY_STATUSES: tuple[str, ...] = ("not_started", "applied", "met")
CITIZENSHIPS: tuple[str, ...] = ("us_citizen", "permanent_resident", "other")
STEP1_KEYS = {"result": True, "attempts": True, "score": False}
STEP2_KEYS = {
    "score": True,
    "attempts": True,
    "test_date": False,
    "planned_date": False,
    "practice_scores": False,
}
STEP3_KEYS = {"result": True, "attempts": False}
PRACTICE_KEYS = {"score": True, "date": False, "form": False}

_MISSING = object()


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    def keys(self, obj: Mapping[str, Any], spec: Mapping[str, bool], prefix: str) -> None:
        for key in obj:
            if key not in spec:
                self.add(f"{prefix}{key}", "Unknown key.")
        for key, required in spec.items():
            if required and key not in obj:
                self.add(f"{prefix}{key}", "This key is required.")

    def integer(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        low: int,
        high: int,
        *,
        nullable: bool = False,
        default: Any = _MISSING,
    ) -> int | None:
        value = obj.get(key, default)
        if value is _MISSING:
            return None  # already reported as missing
        if value is None:
            if nullable:
                return None
            self.add(path, "Must be a whole number, not null.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.add(path, f"Must be a whole number from {low} to {high}.")
                return None
        if not low <= value <= high:
            self.add(path, f"Must be from {low} to {high}; got {value}.")
            return None
        return value

    def number(
        self, obj: Mapping[str, Any], key: str, path: str, low: float, high: float
    ) -> float | None:
        value = obj.get(key, _MISSING)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.add(path, f"Must be a number from {low:g} to {high:g}.")
            return None
        if not low <= value <= high:
            self.add(path, f"Must be from {low:g} to {high:g}; got {value:g}.")
            return None
        return float(value)

    def choice(
        self, obj: Mapping[str, Any], key: str, path: str, choices: Collection[str]
    ) -> str | None:
        value = obj.get(key, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or value not in choices:
            allowed = ", ".join(sorted(choices))
            self.add(path, f"Must be one of: {allowed}; got {value!r}.")
            return None
        return value

    def boolean(self, obj: Mapping[str, Any], key: str, path: str) -> bool | None:
        value = obj.get(key, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, bool):
            self.add(path, "Must be true or false.")
            return None
        return value

    def date(self, obj: Mapping[str, Any], key: str, path: str) -> dt.date | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(path, "Must be a date written YYYY-MM-DD, or null.")
            return None
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            self.add(path, f"Must be a real date written YYYY-MM-DD; got {value!r}.")
            return None
        if len(value) != 10:
            self.add(path, f"Must be a date written YYYY-MM-DD; got {value!r}.")
            return None
        return parsed

    def mapping(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, Mapping):
            self.add(path, "Must be an object.")
            return None
        return value

    def code_list(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        allowed: Collection[str],
        *,
        max_items: int,
        what: str,
    ) -> tuple[str, ...]:
        value = data.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list):
            self.add(path, f"Must be a list of {what}.")
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or item not in allowed:
                self.add(f"{path}[{index}]", f"Unknown {what[:-1]} {item!r}.")
            elif item in out:
                self.add(f"{path}[{index}]", f"{item} is listed twice.")
            else:
                out.append(item)
        if len(value) > max_items:
            self.add(path, f"At most {max_items} {what}.")
        return tuple(out)


def parse_profile(
    data: Any,
    *,
    specialty_codes: Collection[str] | None = None,
    today: dt.date | None = None,
) -> Profile:
    """Validate ``data`` (the documented JSON object) and return a :class:`Profile`.

    Every invalid field is reported at once: :class:`ProfileError` ``.errors`` maps field paths
    (``step2ck.score``, ``preferred_states[1]``) to messages.
    """
    today = today or dt.date.today()
    codes = frozenset(specialty_codes) if specialty_codes is not None else DEFAULT_SPECIALTY_CODES
    c = _Collector()
    if not isinstance(data, Mapping):
        raise ProfileError({"(profile)": "The profile must be a JSON object."})
    spec = dict.fromkeys(TOP_KEYS_REQUIRED, True) | dict.fromkeys(TOP_KEYS_OPTIONAL, False)
    c.keys(data, spec, "")

    specialty = c.choice(data, "specialty", "specialty", codes)
    backups = c.code_list(
        data,
        "backup_specialties",
        "backup_specialties",
        codes,
        max_items=MAX_BACKUPS,
        what="specialty codes",
    )
    if specialty is not None and specialty in backups:
        c.add("backup_specialties", f"{specialty} is already the primary specialty.")
    visa = c.choice(data, "visa", "visa", VISAS)

    application_year = c.integer(
        data,
        "application_year",
        "application_year",
        today.year - APPLICATION_YEARS_BACK,
        today.year + APPLICATION_YEARS_AHEAD,
    )
    graduation_year = c.integer(
        data,
        "graduation_year",
        "graduation_year",
        EARLIEST_GRADUATION_YEAR,
        today.year + GRADUATION_YEARS_AHEAD,
    )
    if (
        graduation_year is not None
        and application_year is not None
        and graduation_year > application_year + 1
    ):
        # Final-year students apply the autumn before they graduate, never earlier.
        c.add(
            "graduation_year",
            f"Must be at most one year after the application year ({application_year + 1}).",
        )

    step1 = _parse_step1(c, data)
    step2ck = _parse_step2ck(c, data, today)
    step3 = _parse_step3(c, data)

    ecfmg_certified = c.boolean(data, "ecfmg_certified", "ecfmg_certified")
    oet_passed = None
    if data.get("oet_passed") is not None:
        oet_passed = c.boolean(data, "oet_passed", "oet_passed")
    if ecfmg_certified and step1 is not None and step1.result != "pass":
        c.add("ecfmg_certified", "ECFMG certification needs Step 1 passed.")

    usce = c.number(data, "usce_months", "usce_months", 0, 120)
    usce_specialty = c.number(data, "usce_in_specialty_months", "usce_in_specialty_months", 0, 120)
    if usce is not None and usce_specialty is not None and usce_specialty > usce:
        c.add("usce_in_specialty_months", "Cannot be more than usce_months.")
    letters = c.integer(data, "us_letters", "us_letters", 0, 20)
    sloes = c.integer(data, "sloes", "sloes", 0, 10)
    publications = c.integer(data, "publications", "publications", 0, 500)
    presentations = c.integer(data, "presentations", "presentations", 0, 500)
    experience = c.number(data, "specialty_experience_years", "specialty_experience_years", 0, 50)
    states = c.code_list(
        data,
        "preferred_states",
        "preferred_states",
        STATE_CODES,
        max_items=len(STATE_CODES),
        what="state codes",
    )
    types = c.code_list(
        data,
        "program_types",
        "program_types",
        PROGRAM_TYPES,
        max_items=len(PROGRAM_TYPES),
        what="program types",
    )
    budget = c.integer(data, "budget_usd", "budget_usd", 0, 1_000_000, nullable=True, default=None)
    pathway = None
    if data.get("pathway") is not None:
        pathway = c.choice(data, "pathway", "pathway", PATHWAY_STATUSES)
    observership = 0.0
    if data.get("observership_months") is not None:
        observership = c.number(data, "observership_months", "observership_months", 0, 120) or 0.0
    citizenship = None
    if data.get("citizenship") is not None:
        citizenship = c.choice(data, "citizenship", "citizenship", CITIZENSHIPS)

    if c.errors:
        raise ProfileError(c.errors)
    # With no errors collected, every required value above is present (not None).
    return Profile(  # type: ignore[arg-type]
        specialty=specialty,
        backup_specialties=backups,
        visa=visa,
        graduation_year=graduation_year,
        application_year=application_year,
        step1=step1,
        step2ck=step2ck,
        step3=step3,
        ecfmg_certified=ecfmg_certified,
        oet_passed=oet_passed,
        usce_months=usce or 0.0,
        usce_in_specialty_months=usce_specialty or 0.0,
        us_letters=letters or 0,
        sloes=sloes or 0,
        publications=publications or 0,
        presentations=presentations or 0,
        specialty_experience_years=experience or 0.0,
        preferred_states=states,
        program_types=types,
        budget_usd=budget,
        pathway=pathway,
        observership_months=observership,
        citizenship=citizenship,
    )


def _parse_step1(c: _Collector, data: Mapping[str, Any]) -> Step1 | None:
    obj = c.mapping(data, "step1", "step1")
    if obj is None:
        return None
    before = len(c.errors)
    c.keys(obj, STEP1_KEYS, "step1.")
    result = c.choice(obj, "result", "step1.result", EXAM_RESULTS)
    attempts = c.integer(obj, "attempts", "step1.attempts", MIN_ATTEMPTS, MAX_ATTEMPTS)
    score = c.integer(
        obj, "score", "step1.score", MIN_SCORE, MAX_SCORE, nullable=True, default=None
    )
    if result == "not_taken" and attempts is not None and attempts > 1:
        c.add("step1.attempts", "A Step not yet passed after attempts has result 'fail'.")
    if result == "not_taken" and score is not None:
        c.add("step1.score", "A Step not taken has no score.")
    if len(c.errors) > before or result is None or attempts is None:
        return None
    return Step1(result=result, attempts=attempts, score=score)


def _parse_step2ck(c: _Collector, data: Mapping[str, Any], today: dt.date) -> Step2CK | None:
    obj = c.mapping(data, "step2ck", "step2ck")
    if obj is None:
        return None
    before = len(c.errors)
    c.keys(obj, STEP2_KEYS, "step2ck.")
    score = c.integer(obj, "score", "step2ck.score", MIN_SCORE, MAX_SCORE, nullable=True)
    attempts = c.integer(obj, "attempts", "step2ck.attempts", MIN_ATTEMPTS, MAX_ATTEMPTS)
    test_date = c.date(obj, "test_date", "step2ck.test_date")
    planned_date = c.date(obj, "planned_date", "step2ck.planned_date")
    if obj.get("score") is not None and "step2ck.score" not in c.errors:
        if obj.get("test_date") is None:
            c.add("step2ck.test_date", "Required with a score: the passing standard depends on it.")
        elif test_date is not None and test_date > today:
            c.add("step2ck.test_date", "A test date with a score cannot be in the future.")
    practice: list[PracticeScore] = []
    raw = obj.get("practice_scores", [])
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        c.add("step2ck.practice_scores", "Must be a list of scores or {score, date} objects.")
    else:
        if len(raw) > MAX_PRACTICE_SCORES:
            c.add("step2ck.practice_scores", f"At most {MAX_PRACTICE_SCORES} practice scores.")
        for index, item in enumerate(raw[:MAX_PRACTICE_SCORES]):
            path = f"step2ck.practice_scores[{index}]"
            if isinstance(item, Mapping):
                c.keys(item, PRACTICE_KEYS, f"{path}.")
                value = c.integer(item, "score", f"{path}.score", MIN_SCORE, MAX_SCORE)
                when = c.date(item, "date", f"{path}.date")
                if when is not None and when > today:
                    c.add(f"{path}.date", "A practice test date cannot be in the future.")
                form = item.get("form") or ""
                if not isinstance(form, str) or len(form) > 60:
                    c.add(f"{path}.form", "Must be a short text (60 characters at most).")
                    form = ""
                if value is not None:
                    practice.append(PracticeScore(score=value, date=when, form=form))
            else:
                value = c.integer({"s": item}, "s", path, MIN_SCORE, MAX_SCORE)
                if value is not None:
                    practice.append(PracticeScore(score=value))
    if len(c.errors) > before or attempts is None:
        return None
    return Step2CK(
        score=score,
        attempts=attempts,
        test_date=test_date,
        planned_date=planned_date,
        practice_scores=tuple(practice),
    )


def _parse_step3(c: _Collector, data: Mapping[str, Any]) -> Step3 | None:
    obj = c.mapping(data, "step3", "step3")
    if obj is None:
        return None
    before = len(c.errors)
    c.keys(obj, STEP3_KEYS, "step3.")
    result = c.choice(obj, "result", "step3.result", EXAM_RESULTS)
    attempts = c.integer(obj, "attempts", "step3.attempts", MIN_ATTEMPTS, MAX_ATTEMPTS, default=1)
    if result == "not_taken" and attempts is not None and attempts > 1:
        c.add("step3.attempts", "A Step not yet passed after attempts has result 'fail'.")
    if len(c.errors) > before or result is None or attempts is None:
        return None
    return Step3(result=result, attempts=attempts)


# --- back to JSON -------------------------------------------------------------------------


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """The canonical JSON form: ``parse_profile(profile_to_dict(p)) == p``."""
    s2 = profile.step2ck
    out: dict[str, Any] = {
        "specialty": profile.specialty,
        "backup_specialties": list(profile.backup_specialties),
        "visa": profile.visa,
        "graduation_year": profile.graduation_year,
        "application_year": profile.application_year,
        "step1": {
            "result": profile.step1.result,
            "attempts": profile.step1.attempts,
            "score": profile.step1.score,
        },
        "step2ck": {
            "score": s2.score,
            "attempts": s2.attempts,
            "test_date": _iso(s2.test_date),
            "planned_date": _iso(s2.planned_date),
            "practice_scores": [
                {"score": p.score, "date": _iso(p.date), **({"form": p.form} if p.form else {})}
                for p in s2.practice_scores
            ],
        },
        "step3": {"result": profile.step3.result, "attempts": profile.step3.attempts},
        "ecfmg_certified": profile.ecfmg_certified,
        "usce_months": _num(profile.usce_months),
        "usce_in_specialty_months": _num(profile.usce_in_specialty_months),
        "us_letters": profile.us_letters,
        "sloes": profile.sloes,
        "publications": profile.publications,
        "presentations": profile.presentations,
        "specialty_experience_years": _num(profile.specialty_experience_years),
        "preferred_states": list(profile.preferred_states),
        "program_types": list(profile.program_types),
        "budget_usd": profile.budget_usd,
    }
    if profile.oet_passed is not None:
        out["oet_passed"] = profile.oet_passed
    if profile.pathway is not None:
        out["pathway"] = profile.pathway
    if profile.observership_months:
        out["observership_months"] = _num(profile.observership_months)
    if profile.citizenship is not None:
        out["citizenship"] = profile.citizenship
    return out
