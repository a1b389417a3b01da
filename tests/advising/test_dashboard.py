from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Plan
from tests.advising.conftest import World, client_for
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    CommentFactory,
    PlanFactory,
    ReviewFactory,
    ShareFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD_QUERY_BUDGET = 10


def _dashboard(client: Any, htmx: bool = False, **params: Any) -> Any:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.get(reverse("advising:dashboard"), params, **headers)


def _names(response: Any) -> list[str]:
    """Applicant names in the rendered rows (partials do not expose a test context)."""
    return re.findall(
        r'<th scope="row"[^>]*>\s*<span class="d-block">([^<]+)</span>', response.content.decode()
    )


def _age(plan: Plan, days: int) -> Plan:
    Plan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return plan


def test_dashboard_lists_assigned_and_sharing_applicants_with_their_latest_plan(
    world: World,
) -> None:
    advisor = AdvisorFactory()
    assigned = UserFactory(full_name="Ines Assigned")
    sharer = UserFactory(full_name="Omar Sharer")
    AssignmentFactory(advisor=advisor, applicant=assigned)
    ShareFactory(applicant=sharer, advisor=advisor)
    _age(PlanFactory(owner=assigned, specialty_code="EM", tier="risk", red_flag_count=4), 10)
    latest = PlanFactory(owner=assigned, specialty_code="FM", tier="strong", red_flag_count=1)
    ReviewFactory(plan=latest, status="needs_changes")

    response = _dashboard(client_for(advisor))

    html = response.content.decode()
    rows = list(response.context["page"].object_list)
    assert [r.full_name for r in rows] == ["Ines Assigned", "Omar Sharer"]
    ines = rows[0]
    assert (ines.latest_plan_id, ines.latest_specialty, ines.latest_tier) == (
        latest.pk,
        "FM",
        "strong",
    )
    assert ines.latest_red_flags == 1 and ines.plan_count == 2
    assert ines.review_status == "needs_changes"
    assert "Family Medicine" in html and "Strong" in html and "Needs changes" in html
    assert reverse("advising:plan_review", args=[latest.pk]) in html
    assert "No saved plan yet." in html  # Omar
    assert "Amal Applicant" not in html  # another advisor's applicant


def test_an_invited_but_not_accepted_share_grants_nothing(world: World) -> None:
    advisor = AdvisorFactory()
    ShareFactory(applicant=UserFactory(full_name="Pending Pat"), advisor=advisor, accepted_at=None)

    html = _dashboard(client_for(advisor)).content.decode()

    assert "Pending Pat" not in html
    assert "No applicants yet." in html


@pytest.fixture
def caseload(db: Any) -> Any:
    advisor = AdvisorFactory()
    people = {
        "strong_em": ("Zara Strong", "EM", "strong", "reviewed"),
        "risk_em": ("Yusuf Risk", "EM", "risk", "needs_changes"),
        "viable_im": ("Xena Viable", "IM", "viable", None),
    }
    for name, specialty, tier, status in people.values():
        applicant = UserFactory(full_name=name, email=f"{name.split()[0].lower()}@mail.test")
        AssignmentFactory(advisor=advisor, applicant=applicant)
        plan = PlanFactory(owner=applicant, specialty_code=specialty, tier=tier)
        if status:
            ReviewFactory(plan=plan, status=status)
    AssignmentFactory(advisor=advisor, applicant=UserFactory(full_name="Wen Noplan"))
    return advisor


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Zara Strong", "Yusuf Risk", "Xena Viable", "Wen Noplan"}),
        ({"tier": "risk"}, {"Yusuf Risk"}),
        ({"specialty": "EM"}, {"Zara Strong", "Yusuf Risk"}),
        ({"specialty": "EM", "tier": "strong"}, {"Zara Strong"}),
        ({"status": "reviewed"}, {"Zara Strong"}),
        ({"status": "needs_changes"}, {"Yusuf Risk"}),
        ({"status": "not_reviewed"}, {"Xena Viable"}),
        ({"status": "no_plan"}, {"Wen Noplan"}),
        ({"q": "xena"}, {"Xena Viable"}),
        ({"q": "yusuf@mail"}, {"Yusuf Risk"}),
        ({"q": "nobody-matches"}, set()),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_dashboard_filters_and_search(
    caseload: Any, params: dict, expected: set, htmx: bool
) -> None:
    response = _dashboard(client_for(caseload), htmx=htmx, **params)

    assert response.status_code == 200
    assert set(_names(response)) == expected
    html = response.content.decode()
    assert ("<html" in html) is not htmx
    assert ('id="dashboard-filters"' in html) is not htmx
    if not expected:
        assert "No applicant matches these filters." in html


def test_invalid_filter_values_show_an_error_and_keep_the_valid_filters(caseload: Any) -> None:
    response = _dashboard(client_for(caseload), tier="legendary", specialty="EM")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert set(_names(response)) == {"Zara Strong", "Yusuf Risk"}


def test_the_filter_form_works_without_javascript_and_is_enhanced_with_htmx(caseload: Any) -> None:
    html = _dashboard(client_for(caseload)).content.decode()

    assert 'method="get"' in html
    assert f'action="{reverse("advising:dashboard")}"' in html
    assert 'hx-get="/advising/"' in html and 'hx-push-url="true"' in html
    assert 'id="results"' in html


def _make_caseload(advisor: Any, applicants: int, plans_each: int = 2) -> None:
    for i in range(applicants):
        applicant = UserFactory()
        if i % 2:
            AssignmentFactory(advisor=advisor, applicant=applicant)
        else:
            ShareFactory(applicant=applicant, advisor=advisor)
        for _ in range(plans_each):
            plan = PlanFactory(owner=applicant)
            CommentFactory(plan=plan, author=advisor)
            ReviewFactory(plan=plan, reviewer=advisor)


def test_pagination_with_and_without_htmx(db: Any) -> None:
    advisor = AdvisorFactory()
    _make_caseload(advisor, 45, plans_each=1)
    client = client_for(advisor)

    first = _dashboard(client)
    assert len(first.context["page"].object_list) == 20
    assert "45 applicants" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()

    third = _dashboard(client, htmx=True, page=3)
    assert len(_names(third)) == 5
    html = third.content.decode()
    assert "<html" not in html
    assert 'hx-get="?page=2"' in html and 'href="?page=2"' in html
    assert third["Vary"] and "HX-Request" in third["Vary"]

    out_of_range = _dashboard(client, page=99)
    assert out_of_range.context["page"].number == 3


def test_pagination_links_keep_the_filters(db: Any) -> None:
    advisor = AdvisorFactory()
    _make_caseload(advisor, 25, plans_each=1)

    html = _dashboard(client_for(advisor), tier="viable").content.decode()

    assert 'href="?tier=viable&amp;page=2"' in html


def test_history_restore_gets_the_whole_page(caseload: Any) -> None:
    response = client_for(caseload).get(
        reverse("advising:dashboard"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_dashboard_query_count_does_not_grow_with_the_caseload(
    db: Any, htmx: bool, django_assert_max_num_queries: Any
) -> None:
    small, large = AdvisorFactory(), AdvisorFactory()
    _make_caseload(small, 2, plans_each=1)
    _make_caseload(large, 30, plans_each=3)
    counts = []
    for advisor in (small, large):
        client = client_for(advisor)
        _dashboard(client, htmx=htmx)  # warm the session and caches
        with (
            CaptureQueriesContext(connection) as ctx,
            django_assert_max_num_queries(DASHBOARD_QUERY_BUDGET),
        ):
            response = _dashboard(client, htmx=htmx, status="reviewed")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_review_page_query_count_does_not_grow_with_comments(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.advisor_assigned)
    url = reverse("advising:plan_review", args=[world.plan_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(15):
        CommentFactory(plan=world.plan_a, author=AdvisorFactory())
        PlanFactory(owner=world.applicant_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="advising-comment"') == 15
