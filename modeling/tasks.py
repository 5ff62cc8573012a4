"""Celery tasks of the grader, on the ``grading`` queue, and its sweeper, on ``default``
(see CELERY_TASK_ROUTES: routed by name).

Thin: they call ``modeling.grading``. A task is keyed by the attempt it was queued for,
is idempotent, and is retried on failure; each run drains a batch of pending answers, so
a burst of answers costs a few model calls rather than one per answer. With no active
grader the answers stay pending and are graded when a worker with a grader starts.

No grade is lost when a worker dies: the tasks are acknowledged late, so the broker hands
an unfinished task to another worker after its visibility timeout (a child process lost
under the prefork pool is rejected back to the queue at once); a starting worker drains
every pending answer; and the sweeper, run by Celery beat, re-queues answers pending
longer than GRADING_SWEEP_AFTER_SECONDS. Grading twice writes nothing twice:
``students.services.attempt_grade`` records a grade once per attempt, under a row lock.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.utils import timezone

from modeling import grading
from modeling.grader import engine
from modeling.grader.errors import GraderError, NoActiveGrader
from students import selectors as student_selectors

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="modeling.tasks.grade_attempt",
    autoretry_for=(Exception,),
    dont_autoretry_for=(NoActiveGrader,),
    retry_backoff=2,
    retry_backoff_max=settings.GRADING_TASK_RETRY_BACKOFF_MAX,
    max_retries=settings.GRADING_TASK_MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
)
def grade_attempt(self, attempt_id: int, regrade: bool = False) -> dict:
    try:
        report = grading.grade_pending_answers(attempt_id, regrade=regrade)
    except NoActiveGrader:
        log.warning("no active grader: attempt %s stays pending until one is trained", attempt_id)
        return {"graded": 0, "skipped": 0, "version": None, "pending": True}
    return {"graded": report.graded, "skipped": report.skipped, "version": report.version}


@shared_task(name="modeling.tasks.grade_pending", acks_late=True, reject_on_worker_lost=True)
def grade_pending() -> dict:
    """Drain every pending answer, batch by batch (queued when a worker starts)."""
    total = 0
    while True:
        try:
            report = grading.grade_pending_answers()
        except NoActiveGrader:
            return {"graded": total, "pending": True}
        total += report.graded
        if report.graded == 0:
            return {"graded": total, "pending": False}


@shared_task(name="modeling.tasks.grading_sweep", acks_late=True)
def grading_sweep() -> dict:
    """Re-queue the answers pending longer than GRADING_SWEEP_AFTER_SECONDS (Celery beat
    runs it every GRADING_SWEEP_EVERY_SECONDS). One task per batch of stale answers: each
    grades its own answer and the oldest pending ones with it."""
    before = timezone.now() - timedelta(seconds=settings.GRADING_SWEEP_AFTER_SECONDS)
    stale = student_selectors.answers_pending_since(before, limit=settings.GRADING_SWEEP_LIMIT)
    queued = stale[:: grading.grading_batch_size()]
    for attempt_id in queued:
        grade_attempt.delay(attempt_id)
    if stale:
        log.warning(
            "grading sweep: %d answers pending since before %s, %d tasks queued",
            len(stale),
            before.isoformat(),
            len(queued),
            extra={"stale": len(stale), "queued": len(queued)},
        )
    return {"stale": len(stale), "queued": len(queued)}


@worker_ready.connect
def _drain_on_start(sender, **kwargs) -> None:
    # Answers given while no worker ran (or whose worker died) are graded as soon as one starts.
    sender.app.send_task("modeling.tasks.grade_pending", queue="grading")
    if "grading" in {queue.name for queue in sender.task_consumer.queues}:
        # A grading worker loads the model now, not when the first answer waits for it
        # (seconds on a CPU); a worker of the default queue never loads it.
        try:
            engine.get_grader()
        except GraderError as error:
            log.info("no grader to warm up: %s", error)
