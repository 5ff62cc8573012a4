"""The teacher's classroom dashboard: their classrooms only, every student x concept,
a fixed number of queries whatever the class size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from students.models import KnowledgeState
from students.selectors import classroom_dashboard
from tests.factories import ClassroomFactory, ConceptFactory, CourseFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def _classroom(teacher, n_students):
    course = CourseFactory()
    concepts = [ConceptFactory(course=course) for _ in range(3)]
    room = ClassroomFactory(teacher=teacher)
    room.courses.add(course)
    for _ in range(n_students):
        student = StudentFactory()
        room.students.add(student)
        KnowledgeState.objects.create(student=student, concept=concepts[0], mastery=0.97)
    return room


def test_the_dashboard_shows_mastery_per_student_and_concept(teacher_client, teacher):
    room = _classroom(teacher, 2)

    html = teacher_client.get(f"/teach/classrooms/{room.pk}/").content.decode()

    assert html.count('class="cell m-mastered"') == 2
    assert html.count('class="cell m-none"') == 4


def test_a_teacher_cannot_open_another_teachers_classroom(teacher_client):
    other = _classroom(TeacherFactory(), 1)

    assert teacher_client.get(f"/teach/classrooms/{other.pk}/").status_code == 404


def test_the_dashboard_query_count_does_not_grow_with_the_class(teacher):
    small, big = _classroom(teacher, 2), _classroom(teacher, 12)

    with CaptureQueriesContext(connection) as few:
        classroom_dashboard(teacher, small.pk)
    with CaptureQueriesContext(connection) as many:
        dashboard = classroom_dashboard(teacher, big.pk)

    assert len(dashboard.rows) == 12
    assert len(many) == len(few)
