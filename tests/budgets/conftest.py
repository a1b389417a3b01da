"""Query budgets: count the queries of one page request on the cold path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.plans.view import plan_view_cache_clear


def cold_queries(client: Client, url: str, **extra: Any) -> list[str]:
    """The SQL of one GET of `url`, with every cache emptied first: pages that cache rendered
    fragments or parsed plans must stay within budget when the cache is cold."""
    cache.clear()
    plan_view_cache_clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in context.captured_queries]


@pytest.fixture
def count_queries() -> Callable[..., int]:
    def run(client: Client, url: str, **extra: Any) -> int:
        return len(cold_queries(client, url, **extra))

    return run


@pytest.fixture(autouse=True)
def _cold_plan_views():
    plan_view_cache_clear()
    yield
    plan_view_cache_clear()
