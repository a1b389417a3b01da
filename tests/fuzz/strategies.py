"""Hypothesis strategies for hostile input, and the helpers every fuzz test shares.

Each form field is posted either missing, with a plausible value (so that examples reach the
cross-field rules and the save), or with something hostile: unicode and control characters
(NUL included), very long strings, numbers far out of range or in odd notations, several
values for one field, JSON where a number belongs.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Reproducible in CI (derandomize), no example database in the working tree, and a
# function-scoped fixture (db, a user) is fine: every example rolls its writes back.
# FUZZ_EXAMPLES=1000 runs a deeper search locally (random, not derandomized).
_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXAMPLES or 30,
    derandomize=not _EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_FEW = settings(FUZZ, max_examples=_EXAMPLES or 15)

MISSING = object()

ODD_WORDS = [
    "",
    " ",
    "\x00",
    "abc\x00def",
    "0",
    "-1",
    "-0",
    "1.5",
    "1,5",
    "1e3",
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "0x1F",
    "1_000",
    "٢٥٠",  # Arabic-Indic digits: Python's int() accepts them
    "²",
    "9" * 40,
    "-" + "9" * 40,
    "18446744073709551616",
    "2147483648",
    "true",
    "null",
    "None",
    "[]",
    "{}",
    '{"a": [1, 2]}',
    "[1, 2, 3]",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "31/12/2024",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../../etc/passwd",
    '=HYPERLINK("http://x")',
    "\u202eevil",
    "\ud7ff\ue000\uffff",
    "😀" * 3,
    "a" * 300,
]

# PostgreSQL's jsonb cannot hold \u0000: a stored draft or plan never contains it.
json_text = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=12
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    json_text,
)
# Nested JSON values, as a tampered or old-version draft may hold.
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(json_text, children, max_size=4),
    ),
    max_leaves=8,
)

numbers_as_text = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
long_text = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["a", "é", "\x00", "9", "😀", " ", "<"]),
    st.integers(min_value=1_000, max_value=8_000),  # past every max_length, 5,000 included
)

hostile_text = st.one_of(
    st.sampled_from(ODD_WORDS),
    st.text(max_size=30),
    numbers_as_text,
    long_text,
    json_values.map(json.dumps),
)

# For URL paths: web servers refuse very long request lines long before Django sees them.
short_text = st.one_of(
    st.sampled_from([w for w in ODD_WORDS if len(w) < 100]),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def field_value(valid: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """One POST/GET field: missing, a plausible value, a hostile one, or several values."""
    options = [
        st.just(MISSING),
        hostile_text,
        st.lists(hostile_text, min_size=2, max_size=3),
    ]
    if valid is not None:
        options.insert(0, valid)
        options.insert(0, valid)  # twice: half the fields stay plausible
    return st.one_of(*options)


def form_data(
    fields: Mapping[str, st.SearchStrategy[Any] | None], *, extra: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """A form submission: each named field drawn with field_value(); perhaps unknown keys."""
    base = st.fixed_dictionaries({name: field_value(valid) for name, valid in fields.items()})
    junk = (
        st.dictionaries(st.text(min_size=1, max_size=10), hostile_text, max_size=2)
        if extra
        else st.just({})
    )
    return st.builds(_merge, base, junk)


def _merge(base: dict[str, Any], junk: dict[str, Any]) -> dict[str, Any]:
    data = {key: value for key, value in junk.items() if key not in base}
    data.update({key: value for key, value in base.items() if value is not MISSING})
    return data


def one_of_valid(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example inside a savepoint that is always rolled back, so examples do not
    see each other's users, drafts or sessions."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@functools.cache
def _handler() -> ClientHandler:
    return ClientHandler(enforce_csrf_checks=False)  # as Client() makes it


def new_client() -> Client:
    """A test client that shares one request handler with the others.

    Each new handler loads the middleware again, and WhiteNoise's scans the static files
    then (about 0.1 s): with a new client per example that would be most of the run time.
    """
    client = Client()
    client.handler = _handler()
    return client


def logged_in(user: Any) -> Client:
    client = new_client()
    client.force_login(user, backend="accounts.backends.ModelBackend")
    return client


def assert_not_500(response: Any, *allowed: int) -> None:
    assert response.status_code < 500, (
        response.status_code,
        response.content.decode(errors="replace")[:2000],
    )
    if allowed:
        assert response.status_code in allowed, response.status_code


def form_errors(response: Any, name: str = "form") -> dict[str, Any]:
    """The errors of the form the response rendered (empty if it rendered none)."""
    context = response.context
    if context is None:
        return {}
    form = context.get(name) if hasattr(context, "get") else None
    if form is None:
        return {}
    return dict(form.errors)


def posted(data: Mapping[str, Any], key: str) -> Any:
    """The value a view reads for `key` (QueryDict.get takes the last of several)."""
    value = data.get(key)
    if isinstance(value, list):
        return value[-1] if value else None
    return value
