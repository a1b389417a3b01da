from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_refused_request_gets_the_sites_400_page(client: Client) -> None:
    # Django answers a host name it does not serve with its bad_request handler
    response = client.get("/", HTTP_HOST="not-our-site.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not read this request" in html
    assert 'href="/"' in html
    assert "<h1>Bad Request (400)</h1>" not in html  # Django's bare fallback
