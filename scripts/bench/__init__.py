"""Load-test harness for MatchPlan: `make bench`, `make soak` and `make fault`.

The harness drives a real gunicorn server on loopback against a PostgreSQL database made
for the purpose (matchplan_bench). Modules:

- config: the environment knobs (BENCH_DURATION, BENCH_CONNECTIONS, ...).
- stats: percentiles, wrk output parsing, targets and the printed table (pure).
- rotation: the rotating request sets and their Lua serialisation (pure).
- endpoints: the table of measured endpoints, one small entry each.
- server: the benchmark database, manage.py steps and the gunicorn process.
- client: a minimal HTTP client for checks and the fault script's probes.
- prepare: the Django-side setup (users, drafts, plans, sessions); runs in a subprocess.
- wrk: runs wrk with scripts/wrk/rotate.lua.
- runner: `python -m scripts.bench`.

Only 127.0.0.1 is ever contacted, and every loop is bounded in count and time.
"""
