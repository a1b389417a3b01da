"""The layout's links come from core.context_processors.navigation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.context_processors import NAV_URLS


@pytest.mark.django_db
def test_anonymous_layout_links_every_public_page(client) -> None:
    html = client.get(reverse("assessments:methodology")).content.decode()
    for name in ("assessments:home", "assessments:wizard", "programs:list", "accounts:login"):
        assert f'href="{reverse(name)}"' in html
    assert f'href="{reverse("accounts:signup")}"' in html
    assert f'href="{reverse("assessments:plan_list")}"' not in html


@pytest.mark.django_db
def test_signed_in_layout_links_plans_account_and_logout(client, django_user_model) -> None:
    user = django_user_model.objects.create_user(email="nav@example.com", password="pw-12345678!")
    client.force_login(user)
    html = client.get(reverse("assessments:methodology")).content.decode()
    assert f'href="{reverse("assessments:plan_list")}"' in html
    assert f'href="{reverse("accounts:home")}"' in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert f'href="{reverse("advising:dashboard")}"' not in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_every_layout_link_name_reverses() -> None:
    for name in NAV_URLS.values():
        assert reverse(name).startswith("/")
