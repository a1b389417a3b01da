"""accounts.hooks: the extension points other apps register into (accounts imports none)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from accounts import hooks
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def restore_hooks() -> Iterator[None]:
    redirects, sections = dict(hooks._login_redirects), dict(hooks._account_sections)
    yield
    hooks._login_redirects.clear()
    hooks._login_redirects.update(redirects)
    hooks._account_sections.clear()
    hooks._account_sections.update(sections)


def test_a_registered_login_redirect_goes_first_and_passes_on_the_destination(
    client, restore_hooks
):
    UserFactory(email="hooked@example.org")
    hooks.register_login_redirect("test", lambda request, url: f"/welcome/?next={url}")
    response = client.post(
        reverse("accounts:login"), {"username": "hooked@example.org", "password": PASSWORD}
    )
    assert response["Location"] == f"/welcome/?next={reverse('assessments:plan_list')}"


def test_a_login_redirect_that_answers_none_leaves_the_destination(client, restore_hooks):
    UserFactory(email="plain@example.org")
    hooks.register_login_redirect("test", lambda request, url: None)
    response = client.post(
        reverse("accounts:login"), {"username": "plain@example.org", "password": PASSWORD}
    )
    assert response["Location"] == reverse("assessments:plan_list")


def test_assessments_registers_its_account_section(client):
    client.force_login(UserFactory())
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Your self-assessment and plans" in html
    assert "You have not started a self-assessment yet." in html
    assert "You have no saved plans yet." in html


def test_account_sections_merge_their_context_in_registration_order(rf, restore_hooks):
    hooks._account_sections.clear()
    hooks.register_account_section("a", template_name="a.html", context=lambda r: {"x": 1})
    hooks.register_account_section("b", template_name="b.html", context=lambda r: {"y": 2})
    hooks.register_account_section("a", template_name="a2.html", context=lambda r: {"x": 3})
    assert hooks.account_sections(rf.get("/")) == (["a2.html", "b.html"], {"x": 3, "y": 2})
