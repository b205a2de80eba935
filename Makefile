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

.PHONY: help setup run demo test test-sqlite test-pg lint bench services

help:
	@echo "make run          set up and run the demo platform on http://$(HOST):$(PORT)/ (SQLite, tasks in-process)"
	@echo "make test         lint, tests on SQLite, then every test on PostgreSQL + Redis + a Celery worker"
	@echo "make test-sqlite  tests on SQLite (integration tests excluded)"
	@echo "make test-pg      all tests on PostgreSQL + Redis, integration tests included"
	@echo "make lint         ruff"
	@echo "make bench        run every benchmark script in bench/"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed, so reruns are quick.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

setup: $(STAMP)

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

test-sqlite: setup
	$(call pytest,env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m "not integration" $(PYTEST_ARGS))

# --create-db: the kept PostgreSQL test database may predate a migration that was edited in place.
test-pg: setup services
	$(call pytest,DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(PY) -m pytest --create-db $(PYTEST_ARGS))

services:
	@bash .ci/services

bench: setup
	@for script in bench/*.py; do echo "== $$script"; PYTHONPATH=. $(PY) $$script || exit 1; done
