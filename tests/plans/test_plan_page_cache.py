"""The plan page renders what every viewer sees alike once per plan and caches it; what belongs
to the viewer (navigation, CSRF token, what-if form, advisor feedback) renders per request."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ADVISORS_GROUP
from advising.models import PlanReview, ReviewStatus
from assessments.drafts import SESSION_PLAN_TOKENS_KEY
from assessments.models import Plan
from assessments.plans.view import plan_view_cache_clear
from programs.models import Specialty
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    CommentFactory,
    UserFactory,
    em_programs,
    make_plan,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
CSRF = re.compile(r'csrfmiddlewaretoken" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def url(plan) -> str:
    return reverse("assessments:plan_detail", args=[plan.token])


@pytest.fixture
def plan(owner):
    em_programs(3)
    return make_plan(owner)


def owner_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def queries(client: Client, path: str, **extra) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path, **extra).status_code == 200
    return [q["sql"] for q in context.captured_queries]


def test_a_comment_added_after_the_page_was_cached_shows_on_the_next_request(owner, plan):
    client = owner_client(owner)
    assert "No comments yet." in client.get(url(plan)).content.decode()

    CommentFactory(plan=plan, body="Add a family medicine backup.")
    html = client.get(url(plan)).content.decode()

    assert "Add a family medicine backup." in html
    assert "No comments yet." not in html


def test_a_review_added_after_the_page_was_cached_shows_on_the_next_request(owner, plan):
    client = owner_client(owner)
    assert "Not reviewed" in client.get(url(plan)).content.decode()

    PlanReview.objects.create(
        plan=plan, reviewer=AdvisorFactory(full_name="Dr Rivera"), status=ReviewStatus.REVIEWED
    )
    html = client.get(url(plan)).content.decode()

    assert ">Reviewed<" in html and "by Dr Rivera" in html


def test_each_request_has_its_own_csrf_token_and_the_cached_parts_have_none(owner, plan):
    first = owner_client(owner).get(url(plan)).content.decode()
    other_session = owner_client(owner)  # the same owner in another browser
    second = other_session.get(url(plan)).content.decode()

    tokens = {t for match in CSRF.findall(first) for t in match if t}
    assert tokens  # the what-if form and the htmx headers carry one
    assert not any(token in second for token in tokens)
    if hasattr(cache._cache, "values"):  # local memory: its dict of pickled values
        stored = list(cache._cache.values())
    else:  # Redis (REDIS_URL): every value in the test database, pickled
        client = cache._cache.get_client()
        stored = [client.get(key) for key in client.scan_iter()]
    for value in stored:
        text = repr(value)
        assert "csrfmiddlewaretoken" not in text and "X-CSRFToken" not in text
        assert owner.email not in text


def test_an_advisor_reading_the_plan_never_gets_the_owners_controls(owner, plan):
    advisor = AdvisorFactory()
    AssignmentFactory(applicant=owner, advisor=advisor)
    owner_html = owner_client(owner).get(url(plan)).content.decode()
    assert "What if…?" in owner_html and owner.email in owner_html

    client = Client()
    client.force_login(advisor)
    response = client.get(reverse("advising:plan_review", args=[plan.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert "What if…?" not in html and "Recompute" not in html
    navigation = html[html.index('<nav class="navbar') :].split("</nav>", 1)[0]
    assert advisor.email in navigation and owner.email not in navigation
    # And the applicant's page stays the owner's alone.
    assert client.get(url(plan)).status_code == 404


def test_claiming_an_anonymous_plan_drops_the_save_offer_from_the_cached_page(client):
    em_programs(2)
    plan = make_plan(None)
    session = client.session
    session[SESSION_PLAN_TOKENS_KEY] = [str(plan.token)]
    session.save()
    html = client.get(url(plan)).content.decode()
    assert "Save this plan to an account" in html and "My plans</a>" not in html

    user = UserFactory()
    Plan.objects.filter(pk=plan.pk).update(owner=user)
    html = owner_client(user).get(url(plan)).content.decode()

    assert "Save this plan to an account" not in html
    assert "My plans</a></li>" in html and 'href="#advisor-feedback"' in html


def test_the_filtered_page_links_its_csv_to_the_filters(owner, plan):
    client = owner_client(owner)
    plain = client.get(url(plan)).content.decode()
    filtered = client.get(url(plan) + "?fit=reach").content.decode()
    csv = reverse("assessments:plan_csv", args=[plan.token])
    assert f'href="{csv}" download>Download programs (CSV)' in plain
    assert f'href="{csv}?fit=reach" download>Download programs (CSV)' in filtered


def test_a_warm_page_costs_two_queries_whatever_the_programs(owner):
    em_programs(2)
    small = make_plan(owner)
    em_programs(120)
    large = make_plan(owner)
    client = owner_client(owner)
    for plan in (small, large):
        client.get(url(plan))  # renders and caches the parts

    counts = [len(queries(client, url(plan))) for plan in (small, large)]

    assert counts == [2, 2]  # the user with its advisor flag, the plan (session: the cache)


def test_a_warm_page_reads_one_fragment(owner, plan, monkeypatch):
    client = owner_client(owner)
    first = client.get(url(plan)).content.decode()  # renders and caches the parts
    keys: list[str] = []
    backend = type(caches["default"])
    real_get = backend.get

    def get(self, key, *args, **kwargs):
        keys.append(key)
        return real_get(self, key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", get)
    again = client.get(url(plan)).content.decode()

    fragments = sorted(k.split(".")[2] for k in keys if k.startswith("template.cache."))
    # all but the what-if form's CSRF token and the feedback, which are the viewer's own
    assert fragments == ["plan_page"]
    # the title names the specialty from the plan itself (no cache read for it)
    assert f"<title>{plan.specialty_name} ({plan.specialty_code}) plan, " in again
    assert plan.specialty_name == Specialty.objects.get(code=plan.specialty_code).name
    assert CSRF.sub("", again) == CSRF.sub("", first)


def test_the_cached_whatif_form_posts_with_this_viewers_csrf_token(owner, plan):
    """The token is an input after the cached fragment, joined to the form by its form
    attribute: a browser without JavaScript posts it with the form's fields."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get(url(plan))  # caches the page
    html = client.get(url(plan)).content.decode()
    form = re.search(r'<form [^>]*id="whatif-form"[^>]*>', html).group(0)
    token = re.search(
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)" form="whatif-form">',
        html,
    ).group(1)
    action = re.search(r'action="([^"#]+)', form).group(1)

    refused = client.post(action, {"step2ck_score": "250", "visa": "h1b", "specialty": "EM"})
    accepted = client.post(
        action,
        {"step2ck_score": "250", "visa": "h1b", "specialty": "EM", "csrfmiddlewaretoken": token},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert "What-if result" in accepted.content.decode()


def test_comments_and_a_review_cost_one_query_each_only_when_present(owner, plan):
    client = owner_client(owner)
    client.get(url(plan))
    CommentFactory.create_batch(3, plan=plan)
    assert len(queries(client, url(plan))) == 3
    PlanReview.objects.create(plan=plan, reviewer=AdvisorFactory(), status=ReviewStatus.REVIEWED)
    assert len(queries(client, url(plan))) == 4


def test_an_owner_who_is_an_advisor_keeps_the_dashboard_link_without_a_query(owner, plan):
    owner.groups.add(Group.objects.get_or_create(name=ADVISORS_GROUP)[0])
    client = owner_client(owner)
    client.get(url(plan))

    sql = queries(client, url(plan))
    html = client.get(url(plan)).content.decode()

    assert 'title="Advisor dashboard">Advising</a>' in html
    assert len(sql) == 2  # the user (its advisor flag with it) and the plan


def test_the_cold_page_stays_within_budget(owner, plan):
    client = owner_client(owner)
    client.get(reverse("assessments:plan_list"))  # the session and user are warm
    plan_view_cache_clear()
    cache.clear()
    # session, user (with the navigation's advisor flag), the plan, its output and program
    # entries, its snapshot ids and (cold cache) their facts, which listed programs still
    # exist, the what-if specialties
    assert len(queries(client, url(plan))) <= 10


def test_the_table_fragment_is_cached_per_query_and_pages_in_place(owner):
    em_programs(60)
    plan = make_plan(owner)
    client = owner_client(owner)
    first = client.get(url(plan) + "?page=2", **HX).content.decode()
    again = client.get(url(plan) + "?page=2", **HX).content.decode()
    default = client.get(url(plan), **HX).content.decode()

    assert first == again and "<html" not in first
    assert "Showing 51–60 of 60 programs." in first
    assert "Showing 1–50 of 60 programs." in default


def _whatif(
    client: Client, plan, *, htmx: bool = True, target: str = "whatif-outcome", **data: str
) -> HttpResponse:
    """A what-if POST; with htmx, for the element the form names as its target."""
    path = reverse("assessments:plan_whatif", args=[plan.token])
    headers = {**HX, "HTTP_HX_TARGET": target} if htmx else {}
    response = client.post(path, data, **headers)
    assert response.status_code == 200
    return response


def test_a_valid_what_if_with_htmx_swaps_the_outcome_alone(owner, plan):
    data = {"step2ck_score": "250", "visa": "h1b", "specialty": "EM"}
    response = _whatif(owner_client(owner), plan, **data)
    html = response.content.decode()

    # The form in the page keeps what was typed: the answer is the outcome, for its target.
    assert "What-if result" in html and 'id="whatif-result"' in html
    assert "<form" not in html and 'name="step2ck_score"' not in html
    assert "HX-Retarget" not in response
    page = owner_client(owner).get(url(plan)).content.decode()
    assert 'hx-target="#whatif-outcome"' in page and '<div id="whatif-outcome">' in page
    # The benchmark's what-if requests name the same target as the page's form.
    from scripts.bench.endpoints import WHATIF_TARGET

    assert f'hx-target="#{WHATIF_TARGET}"' in page


def test_a_what_if_reads_the_plans_summary_not_its_program_rows(owner, plan):
    from assessments.plans import view

    plan_view_cache_clear()
    data = {"step2ck_score": "250", "visa": "h1b", "specialty": "EM"}
    html = _whatif(owner_client(owner), plan, **data).content.decode()

    # "this plan" figures come from the stored summary: the 3 programs, its applications...
    listed = plan.output["program_counts"]["listed"]
    assert listed == 3
    assert re.search(r"this plan: 3; left out now: \d+", html)
    apps = plan.output["applications"]
    assert f"this plan: {apps['min']}–{apps['max']} EM" in html
    # ...and no page view of the plan was parsed (every program row) or kept in the worker.
    assert str(plan.token) not in view._view_cache


def test_a_form_that_showed_errors_gets_the_whole_panel_back_without_them(owner, plan):
    client = owner_client(owner)
    wrong = _whatif(client, plan, step2ck_score="999", visa="h1b", specialty="EM")
    # The form with errors names the whole panel as its target...
    assert 'hx-target="#whatif"' in wrong.content.decode()

    fixed = _whatif(client, plan, target="whatif", step2ck_score="250", visa="h1b", specialty="EM")
    html = fixed.content.decode()
    # ...so the fix comes back with a clean form as well as the outcome.
    assert fixed["HX-Retarget"] == "#whatif"
    assert "What-if result" in html and 'name="step2ck_score" value="250"' in html
    assert "is-invalid" not in html and 'hx-target="#whatif-outcome"' in html


def test_a_valid_what_if_without_javascript_shows_its_values_exactly_as_submitted(owner, plan):
    from crispy_forms.utils import render_crispy_form

    from assessments.plan_forms import WhatIfForm
    from assessments.plans.queries import whatif_specialty_choices

    client = owner_client(owner)
    for score in ("250", " 251 "):  # the second is shown as typed, not normalised
        data = {"step2ck_score": score, "visa": "h1b", "specialty": "EM"}
        html = _whatif(client, plan, htmx=False, **data).content.decode()
        bound = WhatIfForm(data, specialty_choices=whatif_specialty_choices())
        assert bound.is_valid()
        assert render_crispy_form(bound) in html
        assert f'name="step2ck_score" value="{score}"' in html
        assert '<option value="h1b" selected>' in html
        assert "What-if result" in html


def test_an_invalid_what_if_answers_with_the_form_and_its_errors_for_the_whole_panel(owner, plan):
    response = _whatif(owner_client(owner), plan, step2ck_score="999", visa="h1b", specialty="EM")
    html = response.content.decode()
    assert response["HX-Retarget"] == "#whatif"
    assert 'name="step2ck_score" value="999"' in html and "is-invalid" in html
    assert '<div id="whatif-outcome">' in html  # the next valid what-if has its target
    assert "What-if result" not in html


@pytest.mark.parametrize("first", ["print", "detail"])
def test_the_plan_page_and_its_print_page_never_share_a_fragment(owner, plan, first):
    client = owner_client(owner)
    pages = {
        "print": reverse("assessments:plan_print", args=[plan.token]),
        "detail": url(plan),
    }
    client.get(pages[first])
    detail = client.get(pages["detail"]).content.decode()
    printed = client.get(pages["print"]).content.decode()

    assert detail.count('id="programs-heading"') == 1
    assert detail.count("<section") == detail.count("</section>")
    assert printed.count('id="programs-heading"') <= 1
    assert printed.count("<section") == printed.count("</section>")
