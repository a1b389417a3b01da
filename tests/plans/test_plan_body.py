"""The read-only plan body the advisor's review page includes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.template.loader import render_to_string

from assessments.models import Plan
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.django_db


def test_the_plan_body_is_read_only_and_complete():
    em_programs(2, name="Readonly Program")
    plan = make_plan(UserFactory())
    html = render_to_string(
        "assessments/includes/plan_body.html", {"plan": plan, "output": plan.output}
    )
    assert "<form" not in html
    assert "Save this plan" not in html and "What if" not in html
    assert "Readonly Program" in html
    assert "<svg" in html
    assert "Programs left out" in html
    assert "Engine version" in html


def test_the_plan_body_survives_a_sparse_output():
    plan = Plan.objects.create(
        owner=UserFactory(),
        engine_version="old",
        specialty_code="EM",
        tier="risk",
        profile={},
        output={
            "tier": "risk",
            "red_flags": [{"code": "x", "severity": "major", "message": "A flag."}],
            "applications": {"min": 60, "max": 80, "estimated_cost_usd": 2130},
            "programs": [{"id": 1, "name": "Demo program", "fit": "target", "reasons": []}],
            "excluded": {"visa_not_sponsored": 3},
        },
    )
    html = render_to_string(
        "assessments/includes/plan_body.html", {"plan": plan, "output": plan.output}
    )
    assert "A flag." in html and "Demo program" in html and "$2,130" in html
    assert "Visa not sponsored" in html


def test_a_new_release_draws_the_plan_body_anew(settings):
    """The fragments are keyed by the plan's token; the cache's KEY_PREFIX
    (settings.CACHE_KEY_PREFIX, which holds a digest of the code and templates) sets each
    release's keys apart, so a deploy that changes the parts never serves the old HTML."""

    def release(prefix):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "plan-body-releases",  # one store shared by both releases
                "KEY_PREFIX": prefix,
            }
        }

    em_programs(1)
    plan = make_plan(UserFactory())
    context = {"plan": plan, "output": plan.output}
    key = make_template_fragment_key("plan_summary", [plan.token])
    release("matchplan:aaaa")
    cache.clear()
    render_to_string("assessments/includes/plan_body.html", context)
    assert cache.get(key) is not None

    release("matchplan:bbbb")
    assert cache.get(key) is None  # the old release's fragment is not read
    render_to_string("assessments/includes/plan_body.html", context)
    assert cache.get(key) is not None
