from __future__ import annotations

import pytest

from assessments.plans.view import plan_view_cache_clear
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_plan_views():
    # Parsed plan views are cached per process by token; tests that count queries or edit
    # snapshots on purpose must start cold.
    plan_view_cache_clear()
    yield
    plan_view_cache_clear()


@pytest.fixture
def owner():
    """The account that owns the plan under test."""
    return UserFactory()
