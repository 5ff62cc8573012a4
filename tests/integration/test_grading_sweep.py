"""The grading sweeper (Celery beat) re-queues answers pending too long; the grading tasks
and the sweeper are routed by name. Runs in both CI passes: the sweep's tasks run in-process
here (eager), a real worker is the business of test_no_lost_grade."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from modeling.tasks import grading_sweep
from students.models import Attempt, AttemptStatus
from tests.factories import pending_free_text_answer
from tutor.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    # The sweep queues grade_attempt: run it in-process, whatever the broker of this CI pass.
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _pending_answer(minutes_ago: float) -> Attempt:
    attempt = pending_free_text_answer()
    Attempt.objects.filter(pk=attempt.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return attempt


def test_the_sweep_requeues_answers_pending_longer_than_the_setting(active_tiny, eager, settings):
    settings.GRADING_SWEEP_AFTER_SECONDS = 120
    settings.GRADER_BATCH_SIZE = 2
    stale = [_pending_answer(minutes_ago=m) for m in (30, 20, 10)]

    report = grading_sweep()

    # One task per batch of two: the first grades the two oldest, the second the third.
    assert report == {"stale": 3, "queued": 2}
    assert {a.status for a in Attempt.objects.filter(pk__in=[a.pk for a in stale])} == {AttemptStatus.GRADED}


def test_the_sweep_leaves_answers_that_are_still_fresh_to_their_own_task(active_tiny, eager, settings):
    settings.GRADING_SWEEP_AFTER_SECONDS = 120
    fresh = _pending_answer(minutes_ago=0.5)

    report = grading_sweep()

    assert report == {"stale": 0, "queued": 0}
    fresh.refresh_from_db()
    assert fresh.status == AttemptStatus.PENDING


def test_grading_tasks_go_to_the_grading_queue_and_the_sweep_to_the_default_queue():
    def queue_of(name: str) -> str:
        return celery_app.amqp.router.route({}, name, args=(), kwargs={})["queue"].name

    assert queue_of("modeling.tasks.grade_attempt") == "grading"
    assert queue_of("modeling.tasks.grade_pending") == "grading"
    assert queue_of("modeling.tasks.grading_sweep") == "default"


def test_beat_runs_the_sweep_and_the_grading_tasks_are_acknowledged_late():
    schedule = celery_app.conf.beat_schedule
    task_names = {entry["task"] for entry in schedule.values()}

    assert "modeling.tasks.grading_sweep" in task_names
    for name in ("modeling.tasks.grade_attempt", "modeling.tasks.grade_pending"):
        task = celery_app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost
    assert celery_app.conf.broker_transport_options["visibility_timeout"] > 0
