from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import step_post_data


def step_url(name: str) -> str:
    return reverse("assessments:wizard_step", args=[name])


@pytest.fixture
def walk():
    """walk(client, upto="goals") posts valid answers for every step up to and including `upto`."""

    def run(client: Client, upto: str = "goals", **overrides_by_step: dict) -> None:
        for name in ("background", "exams", "experience", "goals"):
            data = step_post_data(name, **overrides_by_step.get(name, {}))
            response = client.post(step_url(name), data)
            assert response.status_code == 302, response.content.decode()[:3000]
            if name == upto:
                return

    return run
