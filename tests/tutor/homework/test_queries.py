"""The review queue and the gradebook take the same number of queries for 3 students as
for 30 (an N+1 is a failing test)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import ExerciseKind
from tests.factories import (
    AssignmentFactory,
    AssignmentItemFactory,
    ClassroomFactory,
    ExerciseFactory,
    ReferenceAnswerFactory,
    StudentFactory,
    TeacherFactory,
)
from tests.tutor.homework.conftest import model_graded
from tutor.homework import gradebook as gradebook_selectors
from tutor.homework import selectors, services

pytestmark = pytest.mark.django_db


def _classroom(n_students: int):
    teacher = TeacherFactory()
    room = ClassroomFactory(teacher=teacher)
    exercises = [ExerciseFactory(kind=ExerciseKind.FREE_TEXT) for _ in range(2)]
    for e in exercises:
        ReferenceAnswerFactory(exercise=e)
    room.courses.add(*{e.course for e in exercises})
    students = [StudentFactory() for _ in range(n_students)]
    room.students.add(*students)
    homework = [AssignmentFactory(classroom=room) for _ in range(2)]
    for a in homework:
        for e in exercises:
            AssignmentItemFactory(assignment=a, exercise=e)
    for i, s in enumerate(students):
        for a in homework:
            for e in exercises:
                attempt = model_graded(s, e, context=a.context, confidence=(i % 10) / 10)
        services.homework_submit(s, homework[0].pk)
        if i % 3 == 0:
            services.review_submit(teacher, attempt.pk, label="correct", comment="Good.")
    return teacher, room


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_the_review_queue_takes_as_many_queries_for_30_students_as_for_3():
    small_teacher, _ = _classroom(3)
    large_teacher, _ = _classroom(30)

    small = _queries(lambda: selectors.review_queue(small_teacher, selectors.ReviewFilters(reviewed=None)))
    large = _queries(lambda: selectors.review_queue(large_teacher, selectors.ReviewFilters(reviewed=None)))
    rows = selectors.review_queue(large_teacher, selectors.ReviewFilters(reviewed=None)).rows

    assert small == large, (small, large)
    assert len(rows) == selectors.REVIEW_PAGE_SIZE and any(r.comment == "Good." for r in rows)


def test_the_gradebook_takes_as_many_queries_for_30_students_as_for_3():
    small_teacher, small_room = _classroom(3)
    large_teacher, large_room = _classroom(30)

    small = _queries(lambda: gradebook_selectors.gradebook(small_teacher, small_room.pk))
    large = _queries(lambda: gradebook_selectors.gradebook(large_teacher, large_room.pk))
    book = gradebook_selectors.gradebook(large_teacher, large_room.pk)

    assert small == large, (small, large)
    assert len(book.students) == 30 and all(c.score == 1.0 for c in book.cells.values())


def test_the_attempts_export_takes_as_many_queries_for_30_students_as_for_3():
    small_teacher, small_room = _classroom(3)
    large_teacher, large_room = _classroom(30)

    small = _queries(lambda: gradebook_selectors.attempts_export(small_teacher, small_room.pk))
    large = _queries(lambda: gradebook_selectors.attempts_export(large_teacher, large_room.pk))

    assert small == large, (small, large)
