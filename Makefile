# MatchPlan developer commands. `make run` and `make test` work on a clean clone with
# only Python 3.11: they create .venv and install the pinned requirements first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

export DEBUG ?= 1

.PHONY: run test install migrate demo lint format check ci bench bench-engine soak fault coherence clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --url http://$(HOST):$(PORT)/

## Serve the app with demo data and demo users at http://$(HOST):$(PORT)
run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## Run the whole suite (SQLite unless DATABASE_URL is set; browser tests need /usr/bin/chromium)
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

bench-engine: install
	$(PY) scripts/bench_engine.py

## The CI run: PostgreSQL, browser tests, migrations check, ruff, bandit, check --deploy
ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts

# --- Load tests (owned by the benchmark harness; see docs/benchmarks.md) ---------------
# They need PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth) and drop/create the
# matchplan_bench database; wrk is installed from Debian's packages when missing.

## Throughput and latency per endpoint at 5,000 and 50,000 programs (about 10 minutes)
bench: install
	$(PY) -m scripts.bench

## Five minutes of mixed traffic at 64 connections: errors and worker memory growth
soak: install
	$(PY) scripts/soak.py

## Two gunicorn instances sharing PostgreSQL and Redis (REDIS_URL): sessions and caches agree
coherence: install
	$(PY) -m scripts.coherence

## Restart PostgreSQL under load: clean 503s, recovery time, no lost wizard answers
fault: install
	$(PY) scripts/fault.py
