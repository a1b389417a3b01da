"""The plan page shows the catalog's coverage, the few-targets note and the programs left
out with the age of the fact behind each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import em_programs, make_plan

pytestmark = pytest.mark.django_db


def test_left_out_programs_show_their_reason_and_how_old_the_fact_is(client, owner):
    today = timezone.localdate()
    em_programs(3)
    em_programs(1, name="Fictional Army EM", program_type="military", affiliation="military")
    em_programs(
        1,
        name="Fictional Closed EM",
        accepting_applications="no",
        accepting_season=today.year,
        last_verified=today - dt.timedelta(days=500),
    )
    plan = make_plan(owner)
    client.force_login(owner)

    html = client.get(reverse("assessments:plan_detail", args=[plan.token])).content.decode()

    assert "Military program (needs US citizenship)" in html
    assert "Not accepting applications in your season" in html
    closed = html[html.index("Fictional Closed EM") :]
    assert f"Not accepting applications for the {today.year} season" in closed
    assert "Stale: verify" in closed[: closed.index("</tr>")]
    army = html[html.index("Fictional Army EM") :]
    assert "Stale: verify" not in army[: army.index("</tr>")]
    assert "Catalog: EM programs last updated" in html
    assert "0 of 5 do not state visa sponsorship" in html


def test_a_high_risk_plan_explains_its_few_targets(client, owner):
    em_programs(12, step2_typical=None, img_share=30)
    plan = make_plan(
        owner,
        graduation_year=timezone.localdate().year - 12,
        usce_months=0,
        usce_in_specialty_months=0,
        us_letters=0,
        sloes=0,
        step2ck__score=224,
    )
    client.force_login(owner)

    html = client.get(reverse("assessments:plan_detail", args=[plan.token])).content.decode()

    assert "Few realistic programs." in html
    assert "rarely interview applicants with this profile" in html
