#!/usr/bin/env bash
# `make bench-load`: simulated students (locust) against the scaled run, for each class size
# in LOAD_USERS, LOAD_SECONDS each. Starts the scaled run if it does not answer and stops it
# afterwards (one that was already running is left running). Figures, never assertions.
set -euo pipefail
cd "$(dirname "$0")/../.."

LOAD_VENV=${LOAD_VENV:-var/loadenv}
LOAD_USERS=${LOAD_USERS:-"50 200"}
LOAD_SECONDS=${LOAD_SECONDS:-60}
PROXY_PORT=${PROXY_PORT:-8180}
HOST="https://127.0.0.1:$PROXY_PORT"
SCALED=tutor/deploy/run_scaled.sh

started_here=0
if ! curl -fsk --max-time 5 "$HOST/readyz" >/dev/null 2>&1; then
  echo "The scaled run is not answering on $HOST: starting it"
  $SCALED start
  started_here=1
fi
cleanup() { if [ $started_here = 1 ]; then $SCALED stop; fi; }
trap cleanup EXIT

max_users=$(echo "$LOAD_USERS" | tr ' ' '\n' | sort -n | tail -n1)
# A fresh password per run: the load-test accounts never keep a known one.
LOAD_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
export LOAD_PASSWORD LOAD_STUDENTS=$max_users
$SCALED manage shell -v 0 <tutor/deploy/seed_load_students.py

# The load generator shares the machine's cores with the tutor: it yields to it.
# shellcheck disable=SC2086
nice -n 10 "$LOAD_VENV/bin/python" tutor/deploy/bench_load.py --host "$HOST" --users $LOAD_USERS \
  --seconds "$LOAD_SECONDS"
