"""A free-text answer graded by a real Celery worker over Redis, on PostgreSQL, with the
grade pushed to the student's page through the Redis channel layer. Runs in CI's second
pass (DATABASE_URL and REDIS_URL set); the embedded default is covered by the eager tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

from modeling import services as modeling_services
from students import api as students_api
from students.models import Attempt, AttemptStatus
from tests.factories import StudentFactory, pending_free_text_answer

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): CI's second run sets them",
    ),
    pytest.mark.django_db(transaction=True),
]


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def worker(model_dir, active_tiny):
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "TUTOR_MODEL_DIR": str(model_dir),
        "GRADER_DEVICE": "cpu",
        "DJANGO_SETTINGS_MODULE": "tutor.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tutor",
            "worker",
            "-Q",
            "grading,default",
            "--pool",
            "solo",
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_real_worker_grades_the_answer_and_the_page_hears_it(worker):
    student = StudentFactory()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(students_api.user_group(student.pk), channel)

    attempt = pending_free_text_answer(student)
    modeling_services.grading_queue(attempt.pk)  # autocommit: queued to Redis at once, as after a commit

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.GRADED:
            break
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.5)
    graded = Attempt.objects.get(pk=attempt.pk)
    assert graded.status == AttemptStatus.GRADED, "the worker did not grade the answer in 120 s"
    assert graded.grade_source == "model" and graded.knowledge_updated
    event = async_to_sync(layer.receive)(channel)
    assert event["type"] == "grade.ready" and event["attempt"] == attempt.pk
