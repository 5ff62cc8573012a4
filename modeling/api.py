"""The door of the learned models: what other apps may use of ``modeling``.

Other apps import this module (or ``modeling.services`` / ``modeling.selectors``), never
``modeling.grader`` or ``modeling.models`` directly: the import contracts in
``pyproject.toml`` check it."""

from __future__ import annotations

from modeling.embeddings import embed_texts as embed_texts  # the assistant's retrieval
from modeling.grader.engine import GradeResult, GradingInput, grade_answers
from modeling.grader.errors import GraderError, NoActiveGrader
from modeling.selectors import grader_version_active
from modeling.services import grader_warm_up_in_background, grading_queue

__all__ = [
    "GradeResult",
    "GraderError",
    "GradingInput",
    "NoActiveGrader",
    "grade_answers",
    "grader_version_active",
    "grader_warm_up_in_background",
    "grading_queue",
]
