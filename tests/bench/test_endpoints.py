from __future__ import annotations

from scripts.bench.client import Response
from scripts.bench.endpoints import (
    ENDPOINTS,
    Expect,
    Options,
    plan_generate,
    plan_page,
    sample,
    wizard_post,
)

CTX = {
    "cookies": {"session": "sessionid", "csrf": "csrftoken"},
    "csrf_header": "X-CSRFTOKEN",
    "urls": {
        "healthz": "/healthz",
        "programs": "/programs/",
        "plan_detail": True,
        "plan_whatif": False,
        "plan_service": True,
    },
    "wizard_steps": [
        {
            "name": "background",
            "url": "/assessment/background/",
            "title": "Background",
            "form": True,
        },
        {"name": "goals", "url": "/assessment/goals/", "title": "Goals", "form": True},
        {"name": "review", "url": "/assessment/review/", "title": "Review", "form": False},
    ],
    "applicants": [
        {"session": "s1", "csrf": "c1", "plan_url": "/plans/1/", "specialty_name": "Pediatrics"},
        {"session": "s2", "csrf": "c2"},
    ],
    "visitors": [
        {"session": "v1", "csrf": "d1", "step_bodies": {"background": "b=1", "goals": "g=1"}},
        {"session": "v2", "csrf": "d2", "step_bodies": {"background": "b=2", "goals": "g=2"}},
    ],
}
OPTS = Options(host="127.0.0.1:8701", browser_requests=100)


def response(status=200, body="", headers=None) -> Response:
    return Response(status=status, headers=headers or {}, body=body, started=0, elapsed=0)


def test_expect_names_every_problem():
    expect = Expect((302,), contains=("Plan",), header="location", header_contains="/plans/")
    assert expect.problems(response(302, "Plan", {"location": "/plans/abc/"})) == []
    problems = expect.problems(response(500, "Traceback", {"location": "/accounts/login/"}))
    assert problems == [
        "status 500 (expected (302,))",
        "body lacks 'Plan'",
        "body contains 'Traceback'",
        "location: '/accounts/login/' lacks '/plans/'",
    ]


def test_plan_pages_go_to_applicants_with_a_plan_with_their_own_session():
    items = plan_page(CTX, OPTS)
    assert len(items) == 1
    assert items[0].req.headers["Cookie"] == "sessionid=s1; csrftoken=c1"
    assert items[0].expect.contains == ("Pediatrics",)


def test_wizard_posts_expect_the_next_step_plain_or_through_htmx():
    items = wizard_post(CTX, OPTS)
    assert len(items) == 4  # two visitors, two form steps
    plain = [i for i in items if "HX-Request" not in i.req.headers]
    htmx = [i for i in items if "HX-Request" in i.req.headers]
    assert plain and htmx
    for item in plain:
        assert item.expect.statuses == (302,) and item.expect.header == "location"
    for item in htmx:
        assert item.expect.statuses == (200,) and item.expect.header == "hx-location"
    background = next(i for i in items if i.req.path == "/assessment/background/")
    assert background.expect.header_contains == "/assessment/goals/"
    assert (
        background.req.headers["X-CSRFTOKEN"]
        == background.req.headers["Cookie"].split("csrftoken=")[1]
    )


def test_plan_generation_posts_the_review_step_of_every_visitor():
    items = plan_generate(CTX, OPTS)
    assert [i.req.path for i in items] == ["/assessment/review/"] * 2
    assert all(i.expect.header_contains == "/plans/" for i in items)


def test_missing_features_are_reported_not_measured():
    whatif = next(e for e in ENDPOINTS if e.name == "whatif")
    assert "plan_whatif" in whatif.missing(CTX)
    plan = next(e for e in ENDPOINTS if e.name == "plan")
    assert plan.missing(CTX) is None


def test_sample_spreads_over_the_list_and_keeps_both_ends():
    items = list(range(100))
    picked = sample(items, 5)
    assert picked[0] == 0 and picked[-1] == 99 and len(picked) == 5
    assert sample(items[:3], 5) == [0, 1, 2]


def test_the_explorer_rotation_uses_every_person_with_a_draft_plain_and_through_htmx():
    from scripts.bench.endpoints import EXPLORER_QUERIES, explorer

    ctx = {**CTX, "urls": {**CTX["urls"], "explorer": "/explore/"}}
    items = explorer(ctx, OPTS)

    assert len(items) == 4 * len(EXPLORER_QUERIES)
    htmx = [i for i in items if "HX-Request" in i.req.headers]
    assert 0 < len(htmx) < len(items)
    assert all("<html" in i.expect.absent for i in htmx)
    endpoint = next(e for e in ENDPOINTS if e.name == "explorer")
    assert endpoint.missing(CTX) is not None and endpoint.missing(ctx) is None


def test_the_explorer_rotation_is_verified_whole_so_each_request_is_computed_before_timing():
    from scripts.bench.endpoints import explorer

    ctx = {**CTX, "urls": {**CTX["urls"], "explorer": "/explore/"}}
    items = explorer(ctx, OPTS)
    endpoint = next(e for e in ENDPOINTS if e.name == "explorer")

    assert sample(items, endpoint.verify_limit) == items
    assert not endpoint.warm_on_others


def test_new_what_if_values_are_distinct_and_the_warm_up_asks_other_ones():
    import dataclasses

    from scripts.bench.endpoints import explorer_new_values

    ctx = {**CTX, "urls": {**CTX["urls"], "explorer": "/explore/"}}
    measured = explorer_new_values(ctx, OPTS)
    warm = explorer_new_values(ctx, dataclasses.replace(OPTS, seed=OPTS.seed + 1000))

    def keys(items):
        return {(i.req.path, tuple(sorted(i.req.headers.items()))) for i in items}

    assert len(keys(measured)) == len(measured) == 40 * 5 * 4  # scores, visa needs, people
    assert not keys(measured) & keys(warm)
    assert all("step2ck_score=" in i.req.path for i in measured)
    assert all("HX-Request" in i.req.headers for i in measured)
    endpoint = next(e for e in ENDPOINTS if e.name == "explorer-new")
    assert endpoint.warm_on_others and endpoint.missing(ctx) is None


def test_new_what_if_values_are_distinct_and_the_warm_up_never_repeats_them():
    from dataclasses import replace

    from scripts.bench.endpoints import whatif_new_values

    applicant = {
        "session": "s1",
        "csrf": "c1",
        "plan_url": "/plans/1/",
        "specialty": "IM",
        "whatif_url": "/plans/1/what-if/",
    }
    ctx = {**CTX, "applicants": [applicant, {"session": "s2", "csrf": "c2"}]}
    measured = whatif_new_values(ctx, OPTS)
    warm_up = whatif_new_values(ctx, replace(OPTS, seed=OPTS.seed + 1000))

    bodies = [i.req.body for i in measured]
    assert len(bodies) == len(set(bodies)) == 40 * 4  # 40 scores of one parity, 4 visa needs
    assert not set(bodies) & {i.req.body for i in warm_up}
    assert all(i.req.path == "/plans/1/what-if/" for i in measured)
    assert all("specialty=IM" in i.req.body for i in measured)
    assert all(i.expect.contains == ("What-if result",) for i in measured)
    # As htmx sends it from the plan page: the outcome under the form is the target.
    assert all(i.req.headers["HX-Target"] == "whatif-outcome" for i in measured)
    endpoint = next(e for e in ENDPOINTS if e.name == "whatif-new")
    assert endpoint.missing(CTX) is not None and endpoint.warm_on_others


def test_every_what_if_of_the_rotation_is_checked_so_the_run_measures_them_revisited():
    from scripts.bench.endpoints import whatif

    applicants = [
        {
            "session": f"s{i}",
            "csrf": f"c{i}",
            "plan_url": f"/plans/{i}/",
            "whatif_url": f"/plans/{i}/what-if/",
            "whatif_bodies": [f"step2ck_score={200 + j}" for j in range(5)],
        }
        for i in range(20)  # prepare.py's applicants, five values each
    ]
    items = whatif({**CTX, "applicants": applicants}, OPTS)
    endpoint = next(e for e in ENDPOINTS if e.name == "whatif")

    assert len(items) == 100
    assert sample(items, endpoint.verify_limit) == items
