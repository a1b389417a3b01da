from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings

from tests.fuzz import strategies


@pytest.fixture(scope="package", autouse=True)
def _views_face_nul_characters() -> Iterator[None]:
    """The fuzz tests send NUL characters on purpose. In the site a middleware answers
    those requests with 400 before any view runs (tests/infra/test_nul_bytes.py); here it
    is left out, so the views are still shown to cope with them on their own. Per-client
    rate limits are off too: hundreds of examples from one client are not a flood."""
    middleware = [m for m in settings.MIDDLEWARE if m != "core.middleware.RejectNulMiddleware"]
    # The shared request handler loads the middleware once: load it again, here and after.
    strategies._handler.cache_clear()
    with override_settings(MIDDLEWARE=middleware, RATE_LIMITS_ENABLED=False):
        yield
    strategies._handler.cache_clear()
