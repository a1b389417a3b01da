"""Per-request CPU cost of one or more URLs, measured in-process (no HTTP, no gunicorn).

Runs Django with the production settings the benchmark serves (DEBUG off) against the
database in DATABASE_URL (the benchmark database by default), sends each request through
the test client as the given user, and prints the mean and median CPU and wall time per
request and the number of queries. ``--profile`` prints cProfile's top functions.

    .venv/bin/python scripts/profile_request.py /programs/?specialty=IM \\
        --as applicant-01@bench.invalid --repeat 200 [--htmx [--target ID]] [--post 'a=1&b=2']
        [--profile]

Several URLs rotate (each request takes the next), so caches help only as much as they
would over that rotation. This script is for finding where time goes; the figures that
count come from `make bench`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/matchplan_bench_dev"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "profile-request-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "0"
    os.environ["SECURE_HSTS_SECONDS"] = "0"
    import django

    django.setup()


class _CacheReads:
    """Times every ``get`` of the default cache from now on, grouped by kind of key (the
    key with its digests and session ids left out)."""

    def __init__(self) -> None:
        import re

        from django.core.cache import caches

        self.kinds: dict[str, list[float]] = {}
        self._anonymous = re.compile(r"[0-9a-f]{16,}|(?<=cached_db)\w+")
        # Sessions, fragments and the app's own entries all use the default cache (this
        # thread's instance, which every request of this script reuses).
        backend = caches["default"]
        original = backend.get

        def get(key, default=None, version=None):
            c0, w0 = time.process_time(), time.perf_counter()
            value = original(key, default, version=version)
            c1, w1 = time.process_time(), time.perf_counter()
            kind = self._anonymous.sub("…", key)
            row = self.kinds.setdefault(kind, [0, 0.0, 0.0, 0])
            row[0] += 1
            row[1] += c1 - c0
            row[2] += w1 - w0
            row[3] = max(row[3], len(value) if isinstance(value, str | bytes) else 0)
            return value

        backend.get = get

    def report(self, requests: int) -> None:
        print("cache reads (per request; per read: CPU ms, wall ms; largest text value)")
        total = 0.0
        for kind, (count, cpu, wall, size) in sorted(self.kinds.items()):
            total += cpu
            print(
                f"  {kind:60.60s} {count / requests:5.2f}  CPU {cpu / count * 1000:6.3f}  "
                f"wall {wall / count * 1000:6.3f}  {size:,} chars"
            )
        print(f"  all cache reads: CPU ms per request {total / requests * 1000:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+", help="paths, e.g. /programs/?specialty=IM")
    parser.add_argument("--as", dest="email", help="log in as this user (no password needed)")
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--htmx", action="store_true", help="send HX-Request: true")
    parser.add_argument("--target", default="", help="with --htmx: the id htmx sends as HX-Target")
    parser.add_argument("--post", help="urlencoded body: POST instead of GET")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 40")
    parser.add_argument(
        "--sort", default="cumulative", help="cProfile order: cumulative (default), tottime, ..."
    )
    parser.add_argument("--dump", help="with --profile: also write the profile to this file")
    parser.add_argument(
        "--cache-reads",
        action="store_true",
        help="also print each kind of cache read: reads per request, CPU and wall per read",
    )
    parser.add_argument(
        "--expect", type=int, default=None, help="expected status (default any 2xx/3xx)"
    )
    args = parser.parse_args(argv)

    _django()
    from django.db import connection
    from django.test import Client

    client = Client(enforce_csrf_checks=False)
    if args.email:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(email=args.email)
        client.force_login(user, backend="accounts.backends.ModelBackend")
    headers = {"HX-Request": "true"} if args.htmx else {}
    if args.htmx and args.target:
        headers["HX-Target"] = args.target

    def send(index: int):
        url = args.urls[index % len(args.urls)]
        if args.post is not None:
            return client.post(
                url, args.post, content_type="application/x-www-form-urlencoded", headers=headers
            )
        return client.get(url, headers=headers)

    for index in range(args.warmup):
        send(index)
    response = send(0)
    if args.expect is not None and response.status_code != args.expect:
        print(f"status {response.status_code}, expected {args.expect}", file=sys.stderr)
        return 1
    if response.status_code >= 400:
        print(f"status {response.status_code} for {args.urls[0]}", file=sys.stderr)
        return 1
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        send(0)

    reads = _CacheReads() if args.cache_reads else None
    cpu: list[float] = []
    wall: list[float] = []
    profiler = cProfile.Profile() if args.profile else None
    for index in range(args.repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        send(index)
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    print(
        f"{len(args.urls)} url(s), {args.repeat} requests, status {response.status_code}, "
        f"{len(queries)} queries, {len(response.content):,} bytes"
    )
    print(
        f"CPU ms   mean {statistics.mean(cpu):7.2f}  median {statistics.median(cpu):7.2f}  "
        f"p95 {sorted(cpu)[int(len(cpu) * 0.95) - 1]:7.2f}"
    )
    print(
        f"wall ms  mean {statistics.mean(wall):7.2f}  median {statistics.median(wall):7.2f}  "
        f"p95 {sorted(wall)[int(len(wall) * 0.95) - 1]:7.2f}"
    )
    if reads:
        reads.report(args.repeat)
    if profiler:
        stats = pstats.Stats(profiler)
        if args.dump:
            stats.dump_stats(args.dump)
        stats.sort_stats(args.sort).print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
