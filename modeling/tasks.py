"""Celery tasks of the grader, on the ``grading`` queue (see CELERY_TASK_ROUTES).

Thin: they call ``modeling.grading``. A task is keyed by the attempt it was queued for,
is idempotent, and is retried on failure; each run drains a batch of pending answers, so
a burst of answers costs a few model calls rather than one per answer. With no active
grader the answers stay pending and are graded when a worker with a grader starts.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready

from modeling import grading
from modeling.grader.errors import NoActiveGrader

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="modeling.tasks.grade_attempt",
    autoretry_for=(Exception,),
    dont_autoretry_for=(NoActiveGrader,),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
    acks_late=True,
)
def grade_attempt(self, attempt_id: int, regrade: bool = False) -> dict:
    try:
        report = grading.grade_pending_answers(attempt_id, regrade=regrade)
    except NoActiveGrader:
        log.warning("no active grader: attempt %s stays pending until one is trained", attempt_id)
        return {"graded": 0, "skipped": 0, "version": None, "pending": True}
    return {"graded": report.graded, "skipped": report.skipped, "version": report.version}


@shared_task(name="modeling.tasks.grade_pending", acks_late=True)
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


@worker_ready.connect
def _drain_on_start(sender, **kwargs) -> None:
    # Answers given while no worker ran are graded as soon as one starts.
    sender.app.send_task("modeling.tasks.grade_pending", queue="grading")
