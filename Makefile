# 工会门户 — every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
LOCK := requirements.lock
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): one per core; files stay whole on one worker, so module-wide demo data loads once.
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadfile

.DEFAULT_GOAL := help
.PHONY: help install run demo test test-fast test-e2e bench lint format lock messages check-deploy clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --no-deps -r $(LOCK)
	$(PIP) check
	touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

run: install ## Set up everything (migrate, demo data, demo users) and serve http://$(HOST):$(PORT)
	mkdir -p var
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py createcachetable
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v 0
	DEBUG=true $(PY) manage.py load_demo --base-url http://$(HOST):$(PORT)
	@# The task worker (long exports) runs beside the server and stops with it, however runserver ends.
	DEBUG=true $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

demo: install ## Load the demo data and users only (idempotent)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py createcachetable
	DEBUG=true $(PY) manage.py load_demo --base-url http://$(HOST):$(PORT)

test: install ## The whole test suite (DATABASE_URL picks the database; SQLite otherwise)
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: install ## The suite without the browser journeys
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) -m pytest $(XDIST) -m "not e2e" $(PYTEST_ARGS)

# The benchmarks measure PostgreSQL, the production database: DATABASE_URL if set, else the local server.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres

bench: install ## Measure the speed targets (city-scale dataset built once and kept, pages, search, exports, imports, figures)
	set -e; export DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)}; for script in benchmarks/*.py; do $(PY) $$script; done

lint: install ## ruff lint and format check, migrations up to date, catalogue complete
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install ## Update the zh-Hans catalogue from the code and templates
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=static --ignore=tests --ignore=locale --no-location --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

lock: ## Re-resolve the newest allowed versions into requirements.lock
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet --upgrade pip
	.lockenv/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > .lockenv/direct.txt
	.lockenv/bin/pip install --quiet -r .lockenv/direct.txt
	.lockenv/bin/pip freeze > $(LOCK)
	rm -rf .lockenv
	@echo "requirements.lock updated: review the diff, run make test, commit."

check-deploy: install ## manage.py check --deploy with production-like settings
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=portal.example $(PY) manage.py check --deploy --fail-level WARNING

clean: ## Remove the virtualenv, the SQLite database and uploads
	rm -rf $(VENV) var
