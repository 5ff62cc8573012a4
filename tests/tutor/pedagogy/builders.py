"""Builders shared by the pedagogy tests: a small course (concepts A to D, one-digit
exercises), concept states and recent answers at a fixed time, and ``choose`` to call the
policy with predictions given per exercise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from content.api import PolicySettings
from tutor.pedagogy import (
    ConceptInfo,
    ConceptState,
    CourseGraph,
    Decision,
    ExerciseInfo,
    RecentItem,
    StudentView,
    choose_next,
)

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
A, B, C, D = 1, 2, 3, 4


def concept(cid: int, *prerequisites: int, slug: str | None = None, order: int | None = None) -> ConceptInfo:
    slug = slug or "abcdefgh"[cid - 1]
    return ConceptInfo(
        id=cid,
        slug=slug,
        name=f"Concept {slug.upper()}",
        order=cid if order is None else order,
        prerequisites=prerequisites,
        p_guess=0.2,
        p_slip=0.1,
        p_learn=0.15,
    )


def exercise(eid: int, *concepts: int, worked: bool = False, seconds: float = 60) -> ExerciseInfo:
    return ExerciseInfo(
        id=eid, concepts=concepts, difficulty=0.5, expected_seconds=seconds, has_worked_example=worked
    )


def state(
    mastery: float,
    *,
    errors: int = 0,
    started_minutes_ago: float = 120,
    review_due_at: datetime | None = None,
) -> ConceptState:
    return ConceptState(
        mastery=mastery,
        n_attempts=5,
        error_streak=errors,
        first_practiced_at=NOW - timedelta(minutes=started_minutes_ago),
        last_practiced_at=NOW - timedelta(minutes=1),
        review_due_at=review_due_at,
        mastered=mastery >= 0.95,
    )


def answered(
    item: ExerciseInfo, minutes_ago: float, *, correct: bool | None = True, seconds: float | None = 30
) -> RecentItem:
    return RecentItem(
        exercise_id=item.id,
        concepts=item.concepts,
        correct=correct,
        response_seconds=seconds,
        expected_seconds=item.expected_seconds,
        answered_at=NOW - timedelta(minutes=minutes_ago),
    )


def student(states: dict, recent: list[RecentItem] = (), session_minutes: float = 10) -> StudentView:
    return StudentView(
        states=states,
        prior_mastery={},
        recent=tuple(recent),
        session_started_at=NOW - timedelta(minutes=session_minutes),
        now=NOW,
    )


def choose(concepts, exercises, view, predictions=None, settings=None) -> Decision:
    predictions = predictions or {}
    return choose_next(
        CourseGraph(concepts, exercises),
        view,
        settings or PolicySettings(),
        lambda eid: predictions.get(eid, 0.7),
    )


def prerequisite_course() -> tuple[list[ConceptInfo], list[ExerciseInfo], ExerciseInfo]:
    """C builds on A and B; C has an item without a worked example (returned) and one with."""
    concepts = [concept(A), concept(B), concept(C, A, B)]
    c1 = exercise(31, C)
    exercises = [exercise(11, A), exercise(21, B), c1, exercise(32, C, worked=True)]
    return concepts, exercises, c1
