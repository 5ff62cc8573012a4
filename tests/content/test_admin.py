"""Admin curation: graph picture, preview, package upload, cycle-safe prerequisite edits."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from content.models import Concept, Course, ExerciseKind, Prerequisite, Status
from tests.factories import (
    ChoiceFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    ReferenceAnswerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    course = CourseFactory(slug="elec")
    a = ConceptFactory(course=course, slug="a", name="Closed paths")
    b = ConceptFactory(course=course, slug="b", name="Gaps")
    c = ConceptFactory(course=course, slug="c", name="Short circuits")
    Prerequisite.objects.create(concept=b, requires=a)
    Prerequisite.objects.create(concept=c, requires=b)
    return course, a, b, c


def test_the_graph_page_draws_every_concept(admin_client_, chain):
    course, *_ = chain

    response = admin_client_.get(f"/admin/content/course/{course.pk}/graph/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="concept-node"') == 3
    assert "Short circuits" in html


def test_the_preview_shows_the_exercise_as_a_student_sees_it(admin_client_):
    exercise = ExerciseFactory(kind=ExerciseKind.FREE_TEXT, prompt="Why does the bulb go out?")
    ReferenceAnswerFactory(exercise=exercise, text="HIDDEN-REFERENCE")

    html = admin_client_.get(f"/admin/content/exercise/{exercise.pk}/preview/").content.decode()

    assert "Why does the bulb go out?" in html
    assert "HIDDEN-REFERENCE" not in html
    assert "<textarea" in html


def test_the_preview_of_a_multi_answer_item_says_select_all(admin_client_):
    exercise = ExerciseFactory(kind=ExerciseKind.MULTIPLE_CHOICE)
    ChoiceFactory(exercise=exercise, is_correct=True)
    ChoiceFactory(exercise=exercise, is_correct=True)

    html = admin_client_.get(f"/admin/content/exercise/{exercise.pk}/preview/").content.decode()

    assert "Select all that apply" in html
    assert 'type="checkbox"' in html


def test_uploading_a_broken_package_shows_the_error_and_writes_nothing(admin_client_):
    upload = SimpleUploadedFile("broken.yaml", b"format: tutor-course/1\ncourse: [unclosed\n")

    response = admin_client_.post("/admin/content/course/import/", {"package": upload})

    assert response.status_code == 200
    assert "broken.yaml" in response.content.decode()
    assert Course.objects.count() == 0


def test_a_prerequisite_that_closes_a_cycle_is_rejected_with_its_concepts(admin_client_, chain):
    course, a, b, c = chain
    data = {
        "course": course.pk,
        "slug": "a",
        "name": "Closed paths",
        "description": "",
        "order": 0,
        "prerequisite_links-TOTAL_FORMS": "1",
        "prerequisite_links-INITIAL_FORMS": "0",
        "prerequisite_links-MIN_NUM_FORMS": "0",
        "prerequisite_links-MAX_NUM_FORMS": "1000",
        "prerequisite_links-0-requires": str(c.pk),
        "prerequisite_links-0-concept": str(a.pk),
        "passages-TOTAL_FORMS": "0",
        "passages-INITIAL_FORMS": "0",
        "passages-MIN_NUM_FORMS": "0",
        "passages-MAX_NUM_FORMS": "1000",
    }

    response = admin_client_.post(f"/admin/content/concept/{a.pk}/change/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "would make a cycle" in html
    assert (
        "a -&gt; b -&gt; c -&gt; a" in html
        or "c -&gt; a -&gt; b -&gt; c" in html
        or "b -&gt; c -&gt; a -&gt; b" in html
    )
    assert not Prerequisite.objects.filter(concept=a).exists()


def test_the_publish_action_publishes_the_course_and_its_drafts(admin_client_):
    course = CourseFactory(status=Status.DRAFT)
    ExerciseFactory(course=course, status=Status.DRAFT)

    admin_client_.post(
        "/admin/content/course/", {"action": "publish", "_selected_action": [course.pk]}, follow=True
    )

    course.refresh_from_db()
    assert course.status == Status.PUBLISHED
    assert set(course.exercises.values_list("status", flat=True)) == {Status.PUBLISHED}


def test_every_content_model_has_an_admin_page(admin_client_, chain):
    for path in ["course", "concept", "exercise", "passage"]:
        assert admin_client_.get(f"/admin/content/{path}/").status_code == 200
    assert (
        admin_client_.get(f"/admin/content/concept/{Concept.objects.first().pk}/change/").status_code == 200
    )
