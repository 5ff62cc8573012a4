"""The rules as the student's pages show them: after the course is mastered the practice
page says so and offers optional practice, clearly labelled; a concept never practised
reads "not started"; mastery says how sure the tutor is and on how many answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import ExerciseKind
from tests.factories import (
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    KnowledgeStateFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(slug="elec")
    paths = ConceptFactory(course=course, slug="paths", name="Closed paths", order=0)
    gaps = ConceptFactory(course=course, slug="gaps", name="Gaps", order=1)
    for i in range(2):
        ExerciseFactory(course=course, slug=f"p-{i}", kind=ExerciseKind.FREE_TEXT, concepts=[paths])
        ExerciseFactory(course=course, slug=f"g-{i}", kind=ExerciseKind.FREE_TEXT, concepts=[gaps])
    return course


def _mastered(student, concept, due_in_days: float):
    now = timezone.now()
    return KnowledgeStateFactory(
        student=student,
        concept=concept,
        mastery=0.99,
        n_attempts=4,
        independent_correct=3,
        first_practiced_at=now - timedelta(days=3),
        last_practiced_at=now - timedelta(days=1),
        mastered_at=now - timedelta(days=1),
        review_due_at=now + timedelta(days=due_in_days),
    )


def test_a_mastered_course_says_so_and_offers_optional_practice(client, course):
    student = StudentFactory()
    _mastered(student, course.concepts.get(slug="paths"), 9)
    _mastered(student, course.concepts.get(slug="gaps"), 2)
    client.force_login(student)

    done = client.get("/learn/courses/elec/practice/").content.decode()
    more = client.get("/learn/courses/elec/practice/?more=1").content.decode()

    assert 'id="all-mastered"' in done and "Practise more (optional)" in done
    assert 'id="optional-practice"' not in done
    assert 'id="optional-practice"' in more and "Optional practice" in more
    assert "optional_practice_after_mastery" in more
    assert "Gaps" in more  # the weaker memory: its review is due sooner


def test_a_concept_never_practised_reads_not_started_with_how_sure_on_how_many_answers(client, course):
    student = StudentFactory()
    KnowledgeStateFactory(
        student=student,
        concept=course.concepts.get(slug="paths"),
        mastery=0.7,
        n_attempts=2,
        independent_correct=1,
    )
    client.force_login(student)

    page = client.get("/learn/courses/elec/progress/").content.decode()

    assert "not started" in page and "Grey: not started" in page
    assert "70% sure, on 2 answers (1 right on your own; mastery needs 3)" in page
    assert 'style="width' not in page
