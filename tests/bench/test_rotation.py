from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from scripts.bench.rotation import (
    BROWSER_FIELDS,
    BrowserChoices,
    Req,
    browser_query,
    browser_rotation,
    form_post,
    interleave,
    lua_string,
    to_lua,
)

CHOICES = BrowserChoices(
    specialties=["EM", "IM", "FM", "PEDS", "PSYCH", "NEURO", "ANES", "PATH", "RAD", "GS"],
    states=["NY", "NJ", "TX", "CA", "FL", "IL", "MI", "PA", "OH"],
    program_types=["university", "community_university", "community", "military"],
    sorts=["name", "state", "img_share", "step2"],
)


def test_lua_strings_escape_quotes_backslashes_and_control_characters():
    assert lua_string('a"b\\c') == '"a\\"b\\\\c"'
    assert lua_string("line\nnext\r\x00") == '"line\\nnext\\r\\000"'
    assert lua_string("café") == '"café"'


def test_to_lua_writes_one_entry_per_request_with_nil_for_no_body():
    chunk = to_lua(
        [
            Req("GET", "/programs/?specialty=IM", {"HX-Request": "true"}),
            Req("POST", "/assessment/goals/", {"Cookie": "a=b"}, "x=1&y=2"),
        ]
    )
    assert chunk.startswith("return {\n")
    assert '{"GET", "/programs/?specialty=IM", {["HX-Request"] = "true"}, nil},' in chunk
    assert '{"POST", "/assessment/goals/", {["Cookie"] = "a=b"}, "x=1&y=2"},' in chunk


def test_an_empty_rotation_is_an_error():
    with pytest.raises(ValueError):
        to_lua([])


def test_form_posts_carry_the_session_the_csrf_pair_and_the_form_type():
    req = form_post(
        "/assessment/exams/",
        "a=1",
        cookies={"sessionid": "s1", "csrftoken": "t1"},
        csrf_header="X-CSRFTOKEN",
        csrf_token="t1",
        htmx=True,
        host="127.0.0.1:8701",
    )
    assert req.headers == {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "sessionid=s1; csrftoken=t1",
        "X-CSRFTOKEN": "t1",
        "HX-Request": "true",
        "Host": "127.0.0.1:8701",
    }
    assert req.body == "a=1"


def test_a_form_submission_sends_every_field_and_a_pager_link_only_the_set_ones():
    params = {"specialty": "IM", "j1": "yes"}
    full = parse_qs(browser_query(params, page=1, full_form=True), keep_blank_values=True)
    assert list(full) == list(BROWSER_FIELDS)
    assert full["specialty"] == ["IM"] and full["state"] == [""]
    link = browser_query(params, page=3, full_form=False)
    assert link == "specialty=IM&j1=yes&page=3"


def test_browser_rotation_has_distinct_requests_over_every_dimension():
    requests = browser_rotation(choices=CHOICES, count=300, seed=1, host="127.0.0.1:8701")
    keys = {(r.path, "HX-Request" in r.headers) for r in requests}
    assert len(requests) == len(keys) == 300
    queries = [parse_qs(urlsplit(r.path).query) for r in requests]
    assert {q["specialty"][0] for q in queries if q.get("specialty")} == set(CHOICES.specialties)
    assert len({q["state"][0] for q in queries if q.get("state")}) >= 5
    for name in ("j1", "h1b", "min_img", "program_type", "sort"):
        assert any(q.get(name) for q in queries), name
    pages = Counter(int(q.get("page", ["1"])[0]) for q in queries)
    assert pages[1] > pages[2] > 0 and max(pages) > 3
    htmx = sum("HX-Request" in r.headers for r in requests)
    assert 0.3 < htmx / len(requests) < 0.7
    assert all(r.headers["Host"] == "127.0.0.1:8701" for r in requests)


def test_browser_rotation_is_deterministic_per_seed():
    first = browser_rotation(choices=CHOICES, count=120, seed=3)
    assert first == browser_rotation(choices=CHOICES, count=120, seed=3)
    assert first != browser_rotation(choices=CHOICES, count=120, seed=4)


def test_text_search_rotation_searches_in_every_request():
    requests = browser_rotation(choices=CHOICES, count=50, seed=2, texts=["Spring", "Lake"])
    assert all(parse_qs(urlsplit(r.path).query)["q"][0] in ("Spring", "Lake") for r in requests)


def test_browser_rotation_says_when_it_cannot_draw_enough_distinct_requests():
    tiny = BrowserChoices(
        specialties=["IM"], states=["NY"], program_types=["community"], sorts=["name"]
    )
    with pytest.raises(ValueError, match="distinct"):
        browser_rotation(choices=tiny, count=5000, seed=1, max_attempts=5000)


def test_interleave_mixes_by_weight_and_walks_each_source_in_order():
    a = [Req("GET", f"/a/{i}") for i in range(3)]
    b = [Req("GET", f"/b/{i}") for i in range(100)]
    mixed = interleave([(a, 3), (b, 1)], total=400, seed=1)
    counts = Counter(r.path.split("/")[1] for r in mixed)
    assert counts == {"a": 300, "b": 100}
    assert [r.path for r in mixed if r.path.startswith("/b/")] == [f"/b/{i}" for i in range(100)]
    assert [r.path for r in mixed if r.path.startswith("/a/")][:4] == [
        "/a/0",
        "/a/1",
        "/a/2",
        "/a/0",
    ]
