"""The explorer pages: rows, sorting, filters, what-if values, htmx, comparison, and the
"primary" / "backup" buttons that fill the wizard's goals step."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessments.drafts import draft_profile_data
from assessments.models import AssessmentDraft, Plan
from assessments.plans.reader import plan_output
from assessments.services import plan_create
from tests.factories import (
    DraftFactory,
    ProgramFactory,
    UserFactory,
    complete_answers,
    em_programs,
    make_plan,
    specialty,
    step_post_data,
)
from tests.fuzz.strategies import logged_in, new_client

pytestmark = pytest.mark.django_db

URL = "/explore/"
HX = {"HTTP_HX_REQUEST": "true"}


def row_codes(html: str) -> list[str]:
    return re.findall(r'<tr id="row-([A-Z-]+)"', html)


def row_html(html: str, code: str) -> str:
    start = html.index(f'<tr id="row-{code}"')
    return html[start : html.index("</tr>", start)]


def fits(html: str, code: str) -> tuple[int, int, int]:
    cell = row_html(html, code)
    found = re.search(
        r'title="likely">([\d,]+)</span> / <span title="target">([\d,]+)</span> / '
        r'<span title="reach">([\d,]+)<',
        cell,
    )
    assert found, cell
    return tuple(int(v.replace(",", "")) for v in found.groups())  # type: ignore[return-value]


@pytest.fixture
def applicant() -> Any:
    user = UserFactory()
    DraftFactory(owner=user)
    return user


def test_the_url_is_explore() -> None:
    assert reverse("assessments:explorer") == URL


def test_it_lists_every_specialty_sorted_by_chances(applicant: Any) -> None:
    html = logged_in(applicant).get(URL).content.decode()

    codes = row_codes(html)
    assert len(codes) == 13
    order = ["strong", "viable", "risk", "high_risk"]
    tiers = [re.search(r'badge tier-(\w+)"', row_html(html, c)).group(1) for c in codes]  # type: ignore[union-attr]
    assert [order.index(t) for t in tiers] == sorted(order.index(t) for t in tiers)
    assert "your primary" in row_html(html, "EM")
    assert "your backup" in row_html(html, "IM")


def test_a_column_link_sorts_and_a_second_click_reverses(applicant: Any) -> None:
    client = logged_in(applicant)
    html = client.get(URL).content.decode()
    assert 'href="?sort=signals"' in html

    by_signals = row_codes(client.get(URL + "?sort=signals").content.decode())
    reversed_ = client.get(URL + "?sort=-signals").content.decode()
    # Most signals first: general surgery 15, internal medicine 3 + 12, anesthesiology 5 + 10.
    assert by_signals[0] in {"GS", "IM", "ANES"}
    assert row_codes(reversed_)[-1] in {"GS", "IM", "ANES"}
    assert 'href="?sort=-signals"' in client.get(URL + "?sort=signals").content.decode()


def test_a_bad_sort_value_falls_back_to_chances(applicant: Any) -> None:
    client = logged_in(applicant)
    default = row_codes(client.get(URL).content.decode())

    assert row_codes(client.get(URL + "?sort=<script>").content.decode()) == default


def test_htmx_gets_only_the_results(applicant: Any) -> None:
    response = logged_in(applicant).get(URL + "?sort=cost", **HX)

    html = response.content.decode()
    assert "<html" not in html
    assert len(row_codes(html)) == 13
    assert 'hx-swap-oob="true"' in html and 'value="cost"' in html
    assert "HX-Request" in response["Vary"]


def test_a_what_if_score_moves_the_tiers(applicant: Any) -> None:
    client = logged_in(applicant)
    low = client.get(URL + "?step2ck_score=221").content.decode()
    high = client.get(URL + "?step2ck_score=262").content.decode()

    assert "badge tier-high_risk" in row_html(low, "IM")
    assert "badge tier-strong" in row_html(high, "IM")
    assert "Step 2 CK of <strong>262</strong>" in high
    # Nothing saved: the draft keeps its answer.
    assert AssessmentDraft.objects.get(owner=applicant).answers["step2ck"]["score"] == 240


def test_an_invalid_what_if_value_is_ignored_and_named(applicant: Any) -> None:
    html = logged_in(applicant).get(URL + "?step2ck_score=999").content.decode()

    assert "These values were ignored" in html
    assert "Step 2 CK of <strong>240</strong>" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?step2ck_score=999", "Enter a score from 1 to 300."),
        ("?step2ck_score=abc", "Enter a score as a whole number, from 1 to 300."),
        ("?step2ck_score=240.5", "Enter a score as a whole number, from 1 to 300."),
        ("?visa=zz", "Choose one of the visa options listed."),
    ],
)
def test_an_ignored_value_is_named_in_the_what_if_forms_words(
    applicant: Any, query: str, message: str
) -> None:
    html = logged_in(applicant).get(URL + query).content.decode()

    assert message in html
    assert "Ensure this value" not in html and "Select a valid choice" not in html
    assert "Enter a whole number." not in html


def test_the_filters_count_sponsoring_programs_and_preferred_states(applicant: Any) -> None:
    em_programs(3, j1="yes", state="NY")
    em_programs(2, j1="unknown", state="CA")
    client = logged_in(applicant)

    assert sum(fits(client.get(URL).content.decode(), "EM")) == 5
    assert sum(fits(client.get(URL + "?sponsor=on").content.decode(), "EM")) == 3
    # preferred states of the factory's answers: NY and TX
    assert sum(fits(client.get(URL + "?preferred=on").content.decode(), "EM")) == 3


def test_a_specialty_whose_score_does_not_separate_says_so(applicant: Any) -> None:
    html = logged_in(applicant).get(URL).content.decode()

    assert "Score does not separate: matched 230, unmatched 231" in row_html(html, "FM")
    assert "Score does not separate: matched 250, unmatched 251" in row_html(html, "RAD")
    assert "Score does not separate" not in row_html(html, "IM")


def test_each_figure_names_its_source(applicant: Any) -> None:
    html = logged_in(applicant).get(URL).content.decode()

    assert "NRMP Charting Outcomes 2026" in row_html(html, "IM")
    assert "ERAS 2025 season" in html
    assert "ResidencyCAS" in row_html(html, "EM")
    assert "Needs a PGY-1 year" in row_html(html, "RAD")


def test_the_counts_equal_the_saved_plans_counts() -> None:
    owner = UserFactory()
    em_programs(4, step2_typical=230)
    em_programs(3, step2_typical=240, img_share=5)
    ProgramFactory.create_batch(5, specialty=specialty("IM"), requires_usce="no", max_yog=None)
    plan = make_plan(owner)
    entries = plan_output(plan)["programs"]

    html = logged_in(owner).get(reverse("assessments:plan_explorer", args=[plan.token]))
    html = html.content.decode()
    for code in ("EM", "IM"):
        expected = tuple(
            sum(1 for e in entries if e["specialty_code"] == code and e["fit"] == fit)
            for fit in ("likely", "target", "reach")
        )
        assert fits(html, code) == expected, code
    assert sum(fits(html, "EM")) == 7


def test_the_goals_step_links_to_the_explorer(applicant: Any) -> None:
    html = logged_in(applicant).get("/assessment/goals/").content.decode()

    assert f'href="{URL}"' in html
    assert 'href="/explore/"' not in logged_in(applicant).get("/assessment/exams/").content.decode()


def test_the_plan_page_and_the_what_if_link_to_the_explorer() -> None:
    owner = UserFactory()
    plan = make_plan(owner)
    client = logged_in(owner)
    target = reverse("assessments:plan_explorer", args=[plan.token])

    assert (
        f'href="{target}"'
        in client.get(reverse("assessments:plan_detail", args=[plan.token])).content.decode()
    )
    whatif = client.post(
        reverse("assessments:plan_whatif", args=[plan.token]),
        {"step2ck_score": "250", "visa": "h1b", "specialty": "EM"},
        **HX,
    )
    assert f'href="{target}?step2ck_score=250&amp;visa=h1b"' in whatif.content.decode()
    explored = client.get(f"{target}?step2ck_score=250&visa=h1b").content.decode()
    assert "Step 2 CK of <strong>250</strong>" in explored and "H-1B only" in explored


# --- compare -----------------------------------------------------------------------------------


def test_two_specialties_side_by_side(applicant: Any) -> None:
    client = logged_in(applicant)
    html = client.get("/explore/compare/?a=IM&b=FM&step2ck_score=250").content.decode()

    assert 'Internal Medicine (IM)</th><th scope="col">Family Medicine (FM)' in html
    assert "Score does not separate matched from unmatched applicants here." in html
    assert "3 gold + 12 silver" in html
    # the what-if value travels along
    assert 'name="step2ck_score" value="250"' in html


def test_comparing_a_specialty_with_itself_is_an_error(applicant: Any) -> None:
    html = logged_in(applicant).get("/explore/compare/?a=IM&b=IM").content.decode()

    assert "Choose two different specialties." in html
    assert "explorer-compare" not in html


# --- into the wizard ---------------------------------------------------------------------------


def pick(client: Client, code: str, role: str) -> Any:
    return client.post(reverse("assessments:explorer_pick"), {"pick": f"{code}:{role}"})


def test_make_primary_fills_the_goals_and_shows_the_review(applicant: Any) -> None:
    client = logged_in(applicant)
    response = pick(client, "IM", "primary")

    assert response.status_code == 302 and response["Location"] == "/assessment/review/"
    answers = AssessmentDraft.objects.get(owner=applicant).answers
    assert answers["specialty"] == "IM"
    assert answers["backup_specialties"] == []  # IM was the backup
    assert not Plan.objects.exists()
    review = client.get("/assessment/review/").content.decode()
    assert "Internal Medicine" in review


def test_add_as_backup_keeps_the_primary(applicant: Any) -> None:
    response = pick(logged_in(applicant), "FM", "backup")

    assert response["Location"] == "/assessment/review/"
    answers = AssessmentDraft.objects.get(owner=applicant).answers
    assert answers["specialty"] == "EM"
    assert answers["backup_specialties"] == ["FM", "IM"]  # in menu (name) order


def test_a_pick_the_goals_form_refuses_shows_the_goals_step_and_saves_nothing(
    applicant: Any,
) -> None:
    client = logged_in(applicant)
    for code in ("FM", "PEDS"):
        pick(client, code, "backup")
    before = AssessmentDraft.objects.get(owner=applicant).answers

    response = pick(client, "PSYCH", "backup")  # a fourth backup

    assert response.status_code == 200
    assert "Choose at most 3 backups." in response.content.decode()
    assert AssessmentDraft.objects.get(owner=applicant).answers == before


def test_an_unknown_specialty_is_refused_by_the_goals_form(applicant: Any) -> None:
    response = pick(logged_in(applicant), "NOPE", "primary")

    assert response.status_code == 200
    assert "Choose a specialty from the list." in response.content.decode()


def test_a_pick_before_the_earlier_steps_goes_to_the_first_incomplete_step() -> None:
    client = new_client()
    client.post("/assessment/background/", step_post_data("background"))

    response = pick(client, "IM", "primary")

    assert response.status_code == 302 and response["Location"] == "/assessment/exams/"


def test_an_anonymous_visitor_explores_and_picks_from_the_goals_step() -> None:
    client = new_client()
    for step in ("background", "exams", "experience"):
        assert client.post(f"/assessment/{step}/", step_post_data(step)).status_code == 302
    # No goals yet: the explorer assumes this year's season and marks no primary.
    html = client.get(URL).content.decode()
    assert len(row_codes(html)) == 13 and "your primary" not in html

    response = pick(client, "PEDS", "primary")

    assert response["Location"] == "/assessment/review/"
    draft = AssessmentDraft.objects.get(owner=None)
    assert draft.answers["specialty"] == "PEDS"
    assert client.get("/assessment/review/").status_code == 200


def test_the_pick_is_post_only(applicant: Any) -> None:
    assert logged_in(applicant).get(reverse("assessments:explorer_pick")).status_code == 405


def test_answers_that_cannot_be_placed_say_where_to_go() -> None:
    user = UserFactory()
    answers = complete_answers()
    del answers["step2ck"]
    DraftFactory(owner=user, answers=answers)

    html = logged_in(user).get(URL).content.decode()

    assert "cannot be placed yet" in html
    assert row_codes(html) == []


def test_a_catalog_change_shows_at_once_despite_the_caches(applicant: Any) -> None:
    client = logged_in(applicant)
    em_programs(2)
    assert sum(fits(client.get(URL + "?sort=cost").content.decode(), "EM")) == 2

    em_programs(3)

    assert sum(fits(client.get(URL + "?sort=cost").content.decode(), "EM")) == 5


def test_a_changed_answer_shows_at_once_despite_the_caches(applicant: Any) -> None:
    client = logged_in(applicant)
    assert "badge tier-viable" in row_html(client.get(URL).content.decode(), "EM")
    draft = AssessmentDraft.objects.get(owner=applicant)
    draft.answers = {**draft.answers, "step2ck": {**draft.answers["step2ck"], "score": 250}}
    draft.save()

    assert "badge tier-strong" in row_html(client.get(URL).content.decode(), "EM")


def test_the_sorted_column_header_says_so(applicant: Any) -> None:
    client = logged_in(applicant)

    by_name = client.get(URL + "?sort=name").content.decode()
    assert row_codes(by_name)[0] == "ANES"  # Anesthesiology
    assert by_name.count("aria-sort=") == 1 and 'aria-sort="ascending"' in by_name
    assert 'aria-sort="descending"' in client.get(URL + "?sort=-name").content.decode()
    assert 'aria-sort="other"' in client.get(URL + "?sort=match_rate").content.decode()


def test_a_signal_number_not_confirmed_for_the_platform_says_so(applicant: Any) -> None:
    html = logged_in(applicant).get(URL).content.decode()

    rcas = [code for code in row_codes(html) if "ResidencyCAS" in row_html(html, code)]
    eras = [code for code in row_codes(html) if code not in rcas]
    assert rcas and eras  # the built-in season data puts EM on ResidencyCAS
    for code in rcas:
        assert "not confirmed on ResidencyCAS" in row_html(html, code)
    assert "now applies through ResidencyCAS; its signal number there is not confirmed" in html
    assert "not confirmed on ResidencyCAS" not in row_html(html, "IM")


def test_a_profile_the_attempt_limit_stops_gets_the_eligibility_text_not_a_table() -> None:
    user = UserFactory()
    answers = complete_answers()
    answers["step1"] = {"result": "fail", "attempts": 4, "score": None}
    DraftFactory(owner=user, answers=answers)
    client = logged_in(user)

    html = client.get(URL).content.decode()
    compare = client.get(URL + "compare/?a=EM&b=IM").content.decode()

    assert "Before any specialty" in html and "USMLE attempt limit" in html
    assert row_codes(html) == []
    assert "Make primary" not in html
    assert "USMLE attempt limit" in compare and "Programs that fit" not in compare


def test_the_catalog_count_is_every_program_of_the_specialty(applicant: Any) -> None:
    em_programs(3)
    html = logged_in(applicant).get(URL).content.decode()

    assert "of 3 in the catalog" in row_html(html, "EM")


def test_a_plans_explorer_offers_picks_only_while_the_draft_holds_its_answers() -> None:
    user = UserFactory()
    draft = DraftFactory(owner=user)
    plan = plan_create(owner=user, profile_data=draft_profile_data(draft))
    client = logged_in(user)
    url = reverse("assessments:plan_explorer", args=[plan.token])
    assert "Make primary" in client.get(url).content.decode()

    draft.answers = {**draft.answers, "step2ck": {**draft.answers["step2ck"], "score": 251}}
    draft.save()
    changed = client.get(url).content.decode()

    assert "Make primary" not in changed and "Add as backup" not in changed
    assert "current answers, so they cannot be put into it from here" in changed
    assert 'href="/explore/"' in changed


def test_the_same_values_in_another_order_give_the_same_links(applicant: Any) -> None:
    client = logged_in(applicant)
    one = client.get(URL + "?visa=h1b&step2ck_score=250").content.decode()
    two = client.get(URL + "?step2ck_score=250&visa=h1b").content.decode()

    links = re.findall(r'href="(\?[^"]*sort=[^"]*)"', one)
    assert links and links == re.findall(r'href="(\?[^"]*sort=[^"]*)"', two)
    assert "?sort=signals&amp;step2ck_score=250&amp;visa=h1b" in one


def test_a_repeated_view_is_drawn_from_the_cache_without_reading_the_standings(
    applicant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessments import explorer

    client = logged_in(applicant)
    first = client.get(URL + "?sort=cost").content.decode()

    def not_again(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the standings were read although the page is cached")

    monkeypatch.setattr(explorer, "explore", not_again)
    again = client.get(URL + "?sort=cost").content.decode()

    assert row_codes(again) == row_codes(first) and len(row_codes(again)) == 13
    assert "Compare two specialties side by side" in again
    assert 'name="csrfmiddlewaretoken"' in again  # the pick form's token is never cached


def test_a_plans_explorer_leaves_no_link_to_the_plan_in_anothers_explorer() -> None:
    owner, other = UserFactory(), UserFactory()
    draft = DraftFactory(owner=owner)
    DraftFactory(owner=other, answers=draft.answers)  # the same answers: the same standings
    plan = plan_create(owner=owner, profile_data=draft_profile_data(draft))
    logged_in(owner).get(reverse("assessments:plan_explorer", args=[plan.token]))

    html = logged_in(other).get(URL).content.decode()

    assert 'action="/explore/compare/"' in html
    assert str(plan.token) not in html


def test_a_stacked_row_names_the_three_fit_counts(applicant: Any) -> None:
    # Below 992 px each cell shows its data-label in place of the column header, whose
    # likely / target / reach sort links are then out of sight.
    html = logged_in(applicant).get(URL).content.decode()
    assert 'data-label="Programs that fit: likely / target / reach"' in row_html(html, "EM")


def test_a_plans_explorer_without_a_draft_sends_to_the_wizard_not_back_to_itself() -> None:
    # /explore/ without a draft redirects to the latest plan's explorer: linking there from
    # that explorer went round in a circle.
    user = UserFactory()
    plan = plan_create(owner=user, profile_data=draft_profile_data(DraftFactory.build()))
    client = logged_in(user)
    url = reverse("assessments:plan_explorer", args=[plan.token])
    assert client.get(URL).url == url

    html = client.get(url).content.decode()

    assert "Make primary" not in html
    assert "you have no self-assessment in progress" in html
    assert 'href="/explore/"' not in html
    assert f'href="{reverse("assessments:wizard")}">answer the self-assessment</a>' in html


def test_an_htmx_update_brings_a_compare_form_with_its_what_if_values(applicant: Any) -> None:
    # The compare form stood outside the swapped region: after a what-if change in place it
    # still sent the page's first values, and the comparison disagreed with the table.
    client = logged_in(applicant)
    first = client.get(URL).content.decode()
    assert 'aria-label="Compare two specialties"' in first

    swapped = client.get(URL + "?visa=none&step2ck_score=250&sort=name", **HX).content.decode()

    form = swapped[swapped.index('aria-label="Compare two specialties"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="visa" value="none">' in form
    assert '<input type="hidden" name="step2ck_score" value="250">' in form
    assert 'name="sort"' not in form
