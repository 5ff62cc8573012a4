#!/usr/bin/env bash
# The production shape on one machine: PostgreSQL, Redis, two ASGI processes (daphne) behind
# nginx (TLS, static files, WebSockets), a Celery worker on the `grading` queue, one on
# `default`, and Celery beat (the grading sweeper); DJANGO_ENV=production, JSON logs.
#
#   tutor/deploy/run_scaled.sh up       start everything, print the URL, stop all on Ctrl-C
#   tutor/deploy/run_scaled.sh start    the same, in the background (returns once ready)
#   tutor/deploy/run_scaled.sh stop     stop what `up` or `start` started
#   tutor/deploy/run_scaled.sh status   what runs, and /readyz
#   tutor/deploy/run_scaled.sh manage ARGS...   manage.py with the scaled run's settings
#
# Everything it writes lives in $SCALED_DIR (var/scaled): logs/, pids/, the TLS
# certificate, the rendered nginx.conf, the secret key. Ports and services are variables:
# PROXY_PORT (8180), WEB_PORTS ("8181 8182"), SCALED_DATABASE_URL, SCALED_REDIS_URL.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

VENV=${VENV:-.venv}
PY=$ROOT/$VENV/bin/python
SCALED_DIR=${SCALED_DIR:-$ROOT/var/scaled}
PROXY_HOST=${PROXY_HOST:-127.0.0.1}
PROXY_PORT=${PROXY_PORT:-8180}
WEB_PORTS=${WEB_PORTS:-"8181 8182"}
SCALED_DB=${SCALED_DB:-tutor_scaled}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
URL="https://$PROXY_HOST:$PROXY_PORT/"

LOGS=$SCALED_DIR/logs
PIDS=$SCALED_DIR/pids

# --- the environment every process of the scaled run shares --------------------------------
scaled_env() {
  export DJANGO_ENV=production
  export DATABASE_URL=${SCALED_DATABASE_URL:-postgres://$PG_USER@$PG_HOST:$PG_PORT/$SCALED_DB}
  # A Redis database of its own: the tests' workers on database 0 must not take its tasks.
  export REDIS_URL=${SCALED_REDIS_URL:-redis://127.0.0.1:6379/3}
  export SECRET_KEY
  SECRET_KEY=$(cat "$SCALED_DIR/secret_key")
  export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
  export CSRF_TRUSTED_ORIGINS=${CSRF_TRUSTED_ORIGINS:-https://127.0.0.1:$PROXY_PORT,https://localhost:$PROXY_PORT}
  # HSTS for a loopback name would pin HTTPS on every port of localhost in the browser.
  export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
  export LOG_FORMAT=json
  # Each process shares a bounded pool of database connections (see DB_POOL_SIZE in settings);
  # 2 web processes x 16 and the workers stay well inside PostgreSQL's 100.
  export DB_POOL_SIZE=${DB_POOL_SIZE:-16}
  # nginx is the one proxy in front: its X-Forwarded-For names the client (rate limits).
  export NUM_PROXIES=${NUM_PROXIES:-1}
  export PYTHONUNBUFFERED=1
}

ensure_services() {
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
    echo "PostgreSQL is not answering: starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "Redis is not answering: starting it"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/scaled.log
    for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  if [ -z "${SCALED_DATABASE_URL:-}" ] && ! psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$SCALED_DB'" | grep -q 1; then
    echo "Creating the database $SCALED_DB"
    createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$SCALED_DB"
  fi
  command -v nginx >/dev/null 2>&1 || { echo "nginx is missing: apt-get install nginx (make run-scaled does it as root)"; exit 1; }
}

prepare_files() {
  mkdir -p "$LOGS" "$PIDS" "$SCALED_DIR/tls" "$SCALED_DIR/nginx"
  if [ ! -s "$SCALED_DIR/secret_key" ]; then
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' >"$SCALED_DIR/secret_key")
  fi
  if [ ! -s "$SCALED_DIR/tls/cert.pem" ]; then
    # A self-signed certificate for the loopback names: the browser warns once.
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$SCALED_DIR/tls/key.pem" -out "$SCALED_DIR/tls/cert.pem" 2>/dev/null
    chmod 600 "$SCALED_DIR/tls/key.pem"
  fi
  local servers="" user_line=""
  for port in $WEB_PORTS; do servers+="        server 127.0.0.1:$port;"$'\n'; done
  if [ "$(id -u)" = 0 ]; then
    # The master keeps root (it holds the key); the worker reads static files as www-data.
    user_line="user www-data;"
    chown -R www-data "$SCALED_DIR/nginx"
  fi
  SERVERS="$servers" USER_LINE="$user_line" STATIC_ROOT_DIR="${STATIC_ROOT:-$ROOT/staticfiles}" \
  SCALED_DIR="$SCALED_DIR" PROXY_HOST="$PROXY_HOST" PROXY_PORT="$PROXY_PORT" "$PY" - <<'EOF'
import os
from pathlib import Path

text = Path("tutor/deploy/nginx.conf.template").read_text()
for key, value in {
    "@SCALED_DIR@": os.environ["SCALED_DIR"],
    "@USER_LINE@": os.environ["USER_LINE"],
    "@UPSTREAM_SERVERS@": os.environ["SERVERS"].rstrip("\n"),
    "@PROXY_HOST@": os.environ["PROXY_HOST"],
    "@PROXY_PORT@": os.environ["PROXY_PORT"],
    "@STATIC_ROOT@": os.environ["STATIC_ROOT_DIR"],
}.items():
    text = text.replace(key, value)
Path(os.environ["SCALED_DIR"], "nginx.conf").write_text(text)
EOF
  nginx -t -q -c "$SCALED_DIR/nginx.conf" -p "$SCALED_DIR"
}

prepare_database() {
  "$PY" manage.py migrate --noinput -v 0
  "$PY" manage.py collectstatic --noinput -v 0
  "$PY" manage.py seed_demo >/dev/null
  if [ "${SCALED_GRADER:-}" = quick ] && ! "$PY" manage.py shell -v 0 -c \
      'import sys; from modeling import api; v = api.grader_version_active(); sys.exit(0 if v and v.folder.is_dir() else 1)'; then
    # A grader trained on a few answers: the same model size and serving cost as the real
    # one, in a minute instead of `grader_ensure`'s nine (for load tests, not for grades).
    "$PY" manage.py train_grader --max-train 200 --max-val 60 --epochs 1
  else
    "$PY" manage.py grader_ensure
  fi
}

# start NAME COMMAND...: run in the background, output (JSON lines) to logs/NAME.log.
start_process() {
  local name=$1
  shift
  nohup "$@" >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$PIDS/$name.pid"
}

start_all() {
  local port n=0
  for port in $WEB_PORTS; do
    n=$((n + 1))
    start_process "web$n" "$ROOT/$VENV/bin/daphne" -b 127.0.0.1 -p "$port" --proxy-headers -v 0 \
      --application-close-timeout 10 tutor.asgi:application
  done
  # The grading queue: one process, the model loaded once (one per GPU on a GPU host).
  start_process worker-grading "$ROOT/$VENV/bin/celery" --quiet -A tutor worker -Q grading --pool solo -c 1 \
    -n "grading@%h" --without-gossip --without-mingle
  start_process worker-default "$ROOT/$VENV/bin/celery" --quiet -A tutor worker -Q default -c 1 \
    -n "default@%h" --without-gossip --without-mingle
  start_process beat "$ROOT/$VENV/bin/celery" --quiet -A tutor beat --schedule "$SCALED_DIR/celerybeat-schedule"
  start_process nginx nginx -c "$SCALED_DIR/nginx.conf" -p "$SCALED_DIR"
}

wait_ready() {
  for _ in $(seq 120); do
    if curl -fsk --max-time 3 "${URL}readyz" >/dev/null 2>&1; then
      local port ok=1
      for port in $WEB_PORTS; do
        curl -fs --max-time 3 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 || ok=0
      done
      [ $ok = 1 ] && return 0
    fi
    sleep 1
  done
  echo "The scaled run did not become ready in 120 s; see $LOGS/" >&2
  return 1
}

running() {
  [ -d "$PIDS" ] || return 1
  local pidfile
  for pidfile in "$PIDS"/*.pid; do
    [ -e "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && return 0
  done
  return 1
}

all_running() {
  local pidfile
  for pidfile in "$PIDS"/*.pid; do
    [ -e "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || return 1
  done
}

stop_all() {
  [ -d "$PIDS" ] || return 0
  local pidfile pid
  for pidfile in "$PIDS"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pidfile in "$PIDS"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$(basename "$pidfile" .pid) did not stop in 20 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  echo "The scaled run is stopped."
}

banner() {
  cat <<EOF

The tutor, scaled out, on $URL  (self-signed certificate: accept it once)
  nginx :$PROXY_PORT -> daphne on $(echo "$WEB_PORTS" | sed 's/ /, /g'); workers: grading (solo), default; beat
  database $DATABASE_URL, Redis $REDIS_URL
  health ${URL}healthz   readiness ${URL}readyz   logs (JSON lines) $LOGS/
  demo logins: student / student-demo, teacher / teacher-demo, admin / admin-demo
EOF
}

case "${1:-up}" in
  up | start)
    if running; then
      echo "The scaled run is already running ($URL); stop it with: make stop-scaled"
      exit 0
    fi
    ensure_services
    prepare_files
    scaled_env
    prepare_database
    if [ "${1:-up}" = up ]; then
      trap 'echo; stop_all; exit 0' INT TERM
    fi
    start_all
    wait_ready || { stop_all; exit 1; }
    banner
    if [ "${1:-up}" = up ]; then
      echo "  Ctrl-C stops everything."
      while all_running; do sleep 2; done
      echo "A process of the scaled run exited; stopping the rest." >&2
      stop_all
      exit 1
    fi
    ;;
  stop)
    stop_all
    ;;
  manage)
    # A management command against the scaled run's database: run_scaled.sh manage ARGS...
    shift
    scaled_env
    exec "$PY" manage.py "$@"
    ;;
  status)
    if running; then
      for pidfile in "$PIDS"/*.pid; do
        pid=$(cat "$pidfile")
        state=$(kill -0 "$pid" 2>/dev/null && echo running || echo gone)
        echo "$(basename "$pidfile" .pid): $pid $state"
      done
      curl -sk --max-time 5 "${URL}readyz" && echo
    else
      echo "The scaled run is not running."
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 [up|start|stop|status|manage ARGS...]" >&2
    exit 2
    ;;
esac
