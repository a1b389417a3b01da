"""The plan page: access, content from the snapshot only, the htmx program table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.drafts import SESSION_PLAN_TOKENS_KEY
from assessments.models import SpecialtyRule
from assessments.plans.reader import plan_output
from assessments.plans.view import plan_view_cache_clear
from programs.models import Program
from tests.factories import UserFactory, em_programs, make_plan

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(plan, **query) -> str:
    base = reverse("assessments:plan_detail", args=[plan.token])
    if query:
        base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


def give_session_token(client, plan) -> None:
    session = client.session
    session[SESSION_PLAN_TOKENS_KEY] = [str(plan.token)]
    session.save()


@pytest.fixture
def plan(owner):
    em_programs(3)
    return make_plan(owner)


def test_the_owner_sees_the_plan(client, owner, plan):
    client.force_login(owner)
    response = client.get(url(plan))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your Emergency Medicine application plan" in html
    assert "tier-viable" in html and ">Viable<" in html  # a word beside every colour
    assert "Internal Medicine (IM)" in html  # the backup's tier card
    assert "Not ECFMG certified yet" in html  # a red flag with its message
    assert "Source: ECFMG certification requirements" in html
    assert "Contiguous ranks" in html and "Dual application" in html
    assert "Match Day" in html and "status-badge status-" in html
    assert "impact" in html
    assert reverse("assessments:methodology") in html
    assert 'id="advisor-feedback"' in html
    assert "Save this plan to an account" not in html
    for program in Program.objects.all():
        assert program.name in html


def test_the_chart_is_inline_svg_readable_without_colour(client, owner, plan):
    client.force_login(owner)
    html = client.get(url(plan)).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<title" in svg and "<desc" in svg
    assert "style" not in svg
    assert "Your Step 2 CK: 238" in svg
    assert "Passing standard" in svg
    for word in ("High risk", "At risk", "Viable", "Strong"):
        assert word in svg


def test_another_user_gets_404(client, plan):
    client.force_login(UserFactory())
    assert client.get(url(plan)).status_code == 404


def test_an_anonymous_visitor_without_the_token_is_sent_to_log_in(client, plan):
    response = client.get(url(plan))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


def test_an_unknown_token_for_a_logged_in_user_is_404(client, owner, plan):
    client.force_login(owner)
    response = client.get(
        reverse("assessments:plan_detail", args=["0" * 8 + "-0000-4000-8000-" + "0" * 12])
    )
    assert response.status_code == 404


def test_an_anonymous_plan_opens_with_the_token_in_the_session_and_offers_saving(client):
    em_programs(2)
    plan = make_plan(None)
    give_session_token(client, plan)

    response = client.get(url(plan))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Save this plan to an account" in html
    assert f"{reverse('accounts:signup')}?next={url(plan).replace('/', '%2F')}" in html
    assert f"{reverse('accounts:login')}?next={url(plan).replace('/', '%2F')}" in html
    assert 'id="advisor-feedback"' not in html


def test_a_claimed_plan_no_longer_opens_from_an_old_session_token(client, owner):
    plan = make_plan(owner)
    give_session_token(client, plan)
    assert client.get(url(plan)).status_code == 404


def test_a_session_token_does_not_open_another_users_plan_for_a_logged_in_user(client, plan):
    client.force_login(UserFactory())
    give_session_token(client, plan)
    assert client.get(url(plan)).status_code == 404


def test_editing_programs_and_rules_later_never_changes_a_saved_plan(client, owner):
    program = em_programs(1, name="Old Name Program", img_share=40)[0]
    plan = make_plan(owner)

    Program.objects.filter(pk=program.pk).update(name="New Name Program", img_share=5)
    rule = SpecialtyRule.objects.get(specialty__code="EM")
    rule.strong_min, rule.viable_min, rule.risk_min = 260, 250, 240
    rule.save()
    plan_view_cache_clear()

    client.force_login(owner)
    html = client.get(url(plan)).content.decode()
    assert "Old Name Program" in html and "New Name Program" not in html
    assert "40%" in html
    assert "strong from 245, viable from 238, at risk from 225" in html
    assert "strong from 260" not in html
    assert ">Viable<" in html


def test_each_program_row_cites_its_source_and_when_its_facts_were_verified(client, owner):
    verified = em_programs(1, name="Checked Program", source="AMA FREIDA listing")[0]
    Program.objects.filter(pk=verified.pk).update(last_verified=dt.date(2026, 8, 3))
    unverified = em_programs(1, name="Unchecked Program", source="")[0]
    Program.objects.filter(pk=unverified.pk).update(last_verified=None)
    plan = make_plan(owner)
    Program.objects.filter(pk=verified.pk).update(source="Edited later")  # the plan keeps its own
    plan_view_cache_clear()
    client.force_login(owner)

    html = client.get(url(plan), **HX).content.decode()
    rows = {name: html.split(name, 1)[1].split("</th>", 1)[0] for name in ("Checked", "Unchecked")}
    assert (
        'Source: AMA FREIDA listing; facts as of <time datetime="2026-08-03">3 Aug 2026</time>'
        in rows["Checked"]
    )
    assert "Source: not recorded; facts never verified" in rows["Unchecked"]
    assert "Edited later" not in html


def test_filtering_with_htmx_returns_only_the_table(client, owner):
    em_programs(2, name="Alpha Program", state="NY")
    em_programs(2, name="Beta Program", state="TX")
    plan = make_plan(owner)
    client.force_login(owner)

    partial = client.get(url(plan, state="TX"), **HX)
    html = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in html
    assert "Beta Program" in html and "Alpha Program" not in html
    assert "Showing 1–2 of 2 programs matching your filters (out of 4)" in html

    full = client.get(url(plan, state="TX")).content.decode()
    # The signals section above may name any program; the filtered table is what counts.
    table = full.split('id="programs"', 1)[1]
    assert "<html" in full and "Beta Program" in table and "Alpha Program" not in table


def test_text_search_and_fit_filters(client, owner):
    em_programs(1, name="Riverside Program", step2_typical=220)  # likely for a 238
    em_programs(1, name="Hilltop Program", step2_typical=260, img_share=30)  # reach
    plan = make_plan(owner)
    client.force_login(owner)
    html = client.get(url(plan, q="river"), **HX).content.decode()
    assert "Riverside Program" in html and "Hilltop Program" not in html
    html = client.get(url(plan, fit="reach"), **HX).content.decode()
    assert "Hilltop Program" in html and "Riverside Program" not in html


def test_invalid_filter_values_are_ignored_not_errors(client, owner, plan):
    client.force_login(owner)
    response = client.get(url(plan, fit="bogus", state="ZZ", sort="evil", page="x"), **HX)
    assert response.status_code == 200
    assert "Showing 1–3 of 3 programs." in response.content.decode()


def _names_in_order(html: str) -> list[str]:
    return re.findall(r"(Program [A-Z])</(?:a|span)>", html)


def test_sorting_by_name_and_by_img_share(client, owner):
    for letter, share in (("C", 20), ("A", 60), ("B", None)):
        em_programs(1, name=f"Program {letter}", img_share=share)
    plan = make_plan(owner)
    client.force_login(owner)

    html = client.get(url(plan, sort="name"), **HX).content.decode()
    assert _names_in_order(html) == ["Program A", "Program B", "Program C"]
    html = client.get(url(plan, sort="name", dir="desc"), **HX).content.decode()
    assert _names_in_order(html) == ["Program C", "Program B", "Program A"]
    html = client.get(url(plan, sort="img"), **HX).content.decode()
    assert _names_in_order(html) == ["Program A", "Program C", "Program B"]  # unknown last
    assert 'aria-sort="descending"' in html


def test_a_long_list_is_paginated(client, owner):
    em_programs(60)
    plan = make_plan(owner)
    client.force_login(owner)
    html = client.get(url(plan)).content.decode()
    assert "Showing 1–50 of 60 programs." in html
    assert "Page 1 of 2" in html and "?page=2" in html
    html = client.get(url(plan, page=2), **HX).content.decode()
    assert "Showing 51–60 of 60 programs." in html


def test_program_names_link_to_the_catalog_only_while_the_program_exists(client, owner):
    kept, gone = em_programs(2)
    plan = make_plan(owner)
    gone_pk = gone.pk
    gone.delete()
    client.force_login(owner)
    html = client.get(url(plan)).content.decode()
    assert f'href="{reverse("programs:detail", args=[kept.pk])}"' in html
    assert f'href="{reverse("programs:detail", args=[gone_pk])}"' not in html
    assert gone.name in html  # still listed, from the snapshot


def _count_queries(client, path: str) -> int:
    plan_view_cache_clear()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_plan_page_query_count_does_not_grow_with_the_programs(client, owner):
    em_programs(2)
    small = make_plan(owner)
    em_programs(120)
    large = make_plan(owner)
    assert len(plan_output(large)["programs"]) == 122
    client.force_login(owner)
    client.get(url(small))  # warm up the session and user lookups

    few, many = _count_queries(client, url(small)), _count_queries(client, url(large))

    assert few == many
    # session (or none: cached_db reads it from the cache), user, the navigation's advisor
    # check, the plan (with its feedback and advisor flags), its output and program entries,
    # its snapshot ids and (cold cache) their facts, which listed programs still exist, the
    # what-if specialties
    assert many <= 10


def test_the_cached_view_saves_the_snapshot_query(
    client, owner, plan, django_assert_max_num_queries
):
    client.force_login(owner)
    client.get(url(plan))
    with django_assert_max_num_queries(3):  # session, user, the plan
        assert client.get(url(plan), **HX).status_code == 200


def test_page_and_fragment_vary_on_the_htmx_header(client, owner, plan):
    client.force_login(owner)
    for extra in ({}, HX):
        assert "HX-Request" in client.get(url(plan), **extra)["Vary"]


def _strategy_row(html: str, name: str) -> str:
    table = html[html.index('id="strategy-heading"') : html.index("</table>")]
    return table[table.index(f'<th scope="row">{name}') :].split("</tr>")[0]


def test_a_backup_left_out_of_the_cost_says_so_beside_its_figures(client, owner, plan):
    # A viable EM profile: one specialty is the better bet, so the engine leaves the listed
    # IM backup out of the totals while still showing its own figures.
    client.force_login(owner)
    html = client.get(url(plan)).content.decode()
    output = plan_output(plan)
    assert output["dual_apply"]["recommended"] is False
    primary = output["primary"]["applications"]
    assert output["applications"]["total"] == {"min": primary["min"], "max": primary["max"]}
    assert "For reference, not in the total" in _strategy_row(html, "Internal Medicine")
    assert '<th scope="row">Total (EM only)</th>' in html
    assert "IM not counted" in html and "in all, with backups" not in html


def test_a_recommended_backup_counts_in_the_totals(client, owner):
    em_programs(3)
    plan = make_plan(owner, step2ck__score=226)  # at risk in EM: apply to IM as well
    client.force_login(owner)
    html = client.get(url(plan)).content.decode()
    output = plan_output(plan)
    assert output["dual_apply"]["recommended"] is True
    assert "For reference, not in the total" not in _strategy_row(html, "Internal Medicine")
    assert '<th scope="row">All specialties</th>' in html
    assert "in all, with backups" in html and "not counted" not in html


def test_dates_in_the_summary_and_timeline_read_as_the_plan_writes_dates(client, owner):
    # "taken 2026-10-08" and "Done: 238 on 2026-10-08." read as database values.
    taken = dt.date.today() - dt.timedelta(days=60)
    plan = make_plan(owner, step2ck__test_date=taken.isoformat())
    client.force_login(owner)
    html = client.get(url(plan)).content.decode()
    words = f"{taken.day} {taken:%B %Y}"
    assert f", taken {words}." in html
    assert f"Done: 238 on {words}." in html
    assert taken.isoformat() not in html.split('id="summary"', 1)[1].split('id="programs"', 1)[0]
