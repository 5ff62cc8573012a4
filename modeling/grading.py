"""Grading students' free-text answers with the active grader: the service the Celery
tasks call. It claims a batch of pending answers, grades them in one model call, and
records each grade through ``students.services.attempt_grade`` (which updates the
student model and pushes the grade to the student's page).

What a grade's feedback holds: for the student, a message for the label and hints that
never give the answer away (``feedback.student_hints``: the item may come back, so no
reference answer, no key word of one); for the teacher only, under ``for_teacher``, the
closest reference, its key terms the answer lacks, the checks that fired and whether the
grade was auto-accepted. Pages and pushes to the student drop ``for_teacher``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from modeling.grader.engine import GradeResult, GradingInput, grade_answers
from modeling.grader.feedback import student_hints
from students import selectors as student_selectors
from students import services as student_services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GradingReport:
    graded: int
    skipped: int
    version: str | None


def grading_batch_size() -> int:
    return int(getattr(settings, "GRADER_BATCH_SIZE", 32))


def grade_pending_answers(first_attempt_id: int | None = None, *, regrade: bool = False) -> GradingReport:
    """Grade ``first_attempt_id`` (if given) together with other pending free-text answers,
    oldest first, up to the batch size. Safe to run twice or in several workers at once:
    an answer already graded is left alone unless ``regrade`` is asked for."""
    answers = student_selectors.free_text_answers_to_grade(
        first_attempt_id, limit=grading_batch_size(), regrade=regrade
    )
    if not answers:
        return GradingReport(graded=0, skipped=0, version=None)
    results = grade_answers(
        [
            GradingInput(question=a.question, reference_answers=a.reference_answers, student_answer=a.text)
            for a in answers
        ]
    )
    graded = skipped = 0
    for answer, result in zip(answers, results, strict=True):
        feedback = grade_feedback(answer.question, answer.text, result)
        recorded = student_services.attempt_grade(
            answer.attempt_id,
            score=result.score,
            label=result.label_5way,
            confidence=result.confidence,
            feedback=feedback,
            grader_version=result.model_version,
            regrade=regrade and answer.attempt_id == first_attempt_id,
        )
        if recorded is None:
            skipped += 1
        else:
            graded += 1
    log.info("graded %d answers (%d already graded) with %s", graded, skipped, results[0].model_version)
    return GradingReport(graded=graded, skipped=skipped, version=results[0].model_version)


# The key of a grade's feedback that only teachers see; every student-facing page and push
# leaves it out (students.selectors.attempt_result_for, students.services.grade_event).
TEACHER_ONLY = "for_teacher"


def grade_feedback(question: str, answer: str, result: GradeResult) -> dict:
    """The feedback stored with a grade: what the student may read, and under TEACHER_ONLY
    what only the teacher may (the reference, its key terms, the checks, auto-acceptance)."""
    return {
        "message": FEEDBACK_MESSAGES.get(result.label_5way, ""),
        "hints": student_hints(
            answer, result.closest_reference or "", question, result.label_5way, result.checks
        ),
        "label_3way": result.label_3way,
        "probabilities": result.probabilities,
        TEACHER_ONLY: {
            "closest_reference": result.closest_reference,
            "missing_terms": list(result.missing_terms),
            "checks": list(result.checks),
            "confidence": result.confidence,
            "auto_accepted": result.auto_accepted,
        },
    }


# What the student reads beside the grade; the grader's label, in words that quote no
# reference answer.
FEEDBACK_MESSAGES = {
    "correct": "Your answer says what a complete answer says.",
    "partially_correct_incomplete": "Part of the idea is there, but something important is missing.",
    "contradictory": "Part of your answer contradicts a correct answer: think it through again.",
    "irrelevant": "Your answer is about the topic but does not answer the question.",
    "non_domain": "That does not look like an answer to the question.",
}
