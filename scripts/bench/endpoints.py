"""The measured endpoints, one small entry each.

An entry names the endpoint, builds its rotation from the prepared context (see
scripts.bench.prepare) with what every response must look like, and lists its targets.
An endpoint whose URL or service does not exist yet is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from scripts.bench.client import Response
from scripts.bench.rotation import BrowserChoices, Req, browser_rotation, form_post, get
from scripts.bench.stats import Target

Context = Mapping[str, Any]


@dataclass(frozen=True)
class Expect:
    """What a response must be for the request to count as served correctly."""

    statuses: tuple[int, ...]
    contains: tuple[str, ...] = ()
    absent: tuple[str, ...] = ("Traceback",)
    header: str = ""  # lower-case name of a header that must be present
    header_contains: str = ""

    def problems(self, response: Response) -> list[str]:
        found = []
        if response.status not in self.statuses:
            found.append(f"status {response.status or response.error} (expected {self.statuses})")
        for text in self.contains:
            if text not in response.body:
                found.append(f"body lacks {text!r}")
        for text in self.absent:
            if text in response.body:
                found.append(f"body contains {text!r}")
        if self.header:
            value = response.headers.get(self.header)
            if value is None:
                found.append(f"no {self.header} header")
            elif self.header_contains not in value:
                found.append(f"{self.header}: {value!r} lacks {self.header_contains!r}")
        return found


@dataclass(frozen=True)
class Checked:
    req: Req
    expect: Expect


@dataclass(frozen=True)
class Options:
    host: str
    browser_requests: int
    seed: int = 1


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    build: Callable[[Context, Options], list[Checked]]
    targets: tuple[Target, ...] = ()
    plan_connections: bool = False  # measured at BENCH_PLAN_CONNECTIONS instead
    # Checks create rows (plans): verify a few, not the whole rotation.
    verify_limit: int = 40
    # Warm up on another rotation (built with seed + 1000), so that the measured requests
    # are not yet in the app's caches; otherwise the warm-up repeats the measured rotation.
    warm_on_others: bool = False
    missing: Callable[[Context], str | None] = field(default=lambda ctx: None)


def _cookies(ctx: Context, person: Mapping[str, Any]) -> dict[str, str]:
    return {ctx["cookies"]["session"]: person["session"], ctx["cookies"]["csrf"]: person["csrf"]}


def _post(
    ctx: Context,
    opts: Options,
    person: Mapping[str, Any],
    path: str,
    body: str,
    *,
    htmx: bool,
    target: str = "",
) -> Req:
    return form_post(
        path,
        body,
        cookies=_cookies(ctx, person),
        csrf_header=ctx["csrf_header"],
        csrf_token=person["csrf"],
        htmx=htmx,
        target=target,
        host=opts.host,
    )


# The what-if form's htmx target on a plan page: the outcome under the form.
WHATIF_TARGET = "whatif-outcome"


# --- builders -----------------------------------------------------------------------------


def health(ctx: Context, opts: Options) -> list[Checked]:
    return [
        Checked(
            get(ctx["urls"]["healthz"], host=opts.host),
            Expect((200,), ('"status": "ok"',)),
        )
    ]


def _browser(ctx: Context, opts: Options, *, texts: bool, count: int) -> list[Checked]:
    choices = ctx["browser"]
    requests = browser_rotation(
        choices=BrowserChoices(
            specialties=choices["specialties"],
            states=choices["states"],
            program_types=choices["program_types"],
            sorts=choices["sorts"],
        ),
        count=count,
        seed=opts.seed,
        base_path=ctx["urls"]["programs"],
        host=opts.host,
        texts=choices["texts"] if texts else (),
    )
    full = Expect((200,), ("<html", "results-count"))
    partial = Expect((200,), ("results-count",), absent=("<html", "Traceback"))
    return [Checked(req, partial if "HX-Request" in req.headers else full) for req in requests]


def programs(ctx: Context, opts: Options) -> list[Checked]:
    return _browser(ctx, opts, texts=False, count=opts.browser_requests)


def programs_search(ctx: Context, opts: Options) -> list[Checked]:
    return _browser(ctx, opts, texts=True, count=min(200, opts.browser_requests))


def _with_plans(ctx: Context) -> list[Mapping[str, Any]]:
    return [a for a in ctx["applicants"] if a.get("plan_url")]


def plan_page(ctx: Context, opts: Options) -> list[Checked]:
    return [
        Checked(
            get(a["plan_url"], cookies=_cookies(ctx, a), host=opts.host),
            Expect((200,), (a["specialty_name"],)),
        )
        for a in _with_plans(ctx)
    ]


def wizard_get(ctx: Context, opts: Options) -> list[Checked]:
    checked = []
    for i, visitor in enumerate(ctx["visitors"]):
        for j, step in enumerate(ctx["wizard_steps"]):
            # Back/next links are followed with htmx about a third of the time.
            htmx = (i + j) % 3 == 0
            checked.append(
                Checked(
                    get(step["url"], cookies=_cookies(ctx, visitor), htmx=htmx, host=opts.host),
                    Expect(
                        (200,),
                        (step["title"],),
                        absent=("<html", "Traceback") if htmx else ("Traceback",),
                    ),
                )
            )
    return checked


def wizard_post(ctx: Context, opts: Options) -> list[Checked]:
    steps = ctx["wizard_steps"]
    checked = []
    for i, visitor in enumerate(ctx["visitors"]):
        for j, step in enumerate(steps):
            if not step["form"]:
                continue
            following = steps[min(j + 1, len(steps) - 1)]["url"]
            htmx = (i + j) % 2 == 0
            req = _post(
                ctx, opts, visitor, step["url"], visitor["step_bodies"][step["name"]], htmx=htmx
            )
            # A valid step redirects to the next one: HX-Location for htmx, 302 otherwise.
            expect = (
                Expect((200,), header="hx-location", header_contains=following)
                if htmx
                else Expect((302,), header="location", header_contains=following)
            )
            checked.append(Checked(req, expect))
    return checked


def plan_generate(ctx: Context, opts: Options) -> list[Checked]:
    review = next(step for step in ctx["wizard_steps"] if not step["form"])
    # "again": the review's "Make a new plan anyway" button. Without it a visitor's second
    # POST with unchanged answers only links to the plan made before (nothing is computed).
    return [
        Checked(
            _post(ctx, opts, visitor, review["url"], "again=1", htmx=False),
            Expect((302,), header="location", header_contains="/plans/"),
        )
        for visitor in ctx["visitors"]
    ]


def _whatif(ctx: Context, opts: Options, applicant: Mapping[str, Any], body: str) -> Checked:
    """One what-if as htmx posts it from the plan page, expecting the recomputed tiers (not
    the form again with field errors)."""
    return Checked(
        _post(ctx, opts, applicant, applicant["whatif_url"], body, htmx=True, target=WHATIF_TARGET),
        Expect((200,), ("What-if result",), absent=("<html", "Traceback")),
    )


def whatif(ctx: Context, opts: Options) -> list[Checked]:
    return [
        _whatif(ctx, opts, applicant, body)
        for applicant in _with_plans(ctx)
        for body in applicant.get("whatif_bodies", [])
    ]


# Checked one by one before the warm-up: more than the rotation ever holds (5 values for each
# of prepare.py's 20 applicants).
WHATIF_ROTATION_LIMIT = 1_000


# What-if values no one asked before: each a pass over the plan's specialties (the endpoint
# above is the values an applicant goes back to, each drawn from the shared cache after its
# first request). Scores of one parity, as for the explorer.
WHATIF_VISAS = ("j1", "h1b", "either", "none")


def whatif_new_values(ctx: Context, opts: Options) -> list[Checked]:
    parity = (opts.seed // 1000) % 2
    return [
        _whatif(
            ctx,
            opts,
            applicant,
            urlencode({"step2ck_score": score, "visa": visa, "specialty": applicant["specialty"]}),
        )
        for score in range(200 + parity, 280, 2)
        for visa in WHATIF_VISAS
        for applicant in _with_plans(ctx)
        if applicant.get("whatif_url")
    ]


# The explorer as applicants come back to it: sorted, filtered, with a what-if score. Every
# request of this rotation is verified (and so computed) once before the warm-up: the measured
# run is the explorer revisited, each page drawn from the shared cache. New what-if values,
# each a pass over the whole catalog, are the next endpoint.
EXPLORER_QUERIES = (
    "",
    "?sort=cost",
    "?sponsor=on",
    "?step2ck_score=245&sort=-likely",
    "?preferred=on&sort=signals",
    "?visa=either",
)


def _explorer_people(ctx: Context) -> list[Mapping[str, Any]]:
    return [*ctx["applicants"], *ctx["visitors"]]


def _explorer_get(
    ctx: Context, opts: Options, person: Mapping[str, Any], query: str, *, htmx: bool
) -> Checked:
    return Checked(
        get(
            ctx["urls"]["explorer"] + query,
            cookies=_cookies(ctx, person),
            htmx=htmx,
            host=opts.host,
        ),
        Expect(
            (200,),
            ('id="row-IM"',),
            absent=("<html", "Traceback") if htmx else ("Traceback",),
        ),
    )


def explorer(ctx: Context, opts: Options) -> list[Checked]:
    return [
        # what-if changes and sorting arrive through htmx
        _explorer_get(ctx, opts, person, query, htmx=(i + j) % 2 == 1)
        for i, person in enumerate(_explorer_people(ctx))
        for j, query in enumerate(EXPLORER_QUERIES)
    ]


EXPLORER_VISAS = ("", "j1", "h1b", "either", "none")


def explorer_new_values(ctx: Context, opts: Options) -> list[Checked]:
    """What-if changes no one asked before: each request a Step 2 CK score and visa need not
    in the rotation elsewhere, so each is a pass over the whole catalog and a new table.
    Scores 200-279 of one parity (the seed's thousands pick it, so the warm-up on seed + 1000
    uses the other half), times the visa needs, times the people: thousands of distinct
    requests, more than a run sends."""
    parity = (opts.seed // 1000) % 2
    return [
        _explorer_get(
            ctx,
            opts,
            person,
            f"?step2ck_score={score}" + (f"&visa={visa}" if visa else ""),
            htmx=True,
        )
        for score in range(200 + parity, 280, 2)
        for visa in EXPLORER_VISAS
        for person in _explorer_people(ctx)
    ]


def _needs_explorer(ctx: Context) -> str | None:
    return None if ctx["urls"].get("explorer") else "URL assessments:explorer does not exist yet"


# --- availability -------------------------------------------------------------------------


def _needs_plans(ctx: Context) -> str | None:
    if not ctx["urls"]["plan_service"]:
        return "assessments.services.plan_create does not exist yet"
    if not ctx["urls"]["plan_detail"]:
        return "URL assessments:plan_detail does not exist yet"
    if not _with_plans(ctx):
        return "no applicant has a plan"
    return None


def _needs_whatif(ctx: Context) -> str | None:
    return _needs_plans(ctx) or (
        None if ctx["urls"]["plan_whatif"] else "URL assessments:plan_whatif does not exist yet"
    )


def _needs_plan_service(ctx: Context) -> str | None:
    if not ctx["urls"]["plan_service"]:
        return "assessments.services.plan_create does not exist yet"
    if not ctx["urls"]["plan_detail"]:
        return "URL assessments:plan_detail (the redirect target) does not exist yet"
    return None


WIZARD_P95 = Target("p95_ms", 30)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("health", "health (ceiling)", health),
    Endpoint(
        "programs",
        "program browser",
        programs,
        targets=(Target("share_pct", 15), Target("p95_ms", 50)),
        warm_on_others=True,
    ),
    Endpoint(
        "programs-search", "program browser, text search", programs_search, warm_on_others=True
    ),
    Endpoint("plan", "plan page", plan_page, targets=(Target("p95_ms", 50),), missing=_needs_plans),
    Endpoint("wizard-get", "wizard step GET", wizard_get, targets=(WIZARD_P95,)),
    Endpoint("wizard-post", "wizard step POST", wizard_post, targets=(WIZARD_P95,)),
    Endpoint(
        "plan-generate",
        "plan generation",
        plan_generate,
        targets=(Target("p95_ms", 250),),
        plan_connections=True,
        verify_limit=4,
        missing=_needs_plan_service,
    ),
    Endpoint(
        "whatif",
        "what-if update (htmx)",
        whatif,
        # As for the explorer: every value of the rotation (5 per applicant) is computed
        # once by the checks, so the run measures values applicants go back to at every
        # catalog size; new values are the next endpoint.
        verify_limit=WHATIF_ROTATION_LIMIT,
        missing=_needs_whatif,
    ),
    Endpoint(
        "whatif-new",
        "what-if, new values",
        whatif_new_values,
        warm_on_others=True,
        missing=_needs_whatif,
    ),
    Endpoint(
        "explorer",
        "specialty explorer",
        explorer,
        # The target (#16): p95 at most 100 ms at 5,000 programs.
        targets=(Target("p95_ms", 100, max_programs=5_000),),
        verify_limit=len(EXPLORER_QUERIES) * 1_000,  # the whole rotation: each computed once
        missing=_needs_explorer,
    ),
    Endpoint(
        "explorer-new",
        "specialty explorer, new what-if values",
        explorer_new_values,
        warm_on_others=True,
        missing=_needs_explorer,
    ),
)
# Measured again at the end of a run, to show how much the machine drifted meanwhile.
HEALTH_END = Endpoint("health-end", "health (again, at the end)", health)


def sample(items: list[Checked], limit: int) -> list[Checked]:
    """Up to `limit` items spread evenly over the list (first and last included)."""
    if len(items) <= limit:
        return list(items)
    if limit <= 1:
        return items[:1]
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


def available(ctx: Context, opts: Options) -> tuple[dict[str, list[Checked]], dict[str, str]]:
    """Every endpoint's rotation that can be built now, and the reasons for the others."""
    built: dict[str, list[Checked]] = {}
    skipped: dict[str, str] = {}
    for endpoint in ENDPOINTS:
        reason = endpoint.missing(ctx)
        if reason:
            skipped[endpoint.name] = reason
        else:
            built[endpoint.name] = endpoint.build(ctx, opts)
    return built, skipped


def by_name(name: str) -> Endpoint:
    return next(e for e in (*ENDPOINTS, HEALTH_END) if e.name == name)
