"""The benchmark database, manage.py steps and the gunicorn process under test."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from scripts.bench.client import wait_until_healthy
from scripts.bench.config import HOST, ROOT, VENV_BIN, ServerConfig

LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
GUNICORN_CONF = ROOT / "docker" / "gunicorn.conf.py"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- wrk ----------------------------------------------------------------------------------


def wrk_ensure() -> str:
    """Path of wrk, installing Debian's package when it is missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed: run `sudo apt-get install -y wrk` and retry.")
    log("installing wrk from Debian's packages")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)  # noqa: S607
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get installed wrk, but it is not on PATH.")
    return found


# --- database -----------------------------------------------------------------------------


def _database_name(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"BENCH_DATABASE_URL must be a PostgreSQL URL (got {parts.scheme!r}).")
    if parts.hostname not in LOOPBACK_NAMES:
        raise SystemExit("BENCH_DATABASE_URL must point at a PostgreSQL on this machine.")
    # The database is dropped and re-created: never let that be a real one.
    if "bench" not in name:
        raise SystemExit(f"the benchmark database name must contain 'bench' (got {name!r}).")
    return name


def database_reset(url: str) -> None:
    """Drop and re-create the benchmark database (127.0.0.1:5432, trust auth by default)."""
    import psycopg
    from psycopg import sql

    name = _database_name(url)
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    log(f"created database {name}")


def cache_reset(url: str) -> None:
    """Empty the benchmark's Redis database, so a run starts with a cold shared cache.
    Refuses anything but a numbered database on this machine (it is FLUSHDB)."""
    if not url:
        log("cache: local memory in each worker (BENCH_REDIS_URL=none)")
        return
    import redis

    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost"} or not parts.path.strip("/").isdigit():
        raise SystemExit(f"BENCH_REDIS_URL must name a numbered database on 127.0.0.1: {url}")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.RedisError as exc:
        raise SystemExit(
            f"Redis at {url} did not answer ({exc}); start it (redis-server --daemonize yes) "
            "or set BENCH_REDIS_URL=none to measure with local memory."
        ) from exc
    log(f"cache: Redis {url} (emptied)")


def database_analyze(url: str) -> None:
    """VACUUM ANALYZE after a bulk load, as autovacuum would within a minute or two (since
    PostgreSQL 13 it also vacuums after inserts): fresh planner statistics, the rows' hint
    bits set and the visibility map filled. Left to autovacuum, it would run at some
    moment in the middle of the measurements, and until then the first reads of each new
    row pay for setting its hint bits."""
    import psycopg

    _database_name(url)
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("VACUUM ANALYZE")


def database_accepts(url: str, *, timeout: float = 1.0) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=max(1, int(timeout))) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


# --- Django -------------------------------------------------------------------------------


def django_env(config: ServerConfig, secret_key: str) -> dict[str, str]:
    """Production settings on plain-HTTP loopback: DEBUG off, real SECRET_KEY, no HTTPS
    redirect or secure-only cookies (there is no TLS on 127.0.0.1)."""
    _database_name(config.database_url)
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secret_key,
        DATABASE_URL=config.database_url,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("REDIS_URL", None)
    if config.redis_url:
        env["REDIS_URL"] = config.redis_url
    # The benchmark sends no mail; with DEBUG off a backend must be named.
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    # The load generator is one client sending thousands of plans; per-client rate limits
    # (accounts.ratelimit) would measure the 429 page instead.
    env.setdefault("RATE_LIMITS_ENABLED", "0")
    return env


def new_secret_key() -> str:
    return "bench-" + secrets.token_urlsafe(48)


def manage(env: dict[str, str], *args: str) -> None:
    started = time.monotonic()
    subprocess.run(  # noqa: S603 (our own manage.py)
        [str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True
    )
    log(f"manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")


def prepare(env: dict[str, str], *args: str) -> str:
    """Run scripts.bench.prepare with the benchmark environment; returns its stdout."""
    result = subprocess.run(  # noqa: S603
        [str(VENV_BIN / "python"), "-m", "scripts.bench.prepare", *args],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    # Its messages first: on a failure they say why (check=True would drop them).
    if result.stderr.strip():
        sys.stderr.write(result.stderr)
    result.check_returncode()
    return result.stdout


def database_build(config: ServerConfig, env: dict[str, str]) -> None:
    """A fresh benchmark database with the schema and collected static files."""
    database_reset(config.database_url)
    cache_reset(config.redis_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    # DEBUG off serves static files through WhiteNoise's manifest storage: collect them.
    manage(env, "collectstatic", "--noinput", "-v", "0")


def programs_load(env: dict[str, str], url: str, *, count: int, seed: int) -> None:
    manage(env, "generate_programs", str(count), "--seed", str(seed))
    database_analyze(url)


# --- processes ----------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) != 0


def children(pid: int) -> list[int]:
    """Direct child processes of pid (gunicorn's workers)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces or parentheses: split after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_kb(pid: int) -> int | None:
    """Resident memory of a process from /proc/<pid>/status (VmRSS), or None if gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Gunicorn:
    """gunicorn serving config.wsgi on 127.0.0.1:port with the benchmark environment.

    Use as a context manager: the server is stopped on the way out, whatever happened.
    Only the master we started and the workers it forked are ever signalled, by pid.
    """

    def __init__(self, config: ServerConfig, env: dict[str, str], log_path: Path):
        self.config = config
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.workers: list[int] = []
        self._log_file: IO[Any] | None = None

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if not port_free(self.config.port):
            raise SystemExit(f"port {self.config.port} is in use: stop what runs there first.")
        self._log_file = self.log_path.open("ab")
        # The production configuration (docker/gunicorn.conf.py: timeouts, worker
        # recycling, access log); the command line overrides its bind and worker count.
        production = ["--config", str(GUNICORN_CONF)] if GUNICORN_CONF.exists() else []
        command = [
            str(VENV_BIN / "gunicorn"),
            *production,
            "--bind",
            f"{HOST}:{self.config.port}",
            "--workers",
            str(self.config.workers),
            *self.config.extra_gunicorn_args,
            "config.wsgi:application",
        ]
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches us, and we stop it
        )
        try:
            waited = wait_until_healthy(self.config.port, seconds=60)
            self.workers = self._wait_for_workers()
        except BaseException:
            self.stop()
            raise
        log(
            f"gunicorn {self.process.pid} serving {self.config.base_url} with workers "
            f"{self.workers} (healthy after {waited:.1f} s; log {self.log_path.name})"
        )

    def _wait_for_workers(self) -> list[int]:
        assert self.process is not None
        deadline = time.monotonic() + 20
        workers: list[int] = []
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            workers = children(self.process.pid)
            if len(workers) >= self.config.workers:
                return workers
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn started {len(workers)} of {self.config.workers} workers")

    def current_workers(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            known = set(self.workers) | set(children(process.pid))
            process.send_signal(signal.SIGTERM)  # gunicorn stops its workers gracefully
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            for pid in known:
                if _is_alive(pid) and "gunicorn" in _cmdline(pid):
                    os.kill(pid, signal.SIGKILL)
            log(f"gunicorn {process.pid} stopped")
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def install_signal_handlers() -> None:
    """Turn SIGTERM into SystemExit so that `finally` blocks stop gunicorn (and restart
    PostgreSQL in the fault script); SIGINT already raises KeyboardInterrupt."""

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGHUP, _exit)


def stage(config: ServerConfig, env: dict[str, str], *, programs: int, out: Path) -> dict[str, Any]:
    """A fresh database with `programs` generated programs and the prepared people;
    returns the prepared context (see scripts.bench.prepare)."""
    import json

    database_build(config, env)
    programs_load(env, config.database_url, count=programs, seed=1)
    prepare(env, "setup", "--out", str(out))
    return json.loads(out.read_text())
