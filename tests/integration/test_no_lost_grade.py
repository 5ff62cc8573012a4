"""No lost grade: 500 pending free-text answers, a real Celery worker on Redis killed with
SIGKILL twice mid-batch and restarted, and every answer graded exactly once. Runs in CI's
second pass (DATABASE_URL on PostgreSQL and REDIS_URL set)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.db.models import Count

from content.models import ExerciseKind
from modeling import api as modeling_api
from modeling.tasks import grade_attempt
from students import services as student_services
from students.models import Attempt, AttemptStatus, KnowledgeHistory
from tests.factories import (
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    ReferenceAnswerFactory,
    StudentFactory,
)

ROOT = Path(__file__).resolve().parents[2]
N_ANSWERS = 500
# The worker is killed when this many answers are graded: inside a batch of 32, not between.
KILL_AT = (100, 250)
# A guard against a hung run (a busy machine is slow), not a figure: the test never times grades.
GRADED_WITHIN_SECONDS = 600

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): CI's second run sets them",
    ),
    pytest.mark.django_db(transaction=True),
]


def _start_worker(model_dir: Path) -> subprocess.Popen:
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
        "TUTOR_MODEL_DIR": str(model_dir),
        "GRADER_DEVICE": "cpu",
        "DJANGO_SETTINGS_MODULE": "tutor.settings",
        # A task of a killed worker comes back within the test, not after the default 10 minutes.
        "CELERY_VISIBILITY_TIMEOUT": "15",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "-m", "celery", "-A", "tutor", "worker", "-Q", "grading", "--pool", "solo"]
    command += ["-c", "1", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def _graded(ids: list[int]) -> int:
    return Attempt.objects.filter(pk__in=ids, status=AttemptStatus.GRADED).count()


def _wait_for(ids: list[int], at_least: int, worker: subprocess.Popen, within: float) -> int:
    deadline = time.monotonic() + within
    while (graded := _graded(ids)) < at_least:
        assert worker.poll() is None, f"the worker exited with {worker.returncode}"
        assert time.monotonic() < deadline, f"{graded} of {at_least} answers graded in {within:.0f} s"
        time.sleep(0.05)
    return graded


@pytest.fixture
def pending_answers() -> list[int]:
    """500 free-text answers from 25 students on 5 exercises of two concepts each, each
    queued for grading as the tutor queues it (after commit, one task per answer)."""
    course = CourseFactory()
    concepts = [ConceptFactory(course=course) for _ in range(2)]
    exercises = []
    for n in range(5):
        exercise = ExerciseFactory(
            course=course,
            kind=ExerciseKind.FREE_TEXT,
            concepts=concepts,
            prompt=f"Why does switch {n} matter?",
        )
        ReferenceAnswerFactory(exercise=exercise, text="An open switch creates a gap in the closed path.")
        exercises.append(exercise)
    students = [StudentFactory() for _ in range(25)]
    ids = []
    for n in range(N_ANSWERS):
        attempt, _ = student_services.attempt_record(
            student=students[n % len(students)],
            exercise=exercises[n % len(exercises)],
            context="test",
            response={"text": f"The switch opens the path, answer {n}."},
            score=None,
            is_correct=None,
            hints_used=0,
            worked_example_shown=False,
            response_seconds=30.0,
            reason={},
            predicted_correct=None,
        )
        ids.append(attempt.pk)
    for pk in ids:  # autocommit: each answer is already committed
        modeling_api.grading_queue(pk)
    return ids


def test_every_answer_is_graded_exactly_once_though_the_worker_is_killed_twice(
    model_dir, active_tiny, pending_answers
):
    ids = pending_answers
    worker = _start_worker(model_dir)
    killed_at = []
    try:
        for threshold in KILL_AT:
            _wait_for(ids, threshold, worker, within=GRADED_WITHIN_SECONDS)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            killed_at.append(_graded(ids))
            worker = _start_worker(model_dir)
        _wait_for(ids, N_ANSWERS, worker, within=GRADED_WITHIN_SECONDS)
        graded_at = dict(Attempt.objects.filter(pk__in=ids).values_list("pk", "graded_at"))

        # Every answer asked again, as a task handed out twice (the broker's redelivery of a
        # killed worker's task, the sweeper) would ask: nothing is graded a second time.
        results = [grade_attempt.delay(pk) for pk in ids[:: len(ids) // 50]]
        for result in results:
            assert result.get(timeout=GRADED_WITHIN_SECONDS)["graded"] == 0
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()

    assert len(killed_at) == 2 and all(0 < n < N_ANSWERS for n in killed_at), killed_at
    attempts = Attempt.objects.filter(pk__in=ids)
    assert attempts.filter(status=AttemptStatus.GRADED, grade_source="model").count() == N_ANSWERS
    assert dict(attempts.values_list("pk", "graded_at")) == graded_at
    # One knowledge-history row per concept per attempt: the student model was updated once.
    rows = KnowledgeHistory.objects.filter(attempt_id__in=ids).values("attempt_id").annotate(n=Count("id"))
    assert len(rows) == N_ANSWERS and {row["n"] for row in rows} == {2}
