"""The demo: one command, safe to run twice, every role, a course with every kind."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from content.models import Course, Exercise, ExerciseKind, Status
from students.models import Classroom, Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_safe_to_run_twice():
    call_command("seed_demo")
    counts = (
        Course.objects.count(),
        Exercise.objects.count(),
        User.objects.count(),
        Classroom.objects.count(),
    )

    call_command("seed_demo")

    assert (
        Course.objects.count(),
        Exercise.objects.count(),
        User.objects.count(),
        Classroom.objects.count(),
    ) == counts
    assert {u.role for u in User.objects.all()} == set(Role.values)


def test_the_demo_course_is_rich_enough_to_learn_from():
    call_command("seed_demo")
    course = Course.objects.get(slug="basic-electricity")

    assert course.status == Status.PUBLISHED
    assert "Dzikovska" in course.source
    assert {e.kind for e in course.exercises.all()} == set(ExerciseKind.values)
    for concept in course.concepts.all():
        assert concept.exercises.filter(status=Status.PUBLISHED).count() >= 6, concept.slug
        assert concept.passages.exists(), concept.slug
    for exercise in course.exercises.all():
        assert exercise.hints.exists(), exercise.slug
        assert exercise.worked_example, exercise.slug
    free_text = course.exercises.filter(kind=ExerciseKind.FREE_TEXT)
    assert free_text.count() >= 8
    assert all(e.reference_answers.exists() for e in free_text)
