"""A classroom with homework: a teacher, their students, another teacher and a stranger."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from content.models import ExerciseKind
from students.models import AttemptStatus
from tests.factories import (
    AssignmentFactory,
    AssignmentItemFactory,
    AttemptFactory,
    ChoiceFactory,
    ClassroomFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    ReferenceAnswerFactory,
    StudentFactory,
    TeacherFactory,
)
from tutor.homework import services


@dataclass
class World:
    course: object
    concept: object
    free_text: object
    choice: object
    room: object
    teacher: object
    students: list
    other_teacher: object
    other_room: object
    outsider: object  # a student of the other teacher's classroom
    assignment: object


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Free-text answers queued for the grader (no grader runs in these tests)."""
    calls: list[int] = []
    monkeypatch.setattr(services.modeling_api, "grading_queue", lambda attempt_id: calls.append(attempt_id))
    return calls


@pytest.fixture
def world(db, queued) -> World:
    course = CourseFactory()
    concept = ConceptFactory(course=course, name="Closed paths")
    free_text = ExerciseFactory(
        course=course, kind=ExerciseKind.FREE_TEXT, title="Why no light", concepts=[concept]
    )
    ReferenceAnswerFactory(exercise=free_text, text="The gap breaks the only path.")
    choice = ExerciseFactory(
        course=course, kind=ExerciseKind.MULTIPLE_CHOICE, title="Which bulb", concepts=[concept]
    )
    ChoiceFactory(exercise=choice, text="A", is_correct=True)
    ChoiceFactory(exercise=choice, text="B", is_correct=False)
    teacher = TeacherFactory()
    room = ClassroomFactory(teacher=teacher, name="Physics 8A")
    room.courses.add(course)
    students = [StudentFactory() for _ in range(2)]
    room.students.add(*students)
    other_teacher = TeacherFactory()
    other_room = ClassroomFactory(teacher=other_teacher)
    other_room.courses.add(course)
    outsider = StudentFactory()
    other_room.students.add(outsider)
    assignment = AssignmentFactory(classroom=room, title="Circuits")
    AssignmentItemFactory(assignment=assignment, exercise=free_text, order=0)
    AssignmentItemFactory(assignment=assignment, exercise=choice, order=1)
    return World(
        course,
        concept,
        free_text,
        choice,
        room,
        teacher,
        students,
        other_teacher,
        other_room,
        outsider,
        assignment,
    )


def model_graded(
    student, exercise, *, context: str, label="correct", score=1.0, confidence=0.8, version="v1"
):
    """A free-text answer graded by the grader model."""
    return AttemptFactory(
        student=student,
        exercise=exercise,
        context=context,
        response={"text": "Because the gap breaks the path."},
        status=AttemptStatus.GRADED,
        score=score,
        label=label,
        confidence=confidence,
        grade_source="model",
        grader_version=version,
    )
