from __future__ import annotations

from typing import Any

import pytest

from tests.advising.conftest import world  # noqa: F401  (the roles of the access matrix)
from tests.factories import install_signals


@pytest.fixture(autouse=True)
def _signals(db: Any) -> None:
    install_signals()
