"""The course graph is cached per process and rebuilt after every change to what it holds:
an import, a publish, an admin edit, fitted parameters are seen by the next selection."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

from content import services as content_services
from content.models import ExerciseKind, Status
from students.kt.bkt import BKTParams
from students.kt.simulate import simulate_bkt
from students.models import Attempt, AttemptStatus, ConceptParameters, GradeSource
from tests.factories import ChoiceFactory, ConceptFactory, CourseFactory, ExerciseFactory, StudentFactory
from tutor.practice import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    selectors.course_graph_cache_clear()
    yield
    selectors.course_graph_cache_clear()


def _choice_item(course, concept, slug, status=Status.PUBLISHED):
    exercise = ExerciseFactory(
        course=course, slug=slug, kind=ExerciseKind.MULTIPLE_CHOICE, concepts=[concept], status=status
    )
    ChoiceFactory(exercise=exercise, text="right", is_correct=True)
    ChoiceFactory(exercise=exercise, text="wrong")
    return exercise


def _package(version: int, exercises: list[str]) -> str:
    return yaml.safe_dump(
        {
            "format": "tutor-course/1",
            "course": {"slug": "cached", "title": "Cached", "status": "published", "version": version},
            "concepts": [{"slug": "paths", "name": "Closed paths"}],
            "exercises": [
                {
                    "slug": slug,
                    "kind": "multiple_choice",
                    "prompt": f"Question {slug}?",
                    "concepts": ["paths"],
                    "status": "published",
                    "options": [{"text": "yes", "correct": True}, {"text": "no", "correct": False}],
                }
                for slug in exercises
            ],
        },
        sort_keys=False,
    )


def test_the_graph_is_built_once_and_reused_while_the_course_is_unchanged(django_assert_num_queries):
    course = CourseFactory()
    _choice_item(course, ConceptFactory(course=course), "a1")
    first = selectors.course_graph_cached(course)

    # Then a second request reads only the course's stamp
    with django_assert_num_queries(1):
        again = selectors.course_graph_cached(course)

    assert again is first


def test_importing_a_new_version_is_seen_by_the_next_selection():
    # Given a course whose only exercise is a1, and a student practising it
    course = content_services.course_import(_package(1, ["a1"]), filename="v1.yaml").course
    session = services.practice_start(StudentFactory(), course)
    assert selectors.choose_next_for(session).exercise_id == course.exercises.get(slug="a1").pk

    # When version 2 replaces a1 by a2 (a1 is archived)
    content_services.course_import(_package(2, ["a2"]), filename="v2.yaml")

    # Then the next selection, through the same session, serves a2
    assert selectors.choose_next_for(session).exercise_id == course.exercises.get(slug="a2").pk


def test_publishing_the_course_is_seen_by_the_next_selection():
    # Given a course whose exercise is still a draft: nothing to serve
    course = CourseFactory()
    draft = _choice_item(course, ConceptFactory(course=course), "a1", status=Status.DRAFT)
    session = services.practice_start(StudentFactory(), course)
    assert selectors.choose_next_for(session).rule == "no_exercise_available"

    # When the course is published with its draft exercises
    content_services.course_publish(course)

    # Then the next selection serves the exercise
    assert selectors.choose_next_for(session).exercise_id == draft.pk


def test_unpublishing_an_exercise_in_the_admin_is_seen_by_the_next_selection(admin_client_):
    course = CourseFactory()
    concept = ConceptFactory(course=course)
    easy = _choice_item(course, concept, "a1")
    session = services.practice_start(StudentFactory(), course)
    assert selectors.choose_next_for(session).exercise_id == easy.pk

    # When an admin unpublishes the exercise
    response = admin_client_.post(
        "/admin/content/exercise/", {"action": "unpublish", "_selected_action": [easy.pk]}
    )

    # Then the next selection no longer serves it
    assert response.status_code == 302
    assert selectors.choose_next_for(session).rule == "no_exercise_available"


def test_a_change_through_no_service_is_not_seen_until_the_content_is_marked_changed():
    # Given a cached graph, when an exercise is unpublished behind the services' back
    course = CourseFactory()
    item = _choice_item(course, ConceptFactory(course=course), "a1")
    graph = selectors.course_graph_cached(course)
    type(item).objects.filter(pk=item.pk).update(status=Status.DRAFT)

    # Then the cached graph still holds it, until the write is recorded
    assert selectors.course_graph_cached(course) is graph
    content_services.course_content_changed(course_ids=[course.pk])
    assert item.pk not in selectors.course_graph_cached(course).exercises_by_id


def test_fitted_parameters_are_seen_by_the_next_selection():
    # Given a course whose concept has the default parameters in the cached graph
    course = CourseFactory(slug="sim")
    concept = ConceptFactory(course=course)
    exercises = [_choice_item(course, concept, f"a{k}") for k in range(3)]
    before = selectors.course_graph_cached(course).concept(concept.pk)
    rows = []
    for sequence in simulate_bkt(BKTParams(0.3, 0.2, 0.15, 0.1), n_students=60, n_steps=10, seed=1):
        student = StudentFactory()
        for t, right in enumerate(sequence):
            rows.append(
                Attempt(
                    student=student,
                    exercise=exercises[t % 3],
                    response={},
                    status=AttemptStatus.GRADED,
                    score=float(right),
                    is_correct=bool(right),
                    grade_source=GradeSource.AUTO,
                )
            )
    Attempt.objects.bulk_create(rows)

    # When the student model is fitted
    call_command("fit_student_model", "--course", "sim")

    # Then the graph carries the fitted parameters
    fitted = ConceptParameters.objects.get(concept=concept)
    after = selectors.course_graph_cached(course).concept(concept.pk)
    assert (after.p_guess, after.p_learn) == (fitted.p_guess, fitted.p_learn)
    assert (after.p_guess, after.p_learn) != (before.p_guess, before.p_learn)


def test_a_prerequisite_added_in_the_admin_is_seen_by_the_next_selection(admin_client_):
    # Given two concepts, A and B, with an exercise each: the tutor may start either
    course = CourseFactory()
    a = ConceptFactory(course=course, slug="a", order=1)
    b = ConceptFactory(course=course, slug="b", order=0)
    _choice_item(course, a, "a1")
    b1 = _choice_item(course, b, "b1")
    session = services.practice_start(StudentFactory(), course)
    assert selectors.choose_next_for(session).exercise_id == b1.pk  # first in the curriculum

    # When an admin makes A a prerequisite of B
    data = {
        "course": course.pk,
        "slug": "b",
        "name": b.name,
        "description": "",
        "order": 0,
        "prerequisite_links-TOTAL_FORMS": "1",
        "prerequisite_links-INITIAL_FORMS": "0",
        "prerequisite_links-MIN_NUM_FORMS": "0",
        "prerequisite_links-MAX_NUM_FORMS": "1000",
        "prerequisite_links-0-requires": str(a.pk),
        "prerequisite_links-0-concept": str(b.pk),
        "passages-TOTAL_FORMS": "0",
        "passages-INITIAL_FORMS": "0",
        "passages-MIN_NUM_FORMS": "0",
        "passages-MAX_NUM_FORMS": "1000",
    }
    response = admin_client_.post(f"/admin/content/concept/{b.pk}/change/", data)

    # Then the next selection starts with A
    assert response.status_code == 302
    decision = selectors.choose_next_for(session)
    assert decision.concept_id == a.pk
