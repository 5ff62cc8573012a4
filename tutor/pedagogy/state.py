"""What the policy knows of one student, and what it answers: the student's concept states
and recent answers (``StudentView``) in, a ``Decision`` out. Plain frozen dataclasses that
the live tutor builds from the database and the simulator from memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from tutor.pedagogy.reasons import RENAMED_RULES, WORKED_EXAMPLE_NONE

# Earlier answers (before this session) that the policy sees, for "not answered in the
# last few items" across sessions.
EARLIER_ITEMS = 10


@dataclass(frozen=True)
class ConceptState:
    mastery: float  # P(L)
    n_attempts: int
    error_streak: int  # wrong answers in a row
    first_practiced_at: datetime | None
    last_practiced_at: datetime | None
    review_due_at: datetime | None
    mastered: bool  # declared mastered: in spaced review (P(L) and the evidence minimum reached)
    # Right answers on the student's own (no hints, worked example or shown answer), one per
    # exercise, and those exercises (``students.learning.knowledge_update``).
    independent_correct: int = 0
    credited: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RecentItem:
    exercise_id: int
    concepts: tuple[int, ...]
    correct: bool | None  # None: a free-text answer waiting for its grade
    response_seconds: float | None
    expected_seconds: float
    answered_at: datetime


@dataclass(frozen=True)
class Reveal:
    """The last time the student was shown an exercise's answer (its correct options, a
    wrong numeric answer's value, its worked solution), and how many answers in the course
    they gave since (counted up to the course's ``reveal_hold_items``)."""

    revealed_at: datetime
    answers_since: int


@dataclass(frozen=True)
class StudentView:
    """What the policy may know of one student in one course. A concept missing from
    ``states`` was never practised and has its prior (``prior_mastery``, else the
    concept's ``p_init``) as mastery. ``recent`` is oldest first: this session's answers
    plus a few earlier ones (``EARLIER_ITEMS``, for the rule against repeating recent items).
    ``revealed``: exercise id -> its last ``Reveal``, for every exercise of the course whose
    answer the student was shown. ``optional_practice``: the student asked to practise on
    after mastering the course."""

    states: Mapping[int, ConceptState]
    prior_mastery: Mapping[int, float]
    recent: tuple[RecentItem, ...]
    session_started_at: datetime
    now: datetime
    revealed: Mapping[int, Reveal] = field(default_factory=dict)
    optional_practice: bool = False


@dataclass(frozen=True)
class Decision:
    exercise_id: int | None
    concept_id: int | None
    rule: str  # machine-readable, one of the RULE_* codes of ``tutor.pedagogy.reasons``
    reason: dict  # structured figures, JSON-serialisable; reason["rule"] == rule
    message: str  # plain-English "Why this exercise?" for the student
    worked_example: str = WORKED_EXAMPLE_NONE  # "show" (before the item), "offer" (on request), "none"
    break_suggestion: str | None = None
    slow_down: str | None = None
    done: bool = False  # everything mastered and nothing due
    optional: bool = False  # extra practice the student asked for after mastering the course

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """A stored decision (``as_dict``). Decisions are stored as JSON with the item on
        screen, so a rule code renamed since (``RENAMED_RULES``) is read as its new code,
        in ``rule`` and in ``reason["rule"]``; the stored message is shown as it was."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        if values.get("rule") in RENAMED_RULES:
            values["rule"] = RENAMED_RULES[values["rule"]]
        reason = values.get("reason")
        if isinstance(reason, Mapping) and reason.get("rule") in RENAMED_RULES:
            values["reason"] = {**reason, "rule": RENAMED_RULES[reason["rule"]]}
        return cls(**values)


__all__ = ["EARLIER_ITEMS", "ConceptState", "Decision", "RecentItem", "Reveal", "StudentView"]
