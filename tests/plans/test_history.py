"""The list of an applicant's plans and the comparison of two of them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Plan
from assessments.plans.compare import plan_compare
from programs.models import Program
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.django_db


def test_the_history_needs_a_login(client):
    response = client.get(reverse("assessments:plan_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_history_lists_only_the_applicants_own_plans(client):
    owner, other = UserFactory(), UserFactory()
    mine = [make_plan(owner), make_plan(owner, specialty="IM", backup_specialties=[])]
    theirs = make_plan(other)
    client.force_login(owner)

    html = client.get(reverse("assessments:plan_list")).content.decode()

    for plan in mine:
        assert reverse("assessments:plan_detail", args=[plan.token]) in html
    assert str(theirs.token) not in html
    assert ">Viable<" in html and ">Internal Medicine<" in html
    assert "Compare two plans" in html and 'name="a"' in html and 'name="b"' in html


def test_the_history_without_plans_offers_the_self_assessment(client):
    client.force_login(UserFactory())
    response = client.get(reverse("assessments:plan_list"))
    assert response.status_code == 200
    assert "No plans yet" in response.content.decode()


def test_each_history_row_says_score_tier_and_what_changed(client):
    owner = UserFactory()
    make_plan(owner, step2ck__score=238)
    make_plan(owner, step2ck__score=246, visa="h1b")
    make_plan(owner, step2ck__score=246, visa="h1b")  # the same answers again
    client.force_login(owner)

    html = client.get(reverse("assessments:plan_list")).content.decode()

    assert "First plan" in html
    assert "Step 2 CK score 238 → 246" in html
    assert "Visa J-1 → H-1B only" in html  # the wizard's words, not the stored codes
    assert "Same answers as the plan before" in html
    assert html.count(">Emergency Medicine<") == 3
    assert ">246<" in html and ">238<" in html


def test_changed_practice_scores_read_as_scores_not_stored_records(client):
    # The row read "Practice scores {'score': 242, 'date': '2026-12-01', ...} → none".
    owner = UserFactory()
    make_plan(owner)
    make_plan(
        owner,
        step2ck__practice_scores=[
            {"score": 235, "date": "2026-05-01", "form": "NBME 12"},
            {"score": 242},
        ],
    )
    client.force_login(owner)
    html = client.get(reverse("assessments:plan_list")).content.decode()
    assert "Practice scores none → 235 (NBME 12, 2026-05-01), 242" in html
    assert "&#x27;score&#x27;" not in html


def test_changed_coded_answers_read_in_the_wizards_words(client):
    # The rows read "Step 1 not_taken → pass", "Pathway not_started → met" and "Program types
    # community → community, university": the stored codes.
    owner = UserFactory()
    make_plan(owner, pathway="not_started", program_types=["community"])
    make_plan(
        owner,
        step3={"result": "pass"},
        pathway="met",
        program_types=["community", "university"],
    )
    client.force_login(owner)
    html = client.get(reverse("assessments:plan_list")).content.decode()
    assert "Step 3 Not taken yet → Passed" in html
    assert "ECFMG Pathway Not yet → Done" in html
    assert "Program types Community-based → Community-based, University-based" in html
    assert "not_taken" not in html and "not_started" not in html


def test_what_changed_reaches_across_pages(client, settings):
    from assessments.views import plans as plan_views

    owner = UserFactory()
    make_plan(owner, step2ck__score=230)
    for score in range(231, 231 + plan_views.PLANS_PER_PAGE):
        make_plan(owner, step2ck__score=score)
    client.force_login(owner)
    html = client.get(reverse("assessments:plan_list")).content.decode()
    assert "First plan" not in html  # the page's last plan is compared with the next page's
    assert "Step 2 CK score 230 → 231" in html


def test_history_rows_pair_each_plan_with_its_own_answers_when_a_plan_is_made_meanwhile():
    """A plan made between reading the page and reading the answers shifts no answer."""
    from django.core.paginator import Paginator

    from assessments.plans.history import history_rows
    from assessments.plans.queries import plans_of

    owner = UserFactory()
    make_plan(owner, step2ck__score=230)
    newer = make_plan(owner, step2ck__score=240)
    page = Paginator(plans_of(owner), 1).get_page(1)
    page.object_list = list(page.object_list)  # the page is read: [newer]
    make_plan(owner, step2ck__score=250)  # made meanwhile, now first in the list

    (row,) = history_rows(page)
    assert row.plan == newer
    assert row.step2ck == "240"
    assert row.changes == ["Step 2 CK score 230 → 240"] and not row.first


def test_a_plan_is_deleted_by_its_owner_after_confirming(client):
    owner, other = UserFactory(), UserFactory()
    plan, kept = make_plan(owner), make_plan(owner)
    url = reverse("assessments:plan_delete", args=[plan.token])

    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404

    client.force_login(owner)
    page = client.get(url)
    assert page.status_code == 200 and "Delete this plan?" in page.content.decode()
    assert Plan.objects.filter(pk=plan.pk).exists()  # the GET only asks
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:plan_list")
    assert "is deleted" in response.content.decode()
    assert list(Plan.objects.filter(owner=owner)) == [kept]


def test_deleting_a_plan_needs_a_login(client):
    plan = make_plan(UserFactory())
    response = client.post(reverse("assessments:plan_delete", args=[plan.token]))
    assert response.status_code == 302
    assert Plan.objects.filter(pk=plan.pk).exists()


def test_with_one_plan_there_is_nothing_to_compare_yet(client):
    owner = UserFactory()
    make_plan(owner)
    client.force_login(owner)
    html = client.get(reverse("assessments:plan_list")).content.decode()
    assert "Make a second plan" in html


def test_compare_shows_tier_flags_programs_and_cost_changes(client):
    owner = UserFactory()
    dropped, kept = em_programs(2)
    before = make_plan(owner, step2ck__score=238, ecfmg_certified=False)
    dropped.delete()
    em_programs(1, name="Brand New Program")
    after = make_plan(owner, step2ck__score=250, ecfmg_certified=True)
    client.force_login(owner)

    response = client.get(
        reverse("assessments:plan_compare"), {"a": str(before.token), "b": str(after.token)}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "▲ Better" in html
    assert "Brand New Program" in html
    assert dropped.name in html
    assert "Not ECFMG certified yet" in html  # resolved flag
    assert "Estimated cost (USD)" in html
    assert Program.objects.filter(pk=kept.pk).exists()
    # Each plan's cost names the fee schedules it was priced with, their season and source.
    for lead in ("Earlier plan's cost.", "Later plan's cost."):
        line = html.split(lead, 1)[1].split("</p>", 1)[0]
        assert 'href="https://www.saem.org/' in line and ">ResidencyCAS fees</a>" in line
        assert " of the 2026 season (RAMS ResidencyCAS Information" in line
        assert "NRMP fees: Match Fees, NRMP" in line


def test_a_pair_chosen_newest_first_is_compared_oldest_first(client):
    # "Earlier plan" set to the newer one showed it in the Earlier column: a better score
    # read as "Worse" and the flags it resolved as new.
    owner = UserFactory()
    before = make_plan(owner, step2ck__score=238, ecfmg_certified=False)
    after = make_plan(owner, step2ck__score=250, ecfmg_certified=True)
    client.force_login(owner)

    response = client.get(
        reverse("assessments:plan_compare"), {"a": str(after.token), "b": str(before.token)}
    )

    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "▲ Better" in html and "▼ Worse" not in html
    lead = html.split('<p class="lead">From the ', 1)[1].split("</p>", 1)[0]
    assert lead.index(str(before.token)) < lead.index(str(after.token))
    resolved = html.split("Resolved (", 1)[1].split("In both", 1)[0]
    assert "Not ECFMG certified yet" in resolved


def test_compare_opened_without_a_choice_offers_the_two_newest_plans(client):
    owner = UserFactory()
    older, newer = make_plan(owner), make_plan(owner, specialty="IM", backup_specialties=[])
    client.force_login(owner)
    html = client.get(reverse("assessments:plan_compare")).content.decode()
    earlier, later = html.split('name="b"', 1)
    assert f'value="{older.token}" selected' in earlier.split('name="a"', 1)[1]
    assert f'value="{newer.token}" selected' in later


def test_compare_with_an_ineligible_plan_shows_no_applications_or_cost_for_it(client):
    # The ineligible plan's side showed "80-120" EM applications, "$4,415-$6,235" and a fee
    # source, though its own page says no application plan can be made.
    owner = UserFactory()
    em_programs(2)
    before = make_plan(owner, step2ck__score=238)
    after = make_plan(owner, step1={"result": "fail", "attempts": 4})
    client.force_login(owner)
    html = client.get(
        reverse("assessments:plan_compare"), {"a": str(before.token), "b": str(after.token)}
    ).content.decode()
    cost_row = html.split("Estimated cost (USD)", 1)[1].split("</tr>", 1)[0]
    assert '"text-end text-nowrap">$' in cost_row  # the earlier plan's range
    assert '"text-end text-nowrap">—</td>' in cost_row  # none for the ineligible plan
    dual_row = html.split(">Dual application<", 1)[1].split("</tr>", 1)[0]
    assert "—" in dual_row
    assert "The later plan has no applications or cost" in html
    assert "Later plan's cost." not in html and "Earlier plan's cost." in html


def test_compare_cites_an_old_plans_fee_season_or_calls_its_cost_an_estimate(client):
    owner = UserFactory()
    before, after = make_plan(owner), make_plan(owner)
    Plan.objects.filter(pk=before.pk).update(
        output=_output()
        | {
            "applications": _output()["applications"]
            | {"fee_season": 2024, "fee_source": "Fees for 2024 ERAS Season, AAMC."}
        }
    )
    Plan.objects.filter(pk=after.pk).update(output=_output())
    client.force_login(owner)
    html = client.get(
        reverse("assessments:plan_compare"), {"a": str(before.token), "b": str(after.token)}
    ).content.decode()
    assert "Earlier plan's cost. Fees of the 2024 season. Fees for 2024 ERAS Season, AAMC." in html
    assert "Later plan's cost. Its fee schedule's season and source were not recorded" in html


def test_comparing_with_someone_elses_plan_is_refused(client):
    owner = UserFactory()
    mine = make_plan(owner)
    theirs = make_plan(UserFactory())
    client.force_login(owner)
    response = client.get(
        reverse("assessments:plan_compare"), {"a": str(mine.token), "b": str(theirs.token)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose one of your own plans" in html
    assert "▲ Better" not in html


def test_comparing_a_plan_with_itself_or_garbage_shows_errors(client):
    owner = UserFactory()
    plan = make_plan(owner)
    client.force_login(owner)
    same = client.get(reverse("assessments:plan_compare"), {"a": plan.token, "b": plan.token})
    assert "Choose two different plans." in same.content.decode()
    junk = client.get(reverse("assessments:plan_compare"), {"a": "not-a-uuid", "b": ""})
    assert junk.status_code == 200
    assert "This field is required." in junk.content.decode()


def _output(*, tier="viable", backups=(), flags=(), programs=(), cost=(3000, 4000)):
    return {
        "specialty": "EM",
        "tier": tier,
        "primary": {
            "specialty": "EM",
            "name": "Emergency Medicine",
            "tier": tier,
            "applications": {"min": 60, "max": 80},
        },
        "backups": [
            {"specialty": code, "name": code, "tier": t, "applications": {"min": 70, "max": 100}}
            for code, t in backups
        ],
        "red_flags": [{"code": c, "severity": "high", "message": c} for c in flags],
        "programs": [{"id": i, "name": f"P{i}", "fit": fit} for i, fit in programs],
        "applications": {
            "estimated_cost_usd": {"min": cost[0], "max": cost[1]},
            "total": {"min": 60, "max": 80},
        },
    }


def test_plan_compare_is_a_pure_diff_of_two_outputs():
    before = _output(
        tier="risk",
        backups=[("IM", "risk")],
        flags=["no_usce", "ecfmg_pending"],
        programs=[(1, "reach"), (2, "target")],
    )
    after = _output(
        tier="viable",
        backups=[("FM", "strong")],
        flags=["ecfmg_pending", "no_sloe"],
        programs=[(2, "likely"), (3, "target")],
        cost=(3500, 4000),
    )

    diff = plan_compare(before, after)

    changes = {t.code: t.change for t in diff.tiers}
    assert changes == {"EM": "better", "FM": "added", "IM": "removed"}
    assert [f["code"] for f in diff.flags_added] == ["no_sloe"]
    assert [f["code"] for f in diff.flags_removed] == ["no_usce"]
    assert [f["code"] for f in diff.flags_kept] == ["ecfmg_pending"]
    assert [p.id for p in diff.programs_added] == [3]
    assert [p.id for p in diff.programs_removed] == [1]
    assert [(f.program.id, f.before, f.after) for f in diff.fit_changes] == [
        (2, "target", "likely")
    ]
    assert diff.cost.delta == (500, 0)
    assert diff.tier_changed


def test_plan_compare_of_identical_outputs_reports_no_change():
    out = _output(programs=[(1, "reach")], flags=["no_usce"])
    diff = plan_compare(out, out)
    assert all(t.change == "same" for t in diff.tiers)
    assert not diff.flags_added and not diff.flags_removed
    assert not diff.programs_added and not diff.programs_removed
    assert not diff.cost.changed


def test_plan_compare_survives_empty_outputs():
    diff = plan_compare({}, {"tier": "strong"})
    assert diff.tiers == ()
    assert diff.programs_before == 0
