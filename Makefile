# The newcomer's two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in emails, feeds and calendars point at the port `make run` serves, unless SITE_URL
# says otherwise. Passed to every process: honcho gives the worker and beat PORTs of their own.
RUN_SITE_URL = $(or $(SITE_URL),http://127.0.0.1:$(PORT))
# A development key for local runs and tests only; production sets SECRET_KEY.
export SECRET_KEY ?= development-only-not-secret

# The first Python that is 3.12 or newer (python3 honours .python-version under pyenv).
PYTHON := $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: venv run test lint format messages bench clean prod-check

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (python3 --version)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

# Web, Celery worker and beat side by side (Procfile.dev); one Ctrl-C stops all three.
# SQLite and Celery's filesystem broker under .data/ unless DATABASE_URL/REDIS_URL say otherwise.
run: venv
	@mkdir -p .data/broker/control
	@echo "Migrating the database and loading the demo circles…"
	@DEBUG=1 SITE_URL="$(RUN_SITE_URL)" $(BIN)/python manage.py migrate --noinput --verbosity 0
	@DEBUG=1 SITE_URL="$(RUN_SITE_URL)" $(BIN)/python manage.py seed_demo
	@echo
	@echo "  Open http://127.0.0.1:$(PORT)/ and log in with the demo account printed above."
	@echo "  Emails appear in this terminal. Ctrl-C stops the web server, worker and beat."
	@echo
	@DEBUG=1 SITE_URL="$(RUN_SITE_URL)" PATH="$(CURDIR)/$(BIN):$$PATH" \
		$(BIN)/honcho -f Procfile.dev start --port $(PORT)

# The whole suite. Tests needing Postgres, Redis or Chromium skip when those are absent,
# unless REQUIRE_SERVICES=1. pytest exits non-zero when it collects no test at all.
# lint-imports holds the rooms' import contract ([tool.importlinter] in pyproject.toml).
test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The translation catalogs brought up to date with the code (makemessages, which needs GNU
# gettext: apt-get install gettext), then compiled with Babel into the committed .mo files.
# README "Languages" says how to add a language.
messages: venv
	$(BIN)/python -m tests.catalogs

clean:
	rm -rf .data

# The production install, as the Dockerfile makes it (`pip install .`, no dev extras), in a
# throwaway virtualenv outside the tree: migrate, then a Celery worker and beat on Redis and
# granian, each checked (.ci/production-install says how). Needs Postgres and Redis running;
# the database and the Redis database named here are dropped and emptied.
PROD_CHECK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ps_production_check
PROD_CHECK_REDIS_URL ?= redis://127.0.0.1:6379/5
prod-check:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (python3 --version)."; exit 1; }
	PYTHON=$(PYTHON) PROD_CHECK_DATABASE_URL=$(PROD_CHECK_DATABASE_URL) \
		PROD_CHECK_REDIS_URL=$(PROD_CHECK_REDIS_URL) .ci/production-install

# Load test on Postgres with 100,000 circles (seeded once): browse, /robots.txt and an RSVP
# race, the check-in scan, then 10,000 reminders and 10,000 check-in prompts sent by one
# Celery worker (on a database of their own, BENCH_MAIL_DATABASE_URL, made afresh each run);
# writes bench/results/latest.md. Installs wrk with apt-get when missing (as root).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ps_bench
BENCH_MAIL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ps_bench_mail
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/4
bench: venv
	@command -v wrk >/dev/null || { \
		test "$$(id -u)" = 0 || { echo "wrk is missing: run 'apt-get install wrk' as root."; exit 1; }; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }; }
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_MAIL_DATABASE_URL=$(BENCH_MAIL_DATABASE_URL) \
		REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/run.py
