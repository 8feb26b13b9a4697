# The two commands a new user needs: `make run` and `make test`.
# Both bootstrap everything from a fresh clone with only Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve bench bench-unmet relevance lint format migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the lock file changes.
$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

var:
	mkdir -p var

migrate: $(STAMP) | var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo

# The task queue's worker (background HSDS imports; the daily renewal reminders and the daily
# forgetting of closed reports' senders, each queued once here) runs beside the server.
run: demo
	DEBUG=1 $(BIN)/python manage.py send_renewal_reminders --schedule --verbosity 0
	DEBUG=1 $(BIN)/python manage.py forget_report_contacts --schedule --verbosity 0
	DEBUG=1 $(BIN)/python manage.py send_verification_requests --schedule --verbosity 0
	DEBUG=1 $(BIN)/python manage.py db_worker --verbosity 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint | var
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Production-like: DEBUG off, gunicorn, whitenoise serving compressed hashed files.
# HTTPS=0 keeps the production settings but allows plain HTTP on localhost.
serve: demo
	HTTPS=0 SECRET_KEY=$${SECRET_KEY:-local-serve-key-not-for-production-$$(hostname)-0123456789} \
	  $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	HTTPS=0 SECRET_KEY=$${SECRET_KEY:-local-serve-key-not-for-production-$$(hostname)-0123456789} \
	  $(BIN)/python manage.py send_renewal_reminders --schedule --verbosity 0
	HTTPS=0 SECRET_KEY=$${SECRET_KEY:-local-serve-key-not-for-production-$$(hostname)-0123456789} \
	  $(BIN)/python manage.py forget_report_contacts --schedule --verbosity 0
	HTTPS=0 SECRET_KEY=$${SECRET_KEY:-local-serve-key-not-for-production-$$(hostname)-0123456789} \
	  $(BIN)/python manage.py send_verification_requests --schedule --verbosity 0
	export HTTPS=0 SECRET_KEY=$${SECRET_KEY:-local-serve-key-not-for-production-$$(hostname)-0123456789}; \
	  $(BIN)/python manage.py db_worker --verbosity 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gunicorn --config gunicorn.conf.py compassion_portal.wsgi

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The unmet-needs report over 1,000,000 logged searches, on portal_bench_unmet.
bench-unmet: $(STAMP)
	$(BIN)/python bench/unmet_needs.py

# The judged search queries (tests/directory/relevance/), portal vs BM25, on portal_relevance.
relevance: $(STAMP)
	$(BIN)/python bench/relevance.py

clean:
	rm -rf $(VENV) staticfiles var/db.sqlite3
