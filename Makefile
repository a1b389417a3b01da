# MatchPlan developer commands. `make run` and `make test` work on a clean clone with
# only Python 3.11: they create .venv and install the pinned requirements first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

export DEBUG ?= 1

.PHONY: run test install migrate demo lint format check bench bench-engine soak fault clean

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
	$(PY) manage.py load_demo

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

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
