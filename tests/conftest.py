from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import override_settings


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
def _fast_password_hashing() -> Iterator[None]:
    # The real hasher costs ~0.3 s per login; tests check behaviour, not hash strength.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    # The demo-notice flag and other small caches must not leak between tests.
    cache.clear()
    yield
    cache.clear()
