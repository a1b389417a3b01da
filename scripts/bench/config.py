"""The knobs of `make bench`, `make soak` and `make fault`, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS_DIR = ROOT / "bench-results"
LUA_SCRIPT = ROOT / "scripts" / "wrk" / "rotate.lua"
HOST = "127.0.0.1"  # all traffic stays on loopback
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/matchplan_bench"

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def env_int(name: str, default: int, *, low: int = 1, high: int = 1_000_000) -> int:
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number (got {raw!r}).") from None
    if not low <= value <= high:
        raise SystemExit(f"{name} must be from {low} to {high} (got {value}).")
    return value


def env_float(name: str, default: float, *, low: float = 0.0, high: float = 86_400.0) -> float:
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number (got {raw!r}).") from None
    if not low <= value <= high:
        raise SystemExit(f"{name} must be from {low:g} to {high:g} (got {value:g}).")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or default


@dataclass(frozen=True)
class ServerConfig:
    """How the app is served: the same for the benchmark, the soak and the fault script."""

    port: int
    database_url: str = DEFAULT_DATABASE_URL
    workers: int = 2
    extra_gunicorn_args: tuple[str, ...] = ()
    # The shared cache of the production shape (docker-compose, CI); empty: local memory.
    redis_url: str = ""

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def host_header(self) -> str:
        return f"{HOST}:{self.port}"


def server_config(default_port: int, port_variable: str) -> ServerConfig:
    return ServerConfig(
        port=env_int(port_variable, default_port, low=8700, high=8799),
        database_url=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        workers=env_int("BENCH_WORKERS", 2, high=64),
        # Worker recycling (max_requests in docker/gunicorn.conf.py) is off by default: at
        # benchmark rates it restarts each worker every few seconds, and the re-import of
        # Django would be measured instead of the app. Set BENCH_GUNICORN_ARGS to change it.
        extra_gunicorn_args=tuple(
            os.environ.get("BENCH_GUNICORN_ARGS", "--max-requests 0").split()
        ),
        redis_url=bench_redis_url(),
    )


def bench_redis_url() -> str:
    """BENCH_REDIS_URL, by default database 13 of the Redis on this machine; "none" serves
    with local memory (each worker its own cache) instead."""
    raw = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL).strip()
    return "" if raw.lower() in {"", "none"} else raw


@dataclass(frozen=True)
class BenchConfig:
    server: ServerConfig
    sizes: tuple[int, ...]
    duration: float
    warmup: float
    connections: int
    plan_connections: int
    threads: int
    timeout: float
    browser_requests: int
    endpoints: tuple[str, ...]  # empty: all


def bench_config() -> BenchConfig:
    sizes = tuple(int(size) for size in env_list("BENCH_SIZES", ["5000", "50000"]))
    if any(not 1 <= size <= 100_000 for size in sizes) or list(sizes) != sorted(set(sizes)):
        raise SystemExit("BENCH_SIZES must be increasing catalog sizes from 1 to 100000.")
    return BenchConfig(
        server=server_config(8701, "BENCH_PORT"),
        sizes=sizes,
        duration=env_float("BENCH_DURATION", 12.0, low=1, high=3600),
        warmup=env_float("BENCH_WARMUP", 2.0, low=0, high=600),
        connections=env_int("BENCH_CONNECTIONS", 16, high=1024),
        plan_connections=env_int("BENCH_PLAN_CONNECTIONS", 4, high=1024),
        threads=env_int("BENCH_THREADS", 2, high=64),
        timeout=env_float("BENCH_TIMEOUT", 5.0, low=1, high=120),
        browser_requests=env_int("BENCH_BROWSER_REQUESTS", 1000, low=100, high=100_000),
        endpoints=tuple(env_list("BENCH_ENDPOINTS", [])),
    )
