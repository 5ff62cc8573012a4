# The tutor's two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
INSTALLED := $(VENV)/.installed

.PHONY: run test install browser migrate seed grader worker lint format bench bench-grader clean check-deploy

## install: a virtual environment with the pinned requirements (re-run when they change)
install: $(INSTALLED)

$(INSTALLED): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

## browser: Debian's chromium for the end-to-end tests (Playwright drives it; no browser download)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package (sudo apt-get install chromium)"; fi; }

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## grader: an active grader for free-text answers (trained on the first run, minutes; then instant)
grader: migrate
	$(PY) manage.py grader_ensure

## run: install, migrate, seed the demo, make sure a grader exists, serve on http://$(HOST):$(PORT)
run: seed grader
	@echo "Serving the tutor on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: the whole suite (unit, integration where services are configured, end-to-end in chromium)
test: install browser
	$(PY) -m pytest

## worker: a Celery worker for the grading and default queues (needs REDIS_URL)
worker: install
	$(VENV)/bin/celery -A tutor worker -Q grading,default -l info

## bench: figures, never assertions: selection and update speed, the policies on simulated
## learners, (where ../shared/data is present) the student model on real learner logs, the
## teacher pages for a classroom of 200 students (PostgreSQL when DATABASE_URL is set), and
## the assistant's reply time with 50 students asking at once
ASSIST ?= ../shared/data/assist2009/assist2009_train.csv.gz
bench: seed
	$(PY) manage.py bench
	$(PY) manage.py simulate_learners --course basic-electricity --policy all --students 200 --seed 1
	@if [ -f $(ASSIST) ]; then $(PY) manage.py kt_eval --data $(ASSIST) --test-frac 0.2 --seed 0; \
	  else echo "kt_eval skipped: $(ASSIST) not found (the ASSISTments log is never part of the project)"; fi
	$(PY) manage.py teacher_bench
	$(PY) manage.py ta_bench

## bench-grader: the grader's validation figures, CPU throughput one-at-a-time vs batched,
## and submit-to-grade latency (a real worker when REDIS_URL is set, in-process otherwise)
bench-grader: seed grader
	$(PY) manage.py grader_bench
	$(PY) manage.py grader_latency

## lint: ruff, and the import contracts of ARCHITECTURE.md (apps depend one way, through their doors)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install
	DJANGO_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=tutor.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

## nginx: Debian's nginx, the reverse proxy of `make run-scaled` (installed when run as root)
nginx:
	@command -v nginx >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else echo "nginx is missing: install Debian's nginx package (sudo apt-get install nginx)"; exit 1; fi; }

## run-scaled: the production shape here: PostgreSQL, Redis, two daphne processes behind nginx
## (https://127.0.0.1:8180/), Celery workers on `grading` and `default`, beat; Ctrl-C stops it
run-scaled: install nginx
	tutor/deploy/run_scaled.sh up

## stop-scaled: stop what `make run-scaled` (or `make bench-load`) started
stop-scaled:
	tutor/deploy/run_scaled.sh stop

## bench-load: simulated students (locust, in its own virtualenv) against the scaled run, which
## it starts if it is not running: figures per endpoint for LOAD_USERS students, LOAD_SECONDS each
LOAD_VENV ?= var/loadenv
LOAD_USERS ?= 50 200
LOAD_SECONDS ?= 60
$(LOAD_VENV)/.installed: tutor/deploy/requirements-load.txt
	@test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet -r tutor/deploy/requirements-load.txt
	@touch $@

bench-load: install nginx $(LOAD_VENV)/.installed
	LOAD_VENV=$(LOAD_VENV) LOAD_USERS="$(LOAD_USERS)" LOAD_SECONDS=$(LOAD_SECONDS) tutor/deploy/bench_load.sh

.PHONY: nginx run-scaled stop-scaled bench-load

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache

## fuzz: schemathesis against the API of a server of its own (free loopback port, a fresh demo
## database in a temp folder), as a student and as a teacher, FUZZ_SECONDS each; prints the
## requests and the 5xx answered. Never part of `make test`.
FUZZ_SECONDS ?= 240
FUZZ_EXAMPLES ?= 300
.PHONY: fuzz
fuzz: install
	$(PY) tests/security_fuzz.py --seconds $(FUZZ_SECONDS) --examples $(FUZZ_EXAMPLES)
