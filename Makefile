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
## learners, and (where ../shared/data is present) the student model on real learner logs
ASSIST ?= ../shared/data/assist2009/assist2009_train.csv.gz
bench: seed
	$(PY) manage.py bench
	$(PY) manage.py simulate_learners --course basic-electricity --policy all --students 200 --seed 1
	@if [ -f $(ASSIST) ]; then $(PY) manage.py kt_eval --data $(ASSIST) --test-frac 0.2 --seed 0; \
	  else echo "kt_eval skipped: $(ASSIST) not found (the ASSISTments log is never part of the project)"; fi

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

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
