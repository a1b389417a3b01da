from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

# Property tests keep no example database (.hypothesis/) in the working tree; the fuzz
# tests are derandomized instead (tests/fuzz/strategies.py). What Hypothesis still caches
# (the constants it collects from the code, Unicode tables) goes to the temporary directory.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "matchplan-hypothesis")
)
hypothesis_settings.register_profile("matchplan", database=None)
hypothesis_settings.load_profile("matchplan")


@pytest.fixture(scope="session", autouse=True)
def _require_postgres() -> None:
    # CI sets REQUIRE_POSTGRES=1: a suite that silently fell back to SQLite (DATABASE_URL
    # lost on the way) must fail, not pass on the wrong database.
    if os.environ.get("REQUIRE_POSTGRES") != "1":
        return
    from django.db import connection

    vendor = connection.vendor  # from the settings; needs no query
    name = connection.settings_dict["NAME"]
    if vendor != "postgresql":
        pytest.exit(
            f"REQUIRE_POSTGRES=1 but the tests ran on {vendor} ({name}); "
            "set DATABASE_URL=postgres://... ",
            returncode=3,
        )


@pytest.fixture(scope="session", autouse=True)
def _require_redis() -> None:
    # CI sets REQUIRE_REDIS=1: the suite must run against the shared cache production uses
    # (sessions, counts and fragments in Redis), not fall back to local memory.
    if os.environ.get("REQUIRE_REDIS") != "1":
        return
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("RedisCache"):
        pytest.exit(
            f"REQUIRE_REDIS=1 but the cache is {backend}; set REDIS_URL=redis://...",
            returncode=3,
        )
    try:
        cache.set("matchplan:ci-probe", 1, 5)
    except Exception as exc:  # any failure to reach Redis stops the run
        pytest.exit(f"REQUIRE_REDIS=1 but Redis is unreachable: {exc}", returncode=3)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # The real hasher costs ~0.3 s per login; tests check behaviour, not hash strength.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    # Cached counts, fragments, sessions and flags must not leak between tests. With
    # REDIS_URL set this empties that Redis database: give the tests a database number of
    # their own (CI uses /15).
    cache.clear()
    yield
    cache.clear()
