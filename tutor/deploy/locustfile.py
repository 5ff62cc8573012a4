"""Simulated students for ``make bench-load`` (locust; run by tutor/deploy/bench_load.py, or
on its own: ``locust -f tutor/deploy/locustfile.py --headless -u 50 -r 5 --run-time 60s
--host https://127.0.0.1:8180`` with LOAD_PASSWORD set).

Each student signs in through the login form once, opens the page socket (``ws/student/``)
as the practice page does, then loops: the next item (the practice page), a think time, an
answer (whatever kind the tutor chose; free-text ones are graded by the worker), the
feedback page, and every fourth step the progress page. A free-text grade's arrival on the
socket is timed from the moment the answer was sent and reported as "grade on the page".

Runs in the load generator's own virtualenv (var/loadenv), never inside the tutor.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import ssl
import time

import gevent
import urllib3
import websocket
from locust import HttpUser, between, events, task

USERNAME_PREFIX = os.environ.get("LOAD_USERNAME_PREFIX", "load-student-")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
COURSE = os.environ.get("LOAD_COURSE", "basic-electricity")
STUDENTS = int(os.environ.get("LOAD_STUDENTS", 200))  # accounts seeded by seed_load_students.py
# Seconds a student spends on an item before answering, and between steps.
THINK_MIN = float(os.environ.get("LOAD_THINK_MIN", 2))
THINK_MAX = float(os.environ.get("LOAD_THINK_MAX", 4))
PROGRESS_EVERY = 4

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EXERCISE = re.compile(r'name="exercise" value="(\d+)"')
KIND = re.compile(r'class="exercise" data-exercise="[^"]*" data-kind="(\w+)"')
CHOICE = re.compile(r'name="choice" value="(\d+)"')
ATTEMPT = re.compile(r"/practice/answers/(\d+)/")
FREE_TEXT_ANSWERS = (
    "The switch opens the circuit so there is a gap and no closed path.",
    "Because the bulb is in a closed path with the battery.",
    "The voltage is the same across both terminals.",
    "I am not sure, maybe the battery is dead.",
    "A damaged bulb makes a gap in the path.",
)

# The self-signed certificate of the scaled run is expected.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

_numbers = itertools.count(1)


class Grades:
    """Free-text answers sent and the grades heard on the sockets, by attempt id."""

    sent: dict[int, float] = {}
    heard_early: dict[int, float] = {}
    logged_in = 0
    answers = {"free_text": 0, "multiple_choice": 0, "numeric": 0}

    @classmethod
    def reset(cls) -> None:
        cls.sent, cls.heard_early = {}, {}
        cls.answers = dict.fromkeys(cls.answers, 0)

    @classmethod
    def expect(cls, attempt: int, sent_at: float) -> None:
        heard = cls.heard_early.pop(attempt, None)
        if heard is None:
            cls.sent[attempt] = sent_at
        else:
            cls._record(heard - sent_at)

    @classmethod
    def heard(cls, attempt: int, at: float) -> None:
        sent_at = cls.sent.pop(attempt, None)
        if sent_at is None:
            # The grade came before the answer's own response (a fast worker): match it later.
            cls.heard_early[attempt] = at
        else:
            cls._record(at - sent_at)

    @staticmethod
    def _record(seconds: float) -> None:
        events.request.fire(
            request_type="WS",
            name="grade on the page (free text)",
            response_time=seconds * 1000,
            response_length=0,
            exception=None,
            context={},
        )


class Student(HttpUser):
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self) -> None:
        self.client.verify = False
        # A student that stopped is replaced by locust: the accounts are used round the clock.
        self.username = f"{USERNAME_PREFIX}{(next(_numbers) - 1) % STUDENTS + 1}"
        self.base = self.host.rstrip("/")
        self.steps = 0
        page = self.client.get("/accounts/login/", name="login page")
        token = _first(CSRF, page.text)
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base}/accounts/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} answered {response.status_code}")
                self.stop()
                return
        self.socket = gevent.spawn(self._listen)
        Grades.logged_in += 1

    def on_stop(self) -> None:
        socket = getattr(self, "socket", None)
        if socket is not None:
            socket.kill(block=False)

    def _listen(self) -> None:
        """The page's socket: grades pushed by the worker, through Redis and either daphne."""
        url = self.base.replace("https://", "wss://").replace("http://", "ws://") + "/ws/student/"
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)
        started = time.monotonic()
        try:
            ws = websocket.create_connection(
                url, cookie=cookie, origin=self.base, sslopt={"cert_reqs": ssl.CERT_NONE}, timeout=3600
            )
        except Exception as exc:
            _fire("WS", "page socket", started, exc)
            return
        _fire("WS", "page socket", started, None)
        try:
            while True:
                event = json.loads(ws.recv())
                if event.get("type") == "grade.ready":
                    Grades.heard(int(event["attempt"]), time.monotonic())
        except (websocket.WebSocketException, OSError, ValueError):
            return
        finally:
            ws.close()

    @task
    def practice_step(self) -> None:
        practice = f"/learn/courses/{COURSE}/practice/"
        with self.client.get(practice, name="next item", catch_response=True) as response:
            exercise, kind = _first(EXERCISE, response.text), _first(KIND, response.text)
            if exercise is None and "all-mastered" not in response.text:
                response.failure("the practice page shows neither an item nor the end of the course")
                return
        if exercise is None:
            return
        think = random.uniform(THINK_MIN, THINK_MAX)
        gevent.sleep(think)
        data = {
            "csrfmiddlewaretoken": _first(CSRF, response.text),
            "exercise": exercise,
            "elapsed": f"{think:.1f}",
        }
        if kind == "multiple_choice":
            data["choice"] = random.choice(CHOICE.findall(response.text) or [""])
        elif kind == "numeric":
            data["value"] = random.choice(("1.5", "3", "0.5", "12"))
        else:
            data["text"] = random.choice(FREE_TEXT_ANSWERS)
        sent_at = time.monotonic()
        with self.client.post(
            f"{practice}answer/",
            data=data,
            headers={"Referer": f"{self.base}{practice}"},
            allow_redirects=False,
            name="answer",
            catch_response=True,
        ) as answer:
            attempt = _first(ATTEMPT, answer.headers.get("Location", ""))
            if answer.status_code != 302 or attempt is None:
                answer.failure(f"the answer was not recorded ({answer.status_code})")
                return
        Grades.answers[kind if kind in Grades.answers else "free_text"] += 1
        if kind == "free_text":
            Grades.expect(int(attempt), sent_at)
        self.client.get(answer.headers["Location"], name="feedback")
        self.steps += 1
        if self.steps % PROGRESS_EVERY == 0:
            self.client.get(f"/learn/courses/{COURSE}/progress/", name="progress")


def reset_numbering() -> None:
    """The next run's students start again at the first account."""
    global _numbers
    _numbers = itertools.count(1)


def _first(pattern: re.Pattern, text: str) -> str | None:
    match = pattern.search(text or "")
    return match.group(1) if match else None


def _fire(kind: str, name: str, started: float, exception: Exception | None) -> None:
    events.request.fire(
        request_type=kind,
        name=name,
        response_time=(time.monotonic() - started) * 1000,
        response_length=0,
        exception=exception,
        context={},
    )
