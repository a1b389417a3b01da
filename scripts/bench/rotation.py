"""Rotating request sets and their serialisation for scripts/wrk/rotate.lua. Pure functions.

A rotation is a list of complete requests (method, path, headers, body). wrk's Lua script
walks it in a loop, each wrk thread from its own offset, so consecutive requests differ the
way real visitors' do and a cache helps only as much as the variety of the list allows.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None


def lua_string(value: str) -> str:
    """A Lua double-quoted string literal for any text (bytes above 127 pass through)."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif code < 32 or code == 127:
            out.append(f"\\{code:03d}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def to_lua(requests: Sequence[Req]) -> str:
    """A Lua chunk returning {{method, path, headers, body}, ...} for rotate.lua's dofile()."""
    if not requests:
        raise ValueError("a rotation needs at least one request")
    lines = ["return {"]
    for req in requests:
        headers = ", ".join(
            f"[{lua_string(name)}] = {lua_string(value)}" for name, value in req.headers.items()
        )
        body = "nil" if req.body is None else lua_string(req.body)
        lines.append(
            f"  {{{lua_string(req.method)}, {lua_string(req.path)}, {{{headers}}}, {body}}},"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def cookie_header(cookies: Mapping[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def form_post(
    path: str,
    body: str,
    *,
    cookies: Mapping[str, str],
    csrf_header: str,
    csrf_token: str,
    htmx: bool = False,
    target: str = "",
    host: str = "",
) -> Req:
    """A form POST as a browser sends it: session + CSRF cookie, token in the header; with
    ``htmx``, the ``target`` id htmx names as HX-Target (it sends the id of the element the
    answer will replace)."""
    headers = {
        "Content-Type": FORM_CONTENT_TYPE,
        "Cookie": cookie_header(cookies),
        csrf_header: csrf_token,
    }
    if htmx:
        headers["HX-Request"] = "true"
        if target:
            headers["HX-Target"] = target
    if host:
        headers["Host"] = host
    return Req("POST", path, headers, body)


def get(
    path: str, *, cookies: Mapping[str, str] | None = None, htmx: bool = False, host: str = ""
) -> Req:
    headers: dict[str, str] = {}
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    if htmx:
        headers["HX-Request"] = "true"
    if host:
        headers["Host"] = host
    return Req("GET", path, headers)


# --- the program browser ------------------------------------------------------------------

BROWSER_FIELDS = ("q", "specialty", "state", "program_type", "j1", "h1b", "min_img", "sort")
IMG_MINIMUMS = (10, 20, 25, 30, 40, 50, 60)


@dataclass(frozen=True)
class BrowserChoices:
    """The values the browser's filter form offers (read from the form by prepare)."""

    specialties: Sequence[str]
    states: Sequence[str]
    program_types: Sequence[str]
    sorts: Sequence[str]  # the first is the default order


def browser_query(params: Mapping[str, str], *, page: int, full_form: bool) -> str:
    """The query string a visitor's browser sends.

    Submitting the filter form (page 1) sends every field, empty ones included, in form
    order; the pager's links carry only the fields that are set, plus the page.
    """
    if full_form:
        pairs = [(name, params.get(name, "")) for name in BROWSER_FIELDS]
        if page > 1:
            pairs.append(("page", str(page)))
    else:
        pairs = [(name, params[name]) for name in BROWSER_FIELDS if params.get(name)]
        if page > 1:
            pairs.append(("page", str(page)))
    return urlencode(pairs)


def browser_params(rng: random.Random, choices: BrowserChoices) -> dict[str, str]:
    """One visitor's filter set: most filter on a specialty, some on a state or visa."""
    params: dict[str, str] = {}
    if rng.random() < 0.65:
        params["specialty"] = rng.choice(list(choices.specialties))
    if rng.random() < 0.4:
        params["state"] = rng.choice(list(choices.states))
    if rng.random() < 0.3:
        params["j1"] = "yes"
    if rng.random() < 0.2:
        params["h1b"] = "yes"
    if rng.random() < 0.35:
        params["min_img"] = str(rng.choice(IMG_MINIMUMS))
    if rng.random() < 0.2:
        params["program_type"] = rng.choice(list(choices.program_types))
    if rng.random() < 0.45 and len(choices.sorts) > 1:
        params["sort"] = rng.choice(list(choices.sorts[1:]))
    return params


def browser_page(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.6:
        return 1
    if roll < 0.8:
        return 2
    return rng.randint(3, 12)


def browser_rotation(
    *,
    choices: BrowserChoices,
    count: int,
    seed: int,
    base_path: str = "/programs/",
    host: str = "",
    texts: Sequence[str] = (),
    max_attempts: int | None = None,
) -> list[Req]:
    """`count` distinct browser requests: filters, sort, page, full page or htmx partial.

    With `texts`, every request also searches for one of them (the text-search rotation).
    Raises if `count` distinct requests cannot be drawn within the attempt budget.
    """
    rng = random.Random(seed)
    seen: set[tuple[str, bool]] = set()
    requests: list[Req] = []
    attempts = max_attempts if max_attempts is not None else count * 50
    for _ in range(attempts):
        if len(requests) == count:
            break
        params = browser_params(rng, choices)
        if texts:
            params["q"] = rng.choice(list(texts))
        page = browser_page(rng)
        htmx = rng.random() < 0.5
        # Page 1 comes from submitting the form, later pages from the pager's links.
        full_form = page == 1 or rng.random() < 0.1
        query = browser_query(params, page=page, full_form=full_form)
        path = f"{base_path}?{query}" if query else base_path
        key = (path, htmx)
        if key in seen:
            continue
        seen.add(key)
        requests.append(get(path, htmx=htmx, host=host))
    if len(requests) < count:
        raise ValueError(f"could only draw {len(requests)} distinct requests of {count}")
    return requests


# --- mixing -------------------------------------------------------------------------------


def interleave(
    weighted: Sequence[tuple[Sequence[Req], int]], *, total: int, seed: int
) -> list[Req]:
    """A mixed rotation of `total` requests: each source by its weight, in a shuffled order,
    each source walked in turn so that all of its requests are used before any repeats."""
    sources = [(list(reqs), weight) for reqs, weight in weighted if reqs and weight > 0]
    if not sources:
        raise ValueError("nothing to mix")
    weight_sum = sum(weight for _reqs, weight in sources)
    rng = random.Random(seed)
    slots: list[int] = []
    for index, (_reqs, weight) in enumerate(sources):
        slots.extend([index] * max(1, round(total * weight / weight_sum)))
    rng.shuffle(slots)
    positions = [0] * len(sources)
    mixed = []
    for index in slots:
        reqs = sources[index][0]
        mixed.append(reqs[positions[index] % len(reqs)])
        positions[index] += 1
    return mixed
