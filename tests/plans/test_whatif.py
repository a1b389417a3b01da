"""The what-if panel: recomputed in place, never saved, bad input shown as field errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.drafts import SESSION_PLAN_TOKENS_KEY
from assessments.models import AssessmentDraft, Plan
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(owner):
    em_programs(3)
    return make_plan(owner)


def whatif_url(plan) -> str:
    return reverse("assessments:plan_whatif", args=[plan.token])


def post(client, plan, htmx=False, **data):
    payload = {"step2ck_score": "238", "visa": "j1", "specialty": "EM"} | data
    return client.post(whatif_url(plan), payload, **(HX if htmx else {}))


def test_the_plan_page_has_the_what_if_form(client, owner, plan):
    client.force_login(owner)
    html = client.get(reverse("assessments:plan_detail", args=[plan.token])).content.decode()
    assert f'hx-post="{whatif_url(plan)}"' in html
    assert f'action="{whatif_url(plan)}#what-if"' in html
    assert "Step 2 CK score" in html and "Visa need" in html and "Primary specialty" in html
    assert 'value="238"' in html
    assert "today's rules and programs" in html


def test_with_htmx_it_returns_the_recomputed_panel_and_saves_nothing(client, owner, plan):
    draft = AssessmentDraft.objects.create(owner=owner, answers={"specialty": "EM"})
    client.force_login(owner)

    response = post(client, plan, htmx=True, step2ck_score="250")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "What-if result" in html
    assert "tier-strong" in html and ">Strong<" in html  # 250 is strong in EM
    assert "Better" in html
    assert "computed with today's rules and programs" in html
    # Both costs name the fee schedules they were priced with: season and source.
    for lead in (
        "What-if cost, with today's fees.",
        "This plan's cost, with the fees of its day.",
    ):
        line = html.split(lead, 1)[1].split("</p>", 1)[0]
        assert ">ResidencyCAS fees</a> of the 2026 season (RAMS ResidencyCAS Information" in line
        assert "NRMP fees: Match Fees, NRMP" in line
    assert Plan.objects.count() == 1
    plan.refresh_from_db()
    assert plan.tier == "viable"
    draft_after = AssessmentDraft.objects.get()
    assert draft_after.answers == {"specialty": "EM"}
    assert draft_after.updated_at == draft.updated_at


def test_an_ineligible_plans_what_if_counts_and_prices_no_applications(client, owner):
    # It showed "Apply to 80-120 EM programs", a cost and "Dual application: Recommended"
    # beside a plan that says no application plan can be made.
    em_programs(3)
    plan = make_plan(owner, step1={"result": "fail", "attempts": 4})
    client.force_login(owner)
    html = post(client, plan, htmx=True, step2ck_score="250").content.decode()
    assert "What-if result" in html
    assert "Estimated cost" not in html and "Apply to" not in html
    assert "Still no application plan: four unpassed attempts on Step 1" in html


def test_without_javascript_it_renders_the_whole_page_with_the_result(client, owner, plan):
    client.force_login(owner)
    response = post(client, plan, step2ck_score="220")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "What-if result" in html
    assert "tier-high_risk" in html and "Worse" in html
    assert "Showing 1–3 of 3 programs." in html  # the rest of the page is still there
    assert Plan.objects.count() == 1


def test_a_new_specialty_and_visa_are_recomputed(client, owner, plan):
    client.force_login(owner)
    html = post(client, plan, htmx=True, specialty="FM", visa="h1b").content.decode()
    assert "Family Medicine (FM)" in html
    assert "New specialty" in html
    assert Plan.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"step2ck_score": "301"}, "Enter a score from 1 to 300."),
        ({"step2ck_score": "0"}, "Enter a score from 1 to 300."),
        ({"step2ck_score": "abc"}, "Enter a score as a whole number, from 1 to 300."),
        ({"visa": "tourist"}, "Choose one of the visa options listed."),
        ({"specialty": "XX"}, "Choose one of the specialties listed."),
    ],
)
def test_invalid_values_show_field_errors(client, owner, plan, data, message):
    client.force_login(owner)
    for htmx in (True, False):
        response = post(client, plan, htmx=htmx, **data)
        html = response.content.decode()
        assert response.status_code == 200
        assert message in html
        assert "What-if result" not in html
        assert "is-invalid" in html
    assert Plan.objects.count() == 1


def test_answers_that_no_longer_validate_are_reported_not_a_500(client, owner, plan):
    Plan.objects.filter(pk=plan.pk).update(profile={**plan.profile, "sloes": 99})
    client.force_login(owner)
    response = post(client, plan, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    # In plain words: the answer named as the user knows it, no internal field path.
    assert "SLOEs: Must be" in html and "Change your answers and make a new plan" in html
    assert "sloes:" not in html


def test_another_user_gets_404(client, plan):
    client.force_login(UserFactory())
    assert post(client, plan).status_code == 404
    assert Plan.objects.count() == 1


def test_an_anonymous_plan_works_from_its_session(client):
    plan = make_plan(None)
    session = client.session
    session[SESSION_PLAN_TOKENS_KEY] = [str(plan.token)]
    session.save()
    response = post(client, plan, htmx=True, step2ck_score="250")
    assert response.status_code == 200
    assert "What-if result" in response.content.decode()


def test_get_is_not_allowed(client, owner, plan):
    client.force_login(owner)
    assert client.get(whatif_url(plan)).status_code == 405


def test_links_on_the_no_javascript_result_page_lead_back_to_the_plan(client, owner, plan):
    client.force_login(owner)
    html = post(client, plan, step2ck_score="245").content.decode()
    plan_url = reverse("assessments:plan_detail", args=[plan.token])
    assert f'href="{plan_url}?sort=name#programs"' in html
    assert 'href="?' not in html  # a relative link would GET the what-if URL
