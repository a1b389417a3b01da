"""Query budgets of every page not already counted elsewhere.

Each page is measured on the cold path (caches emptied) for a small and a large account or
catalog; the counts must be equal (nothing grows with the number of plans, programs, shares
or comments) and within the page's budget. Counted elsewhere: the plan page
(tests/plans/test_plan_page.py), the program browser (tests/programs/test_browser.py), the
advisor dashboard (tests/advising/test_dashboard.py) and /healthz (tests/infra).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advising.models import PlanComment
from advising.selectors import token_digest
from assessments.plans.reader import plan_output
from tests.budgets.conftest import cold_queries
from tests.factories import (
    AdvisorFactory,
    AssignmentFactory,
    CommentFactory,
    DraftFactory,
    ProgramFactory,
    ShareFactory,
    UserFactory,
    em_programs,
    make_plan,
    minimal_output,
    step_post_data,
)
from tests.factories import PlanFactory as AdvisingPlanFactory
from tests.fuzz.strategies import logged_in, new_client

pytestmark = pytest.mark.django_db

Count = Callable[..., int]
HX = {"HTTP_HX_REQUEST": "true"}


def _output(programs: int) -> dict[str, Any]:
    output = minimal_output()
    output["programs"] = [
        {"id": i, "name": f"Program {i}", "fit": "target", "state": "NY", "reasons": []}
        for i in range(1, programs + 1)
    ]
    return output


@dataclass
class Applicant:
    user: Any
    advisor: Any
    plans: list[Any]

    @property
    def client(self) -> Client:
        return logged_in(self.user)


def applicant_with(size: int) -> Applicant:
    """An applicant with a draft, `size` plans (each listing `size` programs), `size` shares
    and an assigned advisor who left `size` comments on the latest plan."""
    user = UserFactory()
    DraftFactory(owner=user)
    plans = [AdvisingPlanFactory(owner=user, output=_output(size)) for _ in range(size)]
    ShareFactory.create_batch(size, applicant=user)
    advisor = AdvisorFactory()
    AssignmentFactory(advisor=advisor, applicant=user)
    CommentFactory.create_batch(size, plan=plans[-1], author=advisor)
    return Applicant(user=user, advisor=advisor, plans=plans)


def assert_same_and_within(counts: list[int], budget: int, what: str) -> None:
    assert len(set(counts)) == 1, f"{what}: the query count grows with the data: {counts}"
    assert counts[0] <= budget, f"{what}: {counts[0]} queries, budget {budget}"


# --- public pages --------------------------------------------------------------------------

PUBLIC_BUDGETS = [
    # the demo-notice check is the only query of a page without a session
    ("assessments:home", (), 1),
    ("accounts:login", (), 1),
    ("accounts:signup", (), 1),
    ("accounts:password_reset", (), 1),
    ("assessments:wizard_step", ("background",), 1),
    # the rule table, the fee schedule and the specialties, plus the demo notice, and the
    # season facts (platform fees, specialty seasons, key dates, NRMP, sources)
    ("assessments:methodology", (), 9),
]


@pytest.mark.parametrize(("name", "args", "budget"), PUBLIC_BUDGETS)
def test_a_public_page_costs_a_fixed_number_of_queries(
    count_queries: Count, name: str, args: tuple[str, ...], budget: int
) -> None:
    url = reverse(name, args=args)
    counts = [count_queries(new_client(), url)]
    ProgramFactory.create_batch(30)
    applicant_with(5)
    counts.append(count_queries(new_client(), url))

    assert_same_and_within(counts, budget, name)


def test_the_program_page_costs_three_queries_whatever_the_catalog(count_queries: Count) -> None:
    first = ProgramFactory()
    few = count_queries(new_client(), reverse("programs:detail", args=[first.pk]))
    ProgramFactory.create_batch(50)
    many = count_queries(new_client(), reverse("programs:detail", args=[first.pk]))

    # the program with its specialty, the demo notice, and the shared season outcomes
    # (tracker: one query over the opted-in applications to this program)
    assert_same_and_within([few, many], 3, "program detail")


# --- the applicant's pages -----------------------------------------------------------------

APPLICANT_BUDGETS = [
    # session, user, the navigation's advisor check (User.is_advisor), the demo notice: 4
    # on every signed-in page; the rest is the page's own.
    ("assessments:home", 5),  # + the latest plan
    ("accounts:home", 7),  # + the draft, the plan count, the latest plans
    # one query per kind of record (a JSON file: no navigation) and the demo notice; the
    # season tracker adds seasons, season comments written, the reminders sent and the
    # reminder opt-out
    ("accounts:export", 17),
    # one count per kind of record; + seasons, reminder log and reminder opt-out; + one
    # count per kind of record the deletion keeps without the name (advisors' comments and
    # reviews on plans and seasons)
    ("accounts:delete", 15),
    ("accounts:password_change", 4),
    ("advising:sharing", 6),  # + assignments, shares
    ("assessments:plan_compare", 8),  # the empty form: both selects list the plans
]


@pytest.mark.parametrize(("name", "budget"), APPLICANT_BUDGETS)
def test_an_applicant_page_does_not_grow_with_plans_shares_or_comments(
    count_queries: Count, name: str, budget: int
) -> None:
    counts = [count_queries(applicant_with(size).client, reverse(name)) for size in (1, 20)]

    assert_same_and_within(counts, budget, name)


def test_the_export_holds_everything_while_its_query_count_stays_fixed() -> None:
    # The budget above would be meaningless if the large export left records out.
    large = applicant_with(20)
    response = large.client.get(reverse("accounts:export"))

    data = response.json()
    assert len(data["plans"]) == 20
    assert PlanComment.objects.filter(plan__owner=large.user).count() == 20


def test_the_plan_history_does_not_grow_with_the_plans(count_queries: Count) -> None:
    url = reverse("assessments:plan_list")
    one = count_queries(applicant_with(1).client, url)
    # From two plans on, the page adds the comparison form (its two selects).
    counts = [count_queries(applicant_with(size).client, url) for size in (2, 20)]
    large = applicant_with(45)  # three pages of 20
    counts.append(count_queries(large.client, url + "?page=3"))

    # + 1: what the applicant's seasons produced (tracker), in one query
    # + 1: the answers of the page's plans (and the plan before), which the rows need to
    # say what changed
    assert one <= 10
    assert_same_and_within(counts, 14, "plan history")


def test_comparing_two_plans_does_not_grow_with_plans_or_programs(count_queries: Count) -> None:
    counts = []
    for size in (2, 20):
        applicant = applicant_with(size)
        a, b = applicant.plans[0], applicant.plans[-1]
        url = reverse("assessments:plan_compare") + f"?a={a.token}&b={b.token}"
        counts.append(count_queries(applicant.client, url))

    # + the two chosen plans, and both outputs in one query
    assert_same_and_within(counts, 11, "plan comparison")


def test_the_plan_csv_and_fragment_do_not_grow_with_the_programs(count_queries: Count) -> None:
    owner = UserFactory()
    client = logged_in(owner)
    csv_counts, fragment_counts = [], []
    for programs in (2, 60):
        em_programs(programs)
        plan = make_plan(owner)
        assert len(plan_output(plan)["programs"]) >= programs
        csv_counts.append(count_queries(client, reverse("assessments:plan_csv", args=[plan.token])))
        url = reverse("assessments:plan_detail", args=[plan.token])
        fragment_counts.append(count_queries(client, url + "?sort=img&page=2", **HX))

    # session, user, the plan, its output and entries, its snapshot ids, the snapshots' facts
    # (the cache is cold here; the shared cache keeps them)
    assert_same_and_within(csv_counts, 6, "plan CSV")
    # (+2 since plans reference catalog snapshots: the snapshot ids, and their facts on a
    # cold cache)
    assert_same_and_within(fragment_counts, 8, "plan page fragment")


def test_an_anonymous_plan_page_does_not_grow_with_the_programs(count_queries: Count) -> None:
    counts = []
    for programs in (2, 60):
        em_programs(programs)
        plan = make_plan(None)
        client = new_client()
        session = client.session
        session["plan_tokens"] = [str(plan.token)]
        session.save()
        counts.append(count_queries(client, reverse("assessments:plan_detail", args=[plan.token])))

    # session, the plan (with its flags), its output and program entries, its snapshot ids,
    # the snapshots' facts (cold cache), which listed programs still exist, the what-if
    # specialties
    assert_same_and_within(counts, 8, "anonymous plan page")


# --- the wizard ----------------------------------------------------------------------------

WIZARD_BUDGETS = [
    # session, user, the navigation's advisor check, demo notice, the draft, and the
    # specialties (read once: every step's saved form is validated for the progress
    # indicator, and the goals form checks its specialty against them)
    ("background", 6),
    ("exams", 6),
    ("experience", 6),
    ("goals", 6),
    ("review", 6),
]


@pytest.mark.parametrize(("step", "budget"), WIZARD_BUDGETS)
def test_a_wizard_step_does_not_grow_with_plans_or_programs(
    count_queries: Count, step: str, budget: int
) -> None:
    url = reverse("assessments:wizard_step", args=[step])
    pages, fragments = [], []
    for size in (1, 20):
        applicant = applicant_with(size)
        ProgramFactory.create_batch(size)
        pages.append(count_queries(applicant.client, url))
        fragments.append(count_queries(applicant.client, url, **HX))

    assert_same_and_within(pages, budget, f"wizard step {step}")
    # The htmx fragment costs no more than the page.
    assert_same_and_within(fragments, budget, f"wizard step {step}, htmx")


def test_an_anonymous_draft_step_costs_a_fixed_number_of_queries(count_queries: Count) -> None:
    client = new_client()
    background = reverse("assessments:wizard_step", args=["background"])
    assert client.post(background, step_post_data("background")).status_code == 302
    url = reverse("assessments:wizard_step", args=["exams"])
    counts = [count_queries(client, url)]
    applicant_with(10)
    counts.append(count_queries(client, url))

    # session, the demo notice, the draft by its session token
    assert_same_and_within(counts, 3, "anonymous wizard step")


# --- advising ------------------------------------------------------------------------------


def test_the_review_page_does_not_grow_with_comments_or_plans(count_queries: Count) -> None:
    counts = []
    for size in (1, 20):
        applicant = applicant_with(size)
        url = reverse("advising:plan_review", args=[applicant.plans[-1].pk])
        html_client = logged_in(applicant.advisor)
        counts.append(count_queries(html_client, url))
        html = html_client.get(url).content.decode()
        assert html.count('class="advising-comment"') == size

    assert_same_and_within(counts, 10, "plan review")


def test_the_sharing_page_does_not_grow_with_the_shares(count_queries: Count) -> None:
    counts = []
    for size in (1, 10):
        applicant = applicant_with(size)
        counts.append(count_queries(applicant.client, reverse("advising:sharing")))

    assert_same_and_within(counts, 6, "sharing page")


def test_the_invitation_page_costs_a_fixed_number_of_queries(count_queries: Count) -> None:
    counts = []
    for size in (1, 10):
        applicant = applicant_with(size)
        token = f"budget-invitation-{size}"
        ShareFactory(
            applicant=applicant.user,
            advisor=None,
            advisor_email=f"new-advisor-{size}@example.org",
            accepted_at=None,
            token_hash=token_digest(token),
        )
        counts.append(count_queries(new_client(), reverse("advising:invitation", args=[token])))

    # the share with its applicant, "has this address an account?", the demo notice
    assert_same_and_within(counts, 3, "invitation page")


def test_cold_queries_reports_the_sql(db: Any) -> None:
    # The helper must count real queries, or every budget above would pass vacuously.
    queries = cold_queries(new_client(), reverse("assessments:methodology"))
    assert queries and all(isinstance(sql, str) and sql for sql in queries)


@pytest.mark.parametrize(
    ("step", "budget"), [("background", 4), ("exams", 4), ("experience", 4), ("goals", 5)]
)
def test_a_wizard_step_save_costs_a_fixed_number_of_queries(step: str, budget: int) -> None:
    client = applicant_with(1).client
    url = reverse("assessments:wizard_step", args=[step])
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            response = client.post(url, step_post_data(step))
        assert response.status_code == 302, response.content.decode()[:2000]
        # Savepoints come from the test's own transaction, not from the view.
        counts.append(sum("SAVEPOINT" not in q["sql"] for q in context.captured_queries))

    # session, user, the draft (read once, locked), its update; goals: the specialties
    assert_same_and_within(counts, budget, f"wizard step {step} save")
