"""Grading students' free-text answers with the active grader: the service the Celery
tasks call. It claims a batch of pending answers, grades them in one model call, and
records each grade through ``students.services.attempt_grade`` (which updates the
student model and pushes the grade to the student's page)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from modeling.grader.engine import GradingInput, grade_answers
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
        feedback = {
            "message": FEEDBACK_MESSAGES.get(result.label_5way, ""),
            "closest_reference": result.closest_reference,
            "missing_terms": list(result.missing_terms),
            "label_3way": result.label_3way,
            "probabilities": result.probabilities,
        }
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


# What the student reads beside the grade; the grader's label, in words.
FEEDBACK_MESSAGES = {
    "correct": "Your answer says what the reference answer says.",
    "partially_correct_incomplete": "Part of the idea is there, but something important is missing.",
    "contradictory": "Your answer contradicts the reference answer: check it against the idea below.",
    "irrelevant": "Your answer is about the topic but does not answer the question.",
    "non_domain": "That does not look like an answer to the question.",
}
