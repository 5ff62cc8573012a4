"""The API by role: students never receive answers, drafts or archived items."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from content.models import ExerciseKind, Status
from tests.factories import (
    ChoiceFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    HintFactory,
    ReferenceAnswerFactory,
)

pytestmark = pytest.mark.django_db

ANSWER_FIELDS = {
    "reference_answers",
    "numeric_value",
    "numeric_tolerance",
    "worked_example",
    "hints",
    "status",
}


@pytest.fixture
def course():
    course = CourseFactory(slug="electricity", status=Status.PUBLISHED)
    concept = ConceptFactory(course=course, slug="paths")
    mc = ExerciseFactory(course=course, slug="mc", kind=ExerciseKind.MULTIPLE_CHOICE, concepts=[concept])
    ChoiceFactory(exercise=mc, text="right", is_correct=True, feedback="yes")
    ChoiceFactory(exercise=mc, text="wrong", is_correct=False)
    ft = ExerciseFactory(course=course, slug="ft", concepts=[concept])
    ReferenceAnswerFactory(exercise=ft, text="SECRET-REFERENCE")
    HintFactory(exercise=ft)
    ExerciseFactory(
        course=course, slug="num", kind=ExerciseKind.NUMERIC, numeric_value=1.5, unit="V", concepts=[concept]
    )
    ExerciseFactory(course=course, slug="draft-one", status=Status.DRAFT, concepts=[concept])
    ExerciseFactory(course=course, slug="old-one", status=Status.ARCHIVED, concepts=[concept])
    CourseFactory(slug="hidden", status=Status.DRAFT)
    return course


def test_students_list_only_published_courses(student_client, course):
    slugs = [c["slug"] for c in student_client.get("/api/courses/").json()["results"]]

    assert slugs == ["electricity"]


def test_students_never_receive_answers_or_unpublished_exercises(student_client, course):
    body = student_client.get("/api/courses/electricity/exercises/").json()
    exercises = {e["slug"]: e for e in body["results"]}

    assert set(exercises) == {"mc", "ft", "num"}
    for exercise in exercises.values():
        assert not ANSWER_FIELDS & set(exercise)
        for option in exercise["options"]:
            assert set(option) == {"id", "text"}
    raw = student_client.get("/api/courses/electricity/exercises/").content
    assert b"SECRET-REFERENCE" not in raw and b"1.5" not in raw
    assert exercises["ft"]["n_hints"] == 1


def test_students_get_404_for_drafts_and_hidden_courses(student_client, course):
    draft = course.exercises.get(slug="draft-one")

    assert student_client.get(f"/api/exercises/{draft.pk}/").status_code == 404
    assert student_client.get("/api/courses/hidden/").status_code == 404
    assert student_client.get("/api/courses/hidden/exercises/").status_code == 404


def test_teachers_receive_the_answer_key_and_drafts(teacher_client, course):
    exercises = {
        e["slug"]: e for e in teacher_client.get("/api/courses/electricity/exercises/").json()["results"]
    }

    assert set(exercises) == {"mc", "ft", "num", "draft-one"}
    assert exercises["ft"]["reference_answers"] == [{"text": "SECRET-REFERENCE", "category": "best"}]
    assert exercises["num"]["numeric_value"] == 1.5
    assert [o["is_correct"] for o in exercises["mc"]["options"]] == [True, False]


def test_concepts_list_prerequisites(student_client, course):
    later = ConceptFactory(course=course, slug="gaps")
    later.prerequisites.add(course.concepts.get(slug="paths"))

    concepts = {
        c["slug"]: c for c in student_client.get("/api/courses/electricity/concepts/").json()["results"]
    }

    assert concepts["gaps"]["prerequisites"] == ["paths"]


def test_anonymous_api_calls_are_refused(client, course):
    assert client.get("/api/courses/").status_code == 403


def test_the_openapi_schema_generates_without_warnings(capsys):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")

    assert "Warning" not in capsys.readouterr().err
