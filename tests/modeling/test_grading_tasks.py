"""Free-text answers through the grading task: graded in batches, idempotent, pending
(never lost) without a grader."""

from __future__ import annotations

import pytest

from modeling import grading
from modeling.tasks import grade_attempt, grade_pending
from students.models import Attempt, AttemptStatus, KnowledgeState
from tests.factories import (
    OPEN_SWITCH_REFERENCE,
    StudentFactory,
    pending_free_text_answer,
)

pytestmark = pytest.mark.django_db


def _answer(student, text="The switch makes a gap in the circuit."):
    return pending_free_text_answer(
        student, text=text, references=(OPEN_SWITCH_REFERENCE, "The circuit is no longer complete.")
    )


def test_without_a_grader_answers_stay_pending(model_dir, student):
    attempt = _answer(student)  # eager Celery: the task ran on commit and found no grader

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING
    assert grade_pending.apply().get() == {"graded": 0, "pending": True}


def test_the_task_grades_the_answer_and_updates_the_student_model(active_tiny, student):
    attempt = _answer(student)

    grade_attempt.apply(args=[attempt.pk]).get()

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED and attempt.grade_source == "model"
    assert 0.0 <= attempt.score <= 1.0 and 0.0 <= attempt.confidence <= 1.0
    assert attempt.label in {
        "correct",
        "partially_correct_incomplete",
        "contradictory",
        "irrelevant",
        "non_domain",
    }
    assert attempt.grader_version == active_tiny.version
    # the closest reference and its key terms are kept for the teacher only
    assert attempt.feedback["for_teacher"]["closest_reference"] in {
        "An open switch creates a gap in the closed path.",
        "The circuit is no longer complete.",
    }
    assert isinstance(attempt.feedback["for_teacher"]["missing_terms"], list)
    assert "closest_reference" not in attempt.feedback and "missing_terms" not in attempt.feedback
    assert isinstance(attempt.feedback["hints"], list)
    assert KnowledgeState.objects.get(student=student).n_attempts == 1


def test_grading_twice_changes_nothing(active_tiny, student):
    attempt = _answer(student)
    grade_attempt.apply(args=[attempt.pk]).get()
    first = Attempt.objects.get(pk=attempt.pk)

    again = grade_attempt.apply(args=[attempt.pk]).get()

    assert again["graded"] == 0
    assert Attempt.objects.get(pk=attempt.pk).graded_at == first.graded_at
    assert KnowledgeState.objects.get(student=student).n_attempts == 1


def test_one_task_drains_a_batch_of_pending_answers(register_tiny):
    answers = [_answer(StudentFactory()) for _ in range(5)]  # queued while no grader existed
    assert Attempt.objects.filter(status=AttemptStatus.PENDING).count() == 5

    register_tiny("tiny-late")  # a worker with a grader starts
    report = grading.grade_pending_answers(answers[0].pk)

    assert report.graded == 5
    assert not Attempt.objects.filter(status=AttemptStatus.PENDING).exists()
