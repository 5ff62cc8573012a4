"""Drive the simulated students of locustfile.py against the scaled run and print figures,
never assertions: ``bench_load.py --host URL --users 50 200 --seconds 60``.

For each class size: the students are spawned and sign in (the login figures are printed
on their own: a login hashes the password on purpose, 1,000,000 PBKDF2 rounds), then the
statistics are reset and the practice loop runs for ``--seconds``; it prints requests per
second, p50/p95/p99 per endpoint, the errors, and the free-text grades' arrival on the page.
Runs in the load generator's virtualenv (locust is not a dependency of the tutor).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import gevent
from locust import events
from locust.env import Environment

sys.path.insert(0, os.path.dirname(__file__))
from locustfile import THINK_MAX, THINK_MIN, Grades, Student, reset_numbering  # noqa: E402

TARGETS = (
    "targets: 0 errors; p95 of a practice step (next item, answer) < 150 ms; grades on the page p95 < 2 s"
)


def _table(entries, seconds: float) -> list[str]:
    lines = [
        f"{'endpoint':<34}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>8}"
    ]
    for entry in sorted(entries, key=lambda e: (e.method != "WS", e.name)):
        if entry.num_requests == 0 and entry.num_failures == 0:
            continue
        lines.append(
            f"{entry.method + ' ' + entry.name:<34}{entry.num_requests:>9}{entry.num_requests / seconds:>8.1f}"
            f"{entry.get_response_time_percentile(0.5):>8.0f}{entry.get_response_time_percentile(0.95):>8.0f}"
            f"{entry.get_response_time_percentile(0.99):>8.0f}{entry.max_response_time or 0:>8.0f}"
            f"{entry.num_failures:>8}"
        )
    return lines


def run(host: str, users: int, seconds: float, spawn_rate: float) -> None:
    Grades.logged_in = 0
    Grades.reset()
    reset_numbering()
    env = Environment(user_classes=[Student], host=host, events=events)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=spawn_rate)
    deadline = started + max(120.0, 3 * users / spawn_rate)
    while Grades.logged_in < users and time.monotonic() < deadline:
        gevent.sleep(0.5)
    signed_in = time.monotonic() - started
    login_lines = _table(env.stats.entries.values(), signed_in)
    login_errors = sum(e.occurrences for e in env.stats.errors.values())

    env.stats.reset_all()
    Grades.reset()
    begun = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - begun
    lines = _table(env.stats.entries.values(), elapsed)
    total = env.stats.total
    errors = dict(env.stats.errors)
    still_pending = len(Grades.sent)
    answers = dict(Grades.answers)
    runner.quit()

    print(
        f"\n=== {users} students: {Grades.logged_in} signed in, in {signed_in:.0f} s (spawn {spawn_rate}/s) ==="
    )
    print("\n".join(login_lines))
    print(f"login errors: {login_errors}")
    print(f"\n--- practice loop, {elapsed:.0f} s (think time {THINK_MIN:g} to {THINK_MAX:g} s) ---")
    print("\n".join(lines))
    n_answers = sum(answers.values())
    share = answers["free_text"] / n_answers if n_answers else 0.0
    print(
        f"all requests: {total.num_requests} ({total.num_requests / elapsed:.1f}/s), "
        f"errors {total.num_failures}; answers {n_answers} ({share:.0%} free text: {answers}); "
        f"free-text grades not on the page by the end: {still_pending}"
    )
    for error in errors.values():
        print(f"  error x{error.occurrences}: {error.method} {error.name}: {error.error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="https://127.0.0.1:8180")
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--spawn-rate", type=float, default=5.0)
    args = parser.parse_args()
    print(TARGETS)
    for users in args.users:
        run(args.host, users, args.seconds, args.spawn_rate)


if __name__ == "__main__":
    main()
