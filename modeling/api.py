"""The public door of the learned models for other apps (and, later, the Celery tasks)."""

from __future__ import annotations

from modeling.grader.engine import GradeResult, GradingInput, grade_answers
from modeling.grader.errors import GraderError, NoActiveGrader
from modeling.selectors import grader_version_active

__all__ = [
    "GradeResult",
    "GraderError",
    "GradingInput",
    "NoActiveGrader",
    "grade_answers",
    "grader_version_active",
]
