"""``make fuzz``: schemathesis against the API of a server this script starts, as a student
and as a teacher; prints how many requests the server answered and how many with a 5xx.

Not a test (pytest does not collect it, and ``make test`` does not run it): a bounded fuzzing
run, minutes long. The server is the project's own ASGI server on a free loopback port, with
DEBUG off, a fresh SQLite database in a temporary folder seeded with the demo course, and rate
limits lifted (the fuzzer is one very busy user). The figures come from the server's request
log, so they count every request whatever the fuzzer made of the answer.

    .venv/bin/python tests/security_fuzz.py [--seconds 240] [--examples 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOG_LINE = re.compile(r"^HTTP (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) ")
ROLES = {"student": "student", "teacher": "teacher"}

SESSION_SNIPPET = """
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
for username in {usernames!r}:
    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "tutor.security.ThrottledModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(username, session.session_key)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, check=True, text=True, **kwargs)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=240, help="time budget per role (default 240)")
    parser.add_argument("--examples", type=int, default=300, help="examples per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="2", help="schemathesis workers (default 2)")
    options = parser.parse_args()

    schemathesis = shutil.which("schemathesis", path=str(Path(PYTHON).parent)) or shutil.which("schemathesis")
    if schemathesis is None:
        raise SystemExit("schemathesis is missing: pip install -r requirements.txt")

    workdir = Path(tempfile.mkdtemp(prefix="tutor-fuzz-"))
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        "TUTOR_VAR_DIR": str(workdir / "var"),
        "DEBUG": "0",
        "REDIS_URL": "",
        "API_THROTTLE_USER": "1000000/minute",
        "API_THROTTLE_ANON": "1000000/minute",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ENV", None)
    print(f"fuzz: preparing a demo database in {workdir}", flush=True)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PYTHON, "manage.py", "seed_demo"], env, stdout=subprocess.DEVNULL)
    sessions = dict(
        line.split()
        for line in run(
            [PYTHON, "-c", SESSION_SNIPPET.format(usernames=list(ROLES.values()))],
            env | {"DJANGO_SETTINGS_MODULE": "tutor.settings"},
            capture_output=True,
        ).stdout.splitlines()
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(f"{base}/api/schema/")
        for role, username in ROLES.items():
            csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
            print(f"\nfuzz: as the {role}, up to {options.seconds} s", flush=True)
            subprocess.run(
                [
                    schemathesis,
                    "run",
                    f"{base}/api/schema/",
                    "--url",
                    base,
                    "-H",
                    f"Cookie: sessionid={sessions[username]}; csrftoken={csrf}",
                    "-H",
                    f"X-CSRFToken: {csrf}",
                    "--max-time",
                    str(options.seconds),
                    "--max-examples",
                    str(options.examples),
                    "--seed",
                    str(options.seed),
                    "--workers",
                    options.workers,
                    "--checks",
                    "all",
                    "--exclude-checks",
                    "ignored_auth",  # session cookies, not a scheme in the schema
                    "--no-shrink",
                    "--request-timeout",
                    "30",
                    "--suppress-health-check",
                    "all",
                    "--report",
                    "junit",
                    "--report-dir",
                    str(workdir / f"report-{role}"),
                ],
                cwd=ROOT,
                env=env,
                timeout=options.seconds + 300,
                check=False,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    statuses: collections.Counter[int] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        match = LOG_LINE.match(line)
        if match:
            status = int(match["status"])
            statuses[status // 100 * 100] += 1
            if status >= 500:
                errors[f"{match['method']} {re.sub(r'[0-9]+', '{id}', match['path'].split('?')[0])}"] += 1
    total = sum(statuses.values())
    server_errors = sum(errors.values())
    print("\n=== make fuzz ===")
    print(f"requests answered by the server: {total}")
    print("by class: " + ", ".join(f"{k // 100}xx {v}" for k, v in sorted(statuses.items())))
    print(f"server errors (5xx): {server_errors}")
    for where, n in errors.most_common(20):
        print(f"  {n:6d}  {where}")
    print(f"server log and schemathesis reports: {workdir}")
    return 1 if server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
