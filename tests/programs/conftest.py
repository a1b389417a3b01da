from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def staff_user(db: Any) -> Any:
    return UserFactory(email="catalog-admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff_user: Any) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client
