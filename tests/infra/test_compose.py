"""The Docker production shape, checked without a Docker engine (none on our machines)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def web(compose: dict) -> dict:
    return compose["services"]["web"]


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_it_runs_postgres_15_with_a_pg_isready_health_check(compose: dict) -> None:
    db = compose["services"]["db"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])


def test_the_app_waits_for_a_healthy_database(web: dict) -> None:
    assert web["depends_on"]["db"]["condition"] == "service_healthy"


def test_it_runs_redis_as_the_shared_cache(compose: dict, web: dict) -> None:
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:")
    assert "redis-cli ping" in " ".join(redis["healthcheck"]["test"])
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:6379/")


def test_migrations_run_before_gunicorn_serves(web: dict) -> None:
    command = _command(web)
    migrate = command.index("manage.py migrate --noinput")
    serve = command.index("gunicorn")
    assert migrate < serve
    # "&&": a failed migration stops the container instead of serving an old schema.
    assert "&&" in command[migrate:serve]
    assert "exec gunicorn" in command  # gunicorn gets the signals, not the shell


def test_the_app_health_check_probes_healthz(web: dict) -> None:
    probe = " ".join(web["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in probe


def test_the_app_runs_with_production_settings(web: dict) -> None:
    env = web["environment"]
    assert env["DEBUG"] == "0"
    # ${VAR:?message} makes compose refuse to start without a real key.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", env["SECRET_KEY"])
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert "ALLOWED_HOSTS" in env
    assert env["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-0}"
    # The health check calls 127.0.0.1 inside the container; that host must be allowed.
    assert "127.0.0.1" in env["ALLOWED_HOSTS"]


@pytest.mark.parametrize("service", ["web", "reminders"])
def test_every_service_that_sends_mail_requires_an_email_backend(
    compose: dict, service: str
) -> None:
    # No default: production never falls back to the console backend (mail only logged).
    backend = compose["services"][service]["environment"]["EMAIL_BACKEND"]
    assert re.fullmatch(r"\$\{EMAIL_BACKEND:\?[^}]+\}", backend)


def test_reminders_wait_for_the_app_to_be_healthy(compose: dict, web: dict) -> None:
    # web migrates before it serves, and it is healthy only once it serves.
    reminders = compose["services"]["reminders"]
    assert reminders["depends_on"]["web"]["condition"] == "service_healthy"
    assert reminders["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in web


def test_the_dockerfile_builds_a_non_root_gunicorn_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.M)
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert "gunicorn" in dockerfile.splitlines()[-1]


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "db.sqlite3", ".env", "staticfiles"):
        assert entry in ignored


def test_gunicorn_binds_all_interfaces_and_logs_paths_without_query_strings(monkeypatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.delenv("PORT", raising=False)
    config = runpy.run_path(str(ROOT / "docker/gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:8000"
    assert config["workers"] == 3
    assert "%(U)s" in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"]  # the request line has the query
    assert "%(q)s" not in config["access_log_format"]


def test_gunicorn_freezes_the_preloaded_app_before_each_fork() -> None:
    import gc

    config = runpy.run_path(str(ROOT / "docker/gunicorn.conf.py"))
    assert config["preload_app"] is True
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        config["pre_fork"](None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
