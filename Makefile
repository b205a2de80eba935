# Two commands for a new user: `make run` (demo platform on SQLite) and `make test` (the whole suite).
# See docs/running.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=

# pytest's exit code 5 means "no tests collected": not a failure of the build.
define pytest
	code=0; $(1) || code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest: no tests collected (exit 5), not counted as a failure"; \
	elif [ $$code -ne 0 ]; then exit $$code; fi
endef

.PHONY: help setup run demo test test-sqlite test-pg lint bench services serve-prod check-deploy

help:
	@echo "make run          set up and run the demo platform on http://$(HOST):$(PORT)/ (SQLite, tasks in-process)"
	@echo "make test         lint, tests on SQLite, then every test on PostgreSQL + Redis + a Celery worker"
	@echo "make test-sqlite  tests on SQLite (integration and browser tests excluded: they run in test-pg)"
	@echo "make test-pg      all tests on PostgreSQL + Redis, integration tests included"
	@echo "make lint         ruff"
	@echo "make bench        run every benchmark script in bench/"
	@echo "make serve-prod   gunicorn + Celery worker + beat with production settings (needs SECRET_KEY)"
	@echo "make check-deploy manage.py check --deploy with the production environment"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed, so reruns are quick.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# Interface translations (locale/*/LC_MESSAGES/django.po) are compiled on every setup: .mo files are not kept in git.
setup: $(STAMP)
	$(PY) manage.py compilemessages --ignore=$(VENV) -v 0

# One SITE_URL from HOST and PORT: every link the platform prints or mails (demo, invitations) uses it.
SITE_URL ?= http://$(HOST):$(PORT)

demo: setup
	$(PY) manage.py migrate --noinput
	SITE_URL=$(SITE_URL) $(PY) manage.py demo

run: demo
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

lint: setup
	$(VENV)/bin/ruff check .

test: lint test-sqlite test-pg

# SQLITE_MARKS: integration tests need PostgreSQL, Redis and a worker; browser tests drive the same
# pages whatever the database, so they run once, in test-pg (make test-sqlite SQLITE_MARKS=... to change).
SQLITE_MARKS ?= not integration and not browser
# Tests that need no process or cluster of their own run in parallel (pytest-xdist, one process per
# core, at most 4): each process has its own test database, Redis database and media folder
# (tests/conftest.py). Integration, browser and `serial` tests then run one at a time.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --maxprocesses 4
ALONE := integration or browser or serial
test-sqlite: setup
	$(call pytest,env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest $(XDIST) -m "($(SQLITE_MARKS)) and not serial" $(PYTEST_ARGS))
	$(call pytest,env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m "($(SQLITE_MARKS)) and serial" $(PYTEST_ARGS))

# --create-db: the kept PostgreSQL test database may predate a migration that was edited in place.
PG_ENV = DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL)
test-pg: setup services
	$(call pytest,$(PG_ENV) $(PY) -m pytest --create-db $(XDIST) -m "not ($(ALONE))" $(PYTEST_ARGS))
	$(call pytest,$(PG_ENV) $(PY) -m pytest --create-db -m "$(ALONE)" $(PYTEST_ARGS))

services:
	@bash .ci/services

# Every script in bench/ on PostgreSQL + Redis (DATABASE_URL/REDIS_URL if set, else a `bench` database it
# creates and Redis database 5), then one table of every figure beside its floor (bench/summary.py).
# A failing script does not stop the others; make fails at the end. Sizes: docs/running.md#benchmarks.
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/bench)
BENCH_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/5)
BENCH_LOG ?= bench/out/bench.log
BENCH_SCRIPTS ?= $(filter-out bench/figures.py bench/summary.py,$(wildcard bench/*.py))

bench: setup
	@mkdir -p $(dir $(BENCH_LOG)); : > $(BENCH_LOG); failed=""; \
	export DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) PYTHONPATH=.; \
	$(PY) bench/figures.py --ensure-database "$$DATABASE_URL" || exit 1; \
	for script in $(BENCH_SCRIPTS); do echo "== $$script" | tee -a $(BENCH_LOG); \
		$(PY) $$script 2>&1 | tee -a $(BENCH_LOG); [ $${PIPESTATUS[0]} -eq 0 ] || failed="$$failed $$script"; done; \
	echo; $(PY) bench/summary.py $(BENCH_LOG); \
	if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi

# Production (docs/running.md#production): settings from the environment; SECRET_KEY and TOKEN_KEYS
# must be set, PostgreSQL and Redis must be up. One process group: Ctrl-C stops all three.
SERVE_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/surveys)
SERVE_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/1)
WEB_WORKERS ?= 3
PROD_ENV = DEBUG=false DATABASE_URL=$(SERVE_DATABASE_URL) REDIS_URL=$(SERVE_REDIS_URL) \
	ALLOWED_HOSTS=$(or $(ALLOWED_HOSTS),$(HOST),localhost)

define require_secrets
	@test -n "$$SECRET_KEY" || { echo "SECRET_KEY is not set (python -c 'import secrets; print(secrets.token_urlsafe(50))')"; exit 1; }
	@test -n "$$TOKEN_KEYS" || { echo "TOKEN_KEYS is not set: the key of the invitation links (docs/running.md)"; exit 1; }
endef

serve-prod: setup
	$(require_secrets)
	$(PROD_ENV) $(PY) manage.py migrate --noinput
	$(PROD_ENV) $(PY) manage.py collectstatic --noinput -v 0
	@trap 'kill 0' INT TERM EXIT; \
	$(PROD_ENV) $(VENV)/bin/celery -A config worker -l info & \
	$(PROD_ENV) $(VENV)/bin/celery -A config beat -l info -s $(VENV)/celerybeat-schedule & \
	$(PROD_ENV) $(VENV)/bin/gunicorn config.wsgi -b $(HOST):$(PORT) -w $(WEB_WORKERS) --access-logfile - & \
	wait

check-deploy: setup
	$(require_secrets)
	$(PROD_ENV) SECURE_SSL_REDIRECT=true SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=true \
		SECURE_HSTS_PRELOAD=true $(PY) manage.py check --deploy --fail-level WARNING
