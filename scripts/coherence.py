"""Two app servers, one PostgreSQL and one Redis: are sessions and caches coherent?

`make coherence` (or `python -m scripts.coherence`) builds a small database, starts two
gunicorn instances on two ports with the same settings (as two app servers behind a load
balancer would be), and checks through plain HTTP:

1. a session started (logged in) on server A is valid on server B, and B reads it from the
   shared cache: it stays valid on B after its database row is deleted behind the cache's
   back (with a per-process cache B would read the database and find no session);
2. a page A rendered is served by B from the shared cache: B shows A's cached fragment
   after the program is renamed in the database without a catalog version change (with a
   per-process cache B would render the new name); and a catalog edit made in Django admin
   through A shows on B's next request (cached counts and fragments are keyed by the
   catalog version);
3. logging out on A ends the session on B too (sessions are read from the shared cache:
   with a per-process cache B would still hold the old session).

It prints one line per check and `COHERENCE PASSED` or `COHERENCE FAILED`; exit 0 or 1.
Needs PostgreSQL at 127.0.0.1:5432 (COHERENCE_DATABASE_URL, a name containing "bench",
default matchplan_bench_coherence; dropped and created) and Redis (REDIS_URL).
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from scripts.bench import server
from scripts.bench.client import Response, send
from scripts.bench.config import server_config
from scripts.bench.rotation import Req

# "bench" in the name: the harness drops and re-creates only such databases.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/matchplan_bench_coherence"
EMAIL = "coherence@example.com"
PASSWORD = "coherence-check-Password-1"  # noqa: S105 (a throwaway local account)
OLD_NAME = "Coherence Check Program"
NEW_NAME = "Coherence Check Program, renamed"
HIDDEN_NAME = "Coherence Check Program, renamed behind the cache"
# Behind the cache's back: QuerySet.delete and update send nothing the caches listen to, and
# update leaves updated_at (so the catalog version) as it was.
DELETE_SESSION_ROWS = """
from django.contrib.sessions.models import Session
Session.objects.all().delete()
"""


def rename_quietly(old: str, new: str) -> str:
    return f"""
from programs.models import Program
assert Program.objects.filter(name={old!r}).update(name={new!r}) == 1
"""


class Browser:
    """Cookies kept across requests to two ports (cookies are per host, not per port)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        response = send(port, Req(method, path, headers=headers, body=body), timeout=30)
        for name, value in response.headers.items():
            if name == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[morsel.key] = morsel.value
                    else:
                        self.cookies.pop(morsel.key, None)
        return response


class FormFields(HTMLParser):
    """The fields a browser would submit from the first form with method="post"."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            value = self._select_value if self._select_value is not None else self._first_option
            if value is not None:
                self.fields.append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


def log_in(browser: Browser, port: int, path: str, username_field: str) -> Response:
    page = browser.request(port, "GET", path)
    return browser.request(
        port,
        "POST",
        path,
        {
            "csrfmiddlewaretoken": csrf_from(page.body),
            username_field: EMAIL,
            "password": PASSWORD,
        },
    )


def program_names(html: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'class="fw-semibold">([^<]+)</a>', html)]


def main() -> int:
    if not os.environ.get("REDIS_URL"):
        print("COHERENCE FAILED: set REDIS_URL (the shared cache the servers must share)")
        return 1
    database_url = os.environ.get("COHERENCE_DATABASE_URL", DEFAULT_DATABASE_URL)
    base = replace(
        server_config(8751, "COHERENCE_PORT"),
        database_url=database_url,
        workers=2,
        redis_url=os.environ["REDIS_URL"],  # the Redis asked for, not the benchmark default
    )
    config_a, config_b = base, replace(base, port=base.port + 1)
    env = server.django_env(config_a, server.new_secret_key())
    server.database_reset(database_url)
    server.manage(env, "migrate", "--noinput", "-v", "0")
    server.manage(env, "collectstatic", "--noinput", "-v", "0")  # DEBUG off: the manifest
    setup = f"""
from django.core.cache import cache
from accounts.models import User
from programs.models import Program, Specialty
cache.clear()
User.objects.create_superuser(email={EMAIL!r}, password={PASSWORD!r})
Program.objects.create(name={OLD_NAME!r}, institution="Coherence Medical Center",
    city="Testville", state="NY", specialty=Specialty.objects.get(code="IM"),
    program_type="community", source="Coherence check")
"""
    server.manage(env, "shell", "-c", setup)
    results: list[tuple[bool, str]] = []
    logs = Path(tempfile.mkdtemp(prefix="matchplan-coherence-"))
    with (
        server.Gunicorn(config_a, env, logs / "a.log"),
        server.Gunicorn(config_b, env, logs / "b.log"),
    ):
        a, b = config_a.port, config_b.port
        browser = Browser()

        # 1. A session started on A is valid on B, read from the shared cache.
        logged_in = log_in(browser, a, "/accounts/login/", "username")
        account_b = browser.request(b, "GET", "/accounts/")
        results.append(
            (
                logged_in.status == 302 and account_b.status == 200 and EMAIL in account_b.body,
                f"session started on :{a} (HTTP {logged_in.status}) is valid on :{b} "
                f"(GET /accounts/ -> HTTP {account_b.status})",
            )
        )
        server.manage(env, "shell", "-c", DELETE_SESSION_ROWS)
        from_cache = browser.request(b, "GET", "/accounts/")
        results.append(
            (
                from_cache.status == 200 and EMAIL in from_cache.body,
                f"with its database row deleted, the session is still valid on :{b} "
                f"(GET /accounts/ -> HTTP {from_cache.status}): B reads the shared cache",
            )
        )

        # 2. B serves the fragment A cached; a catalog edit through A shows on B at once.
        query = "/programs/?q=Coherence"
        on_a = program_names(browser.request(a, "GET", query).body)
        server.manage(env, "shell", "-c", rename_quietly(OLD_NAME, HIDDEN_NAME))
        on_b = program_names(browser.request(b, "GET", query).body)
        server.manage(env, "shell", "-c", rename_quietly(HIDDEN_NAME, OLD_NAME))
        results.append(
            (
                on_a == on_b == [OLD_NAME],
                f"a page rendered on :{a} is served by :{b} from the shared cache (renamed in "
                f"the database without a catalog version change, :{b} still shows {on_b})",
            )
        )
        before = program_names(browser.request(b, "GET", query).body)
        again = program_names(browser.request(b, "GET", query).body)  # from B's cache now
        change_list = browser.request(a, "GET", "/admin/programs/program/?q=Coherence").body
        found = re.search(r'href="(/admin/programs/program/\d+/change/)[^"]*"', change_list)
        edited = 0
        if found:
            change = found.group(1)
            parser = FormFields()
            parser.feed(browser.request(a, "GET", change).body)
            form = [(k, NEW_NAME if k == "name" else v) for k, v in parser.fields]
            edited = browser.request(a, "POST", change, dict(form) | {"_save": "Save"}).status
        after = program_names(browser.request(b, "GET", query).body)
        results.append(
            (
                before == again == [OLD_NAME] and edited == 302 and after == [NEW_NAME],
                f"catalog edit in admin on :{a} (HTTP {edited}) is seen on :{b}'s next request "
                f"(before {before}, after {after})",
            )
        )

        # 3. Logging out on A ends the session on B.
        page = browser.request(a, "GET", "/accounts/")
        old_session = browser.cookies.get("sessionid", "")
        logout = browser.request(
            a, "POST", "/accounts/logout/", {"csrfmiddlewaretoken": csrf_from(page.body)}
        )
        # The old cookie, as a second tab (or a copied cookie) would still send it to B.
        browser.cookies["sessionid"] = old_session
        account_b = browser.request(b, "GET", "/accounts/")
        results.append(
            (
                logout.status == 302 and account_b.status == 302,
                f"log-out on :{a} (HTTP {logout.status}) ends the session on :{b} "
                f"(GET /accounts/ -> HTTP {account_b.status}, a redirect to log in)",
            )
        )

    for ok, text in results:
        print(f"{'ok  ' if ok else 'FAIL'} {text}")
    passed = all(ok for ok, _text in results)
    print("COHERENCE PASSED" if passed else f"COHERENCE FAILED (server logs in {logs})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
