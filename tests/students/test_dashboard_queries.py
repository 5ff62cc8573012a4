"""Every dashboard selector runs a fixed number of queries: a class of 30 students x 50
concepts costs what a class of 3 x 5 costs (an N+1 is a failing test)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from students.models import Attempt, GradeReview, KnowledgeHistory, KnowledgeState
from students.selectors import (
    classroom_heatmap,
    classroom_roster,
    item_analysis,
    stuck_students,
    student_page,
)
from tests.factories import (
    ChoiceFactory,
    ClassroomFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    StudentFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


def _classroom(teacher, n_students: int, n_concepts: int):
    """A classroom with every kind of row the dashboards read: knowledge states (some
    stuck), history, graded and pending answers of three kinds, teachers' reviews."""
    course = CourseFactory()
    concepts = [ConceptFactory(course=course) for _ in range(n_concepts)]
    for later, earlier in zip(concepts[1:], concepts, strict=False):
        later.prerequisites.add(earlier)
    exercises = [ExerciseFactory(course=course, concepts=[c]) for c in concepts]
    choice = ChoiceFactory(
        exercise=ExerciseFactory(course=course, concepts=[concepts[0]], kind="multiple_choice")
    )
    room = ClassroomFactory(teacher=teacher)
    room.courses.add(course)
    students = [StudentFactory() for _ in range(n_students)]
    room.students.add(*students)
    now = timezone.now()
    KnowledgeState.objects.bulk_create(
        KnowledgeState(
            student=s,
            concept=c,
            mastery=0.4,
            n_attempts=12 if i % 2 else 2,
            error_streak=3 if i % 3 == 0 else 0,
            last_practiced_at=now - timedelta(days=10 * (j % 2)),
        )
        for j, s in enumerate(students)
        for i, c in enumerate(concepts)
    )
    attempts = Attempt.objects.bulk_create(
        Attempt(
            student=s,
            exercise=e,
            context="practice:1",
            response={"text": f"answer {i % 3}"},
            score=(i + j) % 2,
            is_correct=bool((i + j) % 2),
            response_seconds=20.0 + i,
            grade_source="model",
        )
        for j, s in enumerate(students)
        for i, e in enumerate(exercises)
    )
    Attempt.objects.bulk_create(
        Attempt(
            student=s,
            exercise=choice.exercise,
            response={"choices": [{"id": choice.pk, "text": choice.text}]},
        )
        for s in students
    )
    Attempt.objects.bulk_create(
        Attempt(student=s, exercise=exercises[0], response={"text": "later"}, status="pending", score=None)
        for s in students
    )
    KnowledgeHistory.objects.bulk_create(
        KnowledgeHistory(
            student=a.student,
            concept_id=concepts[i % n_concepts].pk,
            attempt=a,
            mastery_before=0.2,
            mastery=0.4,
        )
        for i, a in enumerate(attempts)
    )
    GradeReview.objects.bulk_create(
        GradeReview(attempt=a, reviewer=teacher, score=1.0, accepted=bool(i % 2))
        for i, a in enumerate(attempts[::3])
    )
    return room, students[0], concepts[0]


@pytest.fixture
def small_and_big(teacher):
    return _classroom(teacher, 3, 5), _classroom(teacher, 30, 50)


def _count(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return len(queries), result


def test_the_heatmap_costs_the_same_for_30x50_as_for_3x5(teacher, small_and_big):
    (small, *_), (big, *_) = small_and_big

    few, _ = _count(lambda: classroom_heatmap(teacher, small.pk))
    many, heatmap = _count(lambda: classroom_heatmap(teacher, big.pk))

    assert (len(heatmap.rows), len(heatmap.concepts)) == (30, 50)
    assert many == few


def test_stuck_students_cost_the_same_for_30x50_as_for_3x5(small_and_big):
    (small, *_), (big, *_) = small_and_big
    # Each classroom on its own, through the teacher-wide selector: a teacher per classroom.
    small_teacher, big_teacher = TeacherFactory(), TeacherFactory()
    small.co_teachers.add(small_teacher)
    big.co_teachers.add(big_teacher)

    few, _ = _count(lambda: stuck_students(small_teacher))
    many, stuck = _count(lambda: stuck_students(big_teacher))

    assert len(stuck) == 30
    assert many == few


def test_the_student_page_costs_the_same_for_30x50_as_for_3x5(teacher, small_and_big):
    (small, s_student, s_concept), (big, b_student, b_concept) = small_and_big

    few, _ = _count(lambda: student_page(teacher, small.pk, s_student.pk))
    many, page = _count(lambda: student_page(teacher, big.pk, b_student.pk))
    few_concept, _ = _count(lambda: student_page(teacher, small.pk, s_student.pk, concept_id=s_concept.pk))
    many_concept, _ = _count(lambda: student_page(teacher, big.pk, b_student.pk, concept_id=b_concept.pk))

    assert len(page.concepts) == 50 and len(page.trajectories) > 1
    assert (many, many_concept) == (few, few_concept)


def test_item_analysis_costs_the_same_for_30x50_as_for_3x5(teacher, small_and_big):
    (small, *_), (big, *_) = small_and_big

    few, _ = _count(lambda: item_analysis(teacher, small.pk))
    many, analysis = _count(lambda: item_analysis(teacher, big.pk))

    assert len(analysis.items) == 51
    assert many == few


def test_the_roster_costs_the_same_for_30_students_as_for_3(teacher, small_and_big):
    (small, *_), (big, *_) = small_and_big
    big.co_teachers.add(TeacherFactory(), TeacherFactory())

    few, _ = _count(lambda: classroom_roster(teacher, small.pk))
    many, roster = _count(lambda: classroom_roster(teacher, big.pk))

    assert len(roster.students) == 30
    assert many == few


def test_the_pages_cost_the_same_for_30x50_as_for_3x5(client, teacher, small_and_big):
    (small, s_student, _), (big, b_student, _) = small_and_big
    client.force_login(teacher)

    for page in ("", "stuck/", "items/", "manage/", "students/{student}/"):
        few, _ = _count(
            lambda page=page: client.get(f"/teach/classrooms/{small.pk}/" + page.format(student=s_student.pk))
        )
        many, response = _count(
            lambda page=page: client.get(f"/teach/classrooms/{big.pk}/" + page.format(student=b_student.pk))
        )
        assert response.status_code == 200
        assert many == few, page
