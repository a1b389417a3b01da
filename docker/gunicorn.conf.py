"""gunicorn settings for the container (docker-compose.yml) and the benchmark harness.

Read by ``gunicorn --config docker/gunicorn.conf.py config.wsgi``. Tunable from the
environment: WEB_CONCURRENCY (workers), GUNICORN_THREADS, GUNICORN_TIMEOUT, PORT,
FORWARDED_ALLOW_IPS.
"""

from __future__ import annotations

import gc
import os

from gunicorn.glogging import Logger

# A bound on what one request may cost: a request is killed after `timeout` seconds, and
# on PostgreSQL any one statement after DB_STATEMENT_TIMEOUT_MS (read by config/settings.py,
# which the workers import after this file ran).
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "10000")

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound. Rarely: at 2,000
# the benchmark saw each worker restart every few seconds (p95 of /healthz 448 ms against
# 8.8 ms without recycling; docs/benchmarks.md, finding 7). The soak shows memory level.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = 5000
# Import the app once in the master: a recycled worker then forks ready instead of
# re-importing Django. No connection is opened at import time, so nothing is shared.
preload_app = True


def pre_fork(server, worker):
    """Move everything the master imported into the collector's permanent generation.

    The workers' full collections then skip Django's and the app's module objects (and
    the pages they share with the master stay shared), which keeps the occasional full
    collection short; see the gc.freeze() notes in Python's documentation.
    """
    gc.freeze()


# Heartbeat files on tmpfs: a slow container disk must not make workers look dead.
# Gunicorn only touches its own empty files there; nothing is read back.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None

# Trust X-Forwarded-Proto only from the proxy in front (Django: SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# %(U)s is the path without the query string: query strings can carry applicant data
# (what-if scores, filters), which must never reach the logs.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


class RedactingLogger(Logger):
    """gunicorn's logger whose access lines go through the app's redaction: the path of a
    password-reset or invitation link carries its token (accounts.logging_filters)."""

    def atoms(self, resp, req, environ, request_time):
        from accounts.logging_filters import redact_access_atoms

        return redact_access_atoms(super().atoms(resp, req, environ, request_time))


logger_class = RedactingLogger
