"""The embedded default (no broker): a free-text answer is graded on a background thread of
the web process, so the submit returns at once, and the grade is recorded as a worker
records it."""

from __future__ import annotations

import threading

import pytest

from modeling import services
from modeling.grader import engine
from students.models import Attempt, AttemptStatus
from tests.factories import pending_free_text_answer

pytestmark = pytest.mark.django_db(transaction=True)


def _pending_answer():
    return pending_free_text_answer(text="The switch makes a gap.")


def test_without_a_broker_grading_returns_at_once_and_grades_in_the_background(active_tiny, settings):
    # given the embedded default, and the grading thread busy with something else
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.GRADER_IN_PROCESS = "background"
    attempt = _pending_answer()
    busy = threading.Event()
    services._background.submit(busy.wait, 60)

    # when the answer is queued
    services.grading_queue(attempt.pk)

    # then the caller got control back before any grading happened...
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.PENDING
    # ...and the grading thread grades it once it is free
    busy.set()
    services._background.submit(lambda: None).result(timeout=120)
    graded = Attempt.objects.get(pk=attempt.pk)
    assert graded.status == AttemptStatus.GRADED and graded.grader_version == active_tiny.version


def test_inline_grading_grades_before_returning(active_tiny, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.GRADER_IN_PROCESS = "inline"
    attempt = _pending_answer()

    services.grading_queue(attempt.pk)

    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.GRADED


def test_warming_up_loads_the_active_grader_once(active_tiny):
    services.grader_warm_up_in_background()
    services._background.submit(lambda: None).result(timeout=120)

    assert active_tiny.version in engine._CACHE


def test_warming_up_without_a_grader_is_harmless(model_dir):
    services.grader_warm_up()  # logs that there is nothing to load; raises nothing
