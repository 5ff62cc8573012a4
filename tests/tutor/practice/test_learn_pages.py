"""The student's pages: published courses only, with the prerequisite graph and passages."""

from __future__ import annotations

import pytest

from content.models import Status
from tests.factories import ConceptFactory, CourseFactory, PassageFactory

pytestmark = pytest.mark.django_db


def test_the_course_list_shows_published_courses_only(student_client):
    CourseFactory(title="Basic electricity", status=Status.PUBLISHED)
    CourseFactory(title="Secret draft", status=Status.DRAFT)

    html = student_client.get("/learn/").content.decode()

    assert "Basic electricity" in html
    assert "Secret draft" not in html


def test_a_course_page_shows_concepts_passages_and_the_graph(student_client):
    course = CourseFactory(slug="elec", title="Basic electricity", source="Dzikovska et al. 2013")
    paths = ConceptFactory(course=course, name="Closed paths")
    gaps = ConceptFactory(course=course, name="Gaps")
    gaps.prerequisites.add(paths)
    PassageFactory(concept=paths, title="What a closed path is", body="A loop from + to -.")

    html = student_client.get("/learn/courses/elec/").content.decode()

    assert "What a closed path is" in html
    assert "needs Closed paths" in html
    assert 'class="concept-graph"' in html
    assert "Dzikovska et al. 2013" in html


def test_a_draft_course_page_is_404_for_students(student_client):
    CourseFactory(slug="draft", status=Status.DRAFT)

    assert student_client.get("/learn/courses/draft/").status_code == 404


def test_the_teacher_home_lists_only_their_classrooms(teacher_client, teacher):
    from tests.factories import ClassroomFactory, StudentFactory

    mine = ClassroomFactory(teacher=teacher, name="Physics 8A")
    mine.students.add(StudentFactory(), StudentFactory())
    ClassroomFactory(name="Someone else's class")

    html = teacher_client.get("/teach/").content.decode()

    assert "Physics 8A" in html
    assert "Someone else" not in html
