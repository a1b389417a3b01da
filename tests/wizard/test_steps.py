"""Each wizard step: full page and htmx partial, saving, navigation and progress."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.drafts import SESSION_DRAFT_KEY
from assessments.models import AssessmentDraft
from tests.factories import DraftFactory, UserFactory, complete_answers, step_post_data
from tests.wizard.conftest import step_url

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
FORM_STEPS = ["background", "exams", "experience", "goals"]


def test_start_redirects_a_new_visitor_to_the_first_step(client):
    response = client.get(reverse("assessments:wizard"))
    assert response.status_code == 302
    assert response["Location"] == step_url("background")


def test_browsing_the_first_step_creates_no_draft(client):
    client.get(step_url("background"))
    assert not AssessmentDraft.objects.exists()


def test_the_first_step_is_a_full_page_with_progress(client):
    response = client.get(step_url("background"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Step 1 of 5" in html
    assert 'aria-current="step"' in html
    for title in ("Your background", "Your USMLE exams", "Your goals", "Review your answers"):
        assert title in html
    for label in (
        "Country of your medical school",
        "Medical school graduation year",
        "Citizenship and visa need",
        "Are you ECFMG certified?",
        "Have you passed OET Medicine?",
    ):
        assert label in html


def test_with_hx_request_a_step_returns_only_the_wizard_region(client):
    response = client.get(step_url("background"), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    # The title first, outside the region: htmx 2 reads a partial's <title> only at its top
    # level, so inside the div the tab and the history kept the previous step's title.
    title, region = html.lstrip().split("\n", 1)
    assert title == "<title>Your background · Step 1 of 5 · MatchPlan</title>"
    assert region.lstrip().startswith('<div id="wizard"')
    assert "<title>" not in region
    assert "Step 1 of 5" in html


def test_the_review_partial_carries_its_title_at_the_top_level(client, walk):
    walk(client)
    html = client.get(step_url("review"), **HX).content.decode().lstrip()
    assert html.startswith("<title>Review your answers · Step 5 of 5 · MatchPlan</title>")
    assert "<title>" not in html.split('<div id="wizard"', 1)[1]


@pytest.mark.parametrize("index", range(4))
def test_each_step_renders_full_and_partial_once_reached(client, walk, index):
    name = FORM_STEPS[index]
    if index:
        walk(client, upto=FORM_STEPS[index - 1])
    full = client.get(step_url(name))
    partial = client.get(step_url(name), **HX)
    assert full.status_code == partial.status_code == 200
    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert f"Step {index + 1} of 5" in partial.content.decode()


def test_a_valid_step_is_saved_and_leads_to_the_next(client):
    response = client.post(step_url("background"), step_post_data("background"))
    assert response.status_code == 302
    assert response["Location"] == step_url("exams")
    draft = AssessmentDraft.objects.get()
    assert draft.owner is None
    assert client.session[SESSION_DRAFT_KEY] == str(draft.token)
    assert draft.answers["country"] == "India"
    assert draft.answers["visa"] == "j1"
    assert draft.answers["ecfmg_certified"] is False
    assert draft.answers["oet_passed"] is True


def test_a_valid_htmx_post_answers_with_hx_location(client):
    response = client.post(step_url("background"), step_post_data("background"), **HX)
    assert response.status_code == 200
    assert '"path": "/assessment/exams/"' in response["HX-Location"]
    assert '"target": "#wizard"' in response["HX-Location"]


def test_an_invalid_htmx_post_returns_the_region_with_errors(client):
    response = client.post(step_url("background"), step_post_data("background", country=""), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Please correct 1 answer" in html
    assert not AssessmentDraft.objects.exists()


def test_a_logged_in_users_draft_is_theirs(client):
    user = UserFactory()
    client.force_login(user)
    client.post(step_url("background"), step_post_data("background"))
    draft = AssessmentDraft.objects.get()
    assert draft.owner == user
    assert SESSION_DRAFT_KEY not in client.session


def test_jumping_ahead_redirects_to_the_first_incomplete_step(client, walk):
    walk(client, upto="background")
    for later in ("experience", "goals", "review"):
        response = client.get(step_url(later))
        assert response["Location"] == step_url("exams")
    response = client.post(step_url("goals"), step_post_data("goals"))
    assert response["Location"] == step_url("exams")
    assert "specialty" not in AssessmentDraft.objects.get().answers


def test_jumping_ahead_with_htmx_answers_with_hx_location(client):
    response = client.get(step_url("goals"), **HX)
    assert '"path": "/assessment/background/"' in response["HX-Location"]


def test_unknown_step_is_404(client):
    assert client.get(step_url("nonsense")).status_code == 404


def test_going_back_to_a_completed_step_shows_the_saved_answers(client, walk):
    walk(client, upto="exams")
    html = client.get(step_url("background")).content.decode()
    assert 'value="India"' in html
    assert "Step 1 of 5" in html
    html = client.get(step_url("exams")).content.decode()
    assert 'value="240"' in html


def test_the_back_button_links_to_the_previous_step(client, walk):
    walk(client, upto="background")
    html = client.get(step_url("exams")).content.decode()
    assert f'href="{step_url("background")}"' in html
    assert f'hx-get="{step_url("background")}"' in html


def test_completed_steps_are_links_in_the_progress_list(client, walk):
    walk(client, upto="exams")
    html = client.get(step_url("experience")).content.decode()
    start = html.index('class="wizard-progress')
    nav = html[start : html.index("</nav>", start)]
    assert f'href="{step_url("background")}"' in nav
    assert f'href="{step_url("exams")}"' in nav
    assert f'href="{step_url("goals")}"' not in nav  # not reachable yet
    assert "(done)" in nav


def test_resume_goes_to_the_first_incomplete_step(client, walk):
    walk(client, upto="experience")
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("goals")


def test_a_complete_draft_resumes_on_the_review(client):
    user = UserFactory()
    DraftFactory(owner=user)
    client.force_login(user)
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("review")


def test_goals_step_saves_engine_shaped_answers(client, walk):
    walk(client, upto="goals")
    answers = AssessmentDraft.objects.get().answers
    expected = complete_answers()
    for key in (
        "specialty",
        "backup_specialties",
        "application_year",
        "preferred_states",
        "program_types",
        "budget_usd",
        "step1",
        "step2ck",
        "step3",
        "usce_months",
        "usce_in_specialty_months",
        "us_letters",
        "sloes",
    ):
        assert answers[key] == expected[key], key


def test_change_link_returns_to_the_review(client, walk):
    walk(client)
    html = client.get(step_url("exams") + "?return=review").content.decode()
    assert 'name="return" value="review"' in html
    assert "Save and return to the review" in html
    data = step_post_data("exams", step2ck_score="250", **{"return": "review"})
    response = client.post(step_url("exams"), data)
    assert response["Location"] == step_url("review")
    assert AssessmentDraft.objects.get().answers["step2ck"]["score"] == 250


def test_a_stale_saved_answer_shows_its_error_when_the_step_is_opened(client):
    user = UserFactory()
    answers = complete_answers()
    answers["step2ck"]["score"] = 999  # e.g. written by an older version
    DraftFactory(owner=user, answers=answers)
    client.force_login(user)
    assert client.get(reverse("assessments:wizard"))["Location"] == step_url("exams")
    html = client.get(step_url("exams")).content.decode()
    assert "Enter a score from 1 to 300." in html


@pytest.mark.parametrize(("step", "budget"), [("background", 8), ("goals", 13), ("review", 14)])
def test_a_step_needs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, step, budget
):
    user = UserFactory()
    DraftFactory(owner=user)
    client.force_login(user)
    with django_assert_max_num_queries(budget):
        assert client.get(step_url(step)).status_code == 200
