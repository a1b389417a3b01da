"""Pages and files holding an applicant's data are never stored by a browser or proxy
cache: Cache-Control: private, no-store (issue 13)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.advising.conftest import World, client_for, world  # noqa: F401 (fixture)
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.django_db


def _assert_private(response) -> None:
    assert response.status_code in (200, 302), response.status_code
    header = response["Cache-Control"]
    assert "private" in header and "no-store" in header, header


def test_the_applicant_pages_and_files_are_private_and_not_stored() -> None:
    em_programs(2)
    owner = UserFactory()
    plan = make_plan(owner)
    other = make_plan(owner)
    client = Client()
    client.force_login(owner, backend="accounts.backends.ModelBackend")
    for url in (
        reverse("assessments:plan_detail", args=[plan.token]),
        reverse("assessments:plan_csv", args=[plan.token]),
        reverse("assessments:plan_list"),
        reverse("assessments:plan_compare") + f"?a={plan.token}&b={other.token}",
        reverse("assessments:wizard"),
        reverse("assessments:wizard_step", args=["background"]),
        reverse("accounts:home"),
        reverse("accounts:export"),
        reverse("accounts:delete"),
        reverse("advising:sharing"),
    ):
        _assert_private(client.get(url))
    whatif = {"step2ck_score": "240", "visa": "j1", "specialty": "EM"}
    _assert_private(client.post(reverse("assessments:plan_whatif", args=[plan.token]), whatif))


def test_an_anonymous_wizard_and_plan_are_private_too() -> None:
    em_programs(2)
    client = Client()
    _assert_private(client.get(reverse("assessments:wizard_step", args=["background"])))


def test_the_advisor_pages_are_private_and_not_stored(world: World) -> None:  # noqa: F811
    client = client_for(world.advisor_assigned)
    for url in (
        reverse("advising:dashboard"),
        reverse("advising:plan_review", args=[world.plan_a.pk]),
    ):
        _assert_private(client.get(url))
    _assert_private(
        client.post(reverse("advising:plan_status", args=[world.plan_a.pk]), {"status": "x"})
    )


def test_an_edited_template_clears_the_local_memory_cache_under_debug(settings) -> None:
    from pathlib import Path

    from django.core.cache import cache
    from django.utils.autoreload import file_changed

    # ready() connected it: the suite runs with DEBUG=1 (Makefile, .ci/run).
    assert any(key[0] == "core.template_edited" for key, *_rest in file_changed.receivers)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    cache.set("template.cache.some_fragment", "old markup")
    file_changed.send(sender=None, file_path=Path("/work/app/static/app.css"))
    assert cache.get("template.cache.some_fragment") == "old markup"

    file_changed.send(sender=None, file_path=Path("/work/app/templates/base.html"))

    assert cache.get("template.cache.some_fragment") is None
