"""Who sees what, on every classroom page and endpoint: a teacher only their own (or
co-taught) classrooms, a forged id 404, a student none of the teacher's pages or data."""

from __future__ import annotations

import pytest

from tests.factories import (
    AttemptFactory,
    ClassroomFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    StudentFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db

# Every GET of the teacher's area and the REST API that shows a classroom or its data.
PAGES = [
    "/teach/classrooms/{room}/",
    "/teach/classrooms/{room}/manage/",
    "/teach/classrooms/{room}/stuck/",
    "/teach/classrooms/{room}/items/",
    "/teach/classrooms/{room}/students/{student}/",
    "/teach/classrooms/{room}/students/{student}/?concept={concept}",
    "/api/classrooms/{room}/",
    "/api/classrooms/{room}/heatmap/",
    "/api/classrooms/{room}/stuck/",
    "/api/classrooms/{room}/items/",
    "/api/classrooms/{room}/students/{student}/",
    "/api/classrooms/{room}/students/{student}/?concept={concept}",
]
# Every write, with its form or JSON body.
WRITES = [
    ("/teach/classrooms/{room}/code/", {}),
    ("/teach/classrooms/{room}/students/add/", {"usernames": "{newcomer}"}),
    ("/teach/classrooms/{room}/students/{student}/remove/", {}),
    ("/teach/classrooms/{room}/co-teachers/add/", {"username": "{colleague}"}),
    ("/api/classrooms/{room}/join-code/", {}),
    ("/api/classrooms/{room}/students/", {"usernames": ["{newcomer}"]}),
    ("/api/classrooms/{room}/co-teachers/", {"username": "{colleague}"}),
]


@pytest.fixture
def world():
    """A classroom of one teacher, with a student who has answered once."""
    owner = TeacherFactory()
    course = CourseFactory()
    concept = ConceptFactory(course=course)
    room = ClassroomFactory(teacher=owner)
    room.courses.add(course)
    student = StudentFactory()
    room.students.add(student)
    AttemptFactory(student=student, exercise=ExerciseFactory(course=course, concepts=[concept]))
    return {
        "owner": owner,
        "room": room,
        "student": student,
        "concept": concept,
        "ids": {
            "room": room.pk,
            "student": student.pk,
            "concept": concept.pk,
            "newcomer": StudentFactory().username,
            "colleague": TeacherFactory().username,
        },
    }


def _fill(template, ids):
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, list):
        return [_fill(t, ids) for t in template]
    return {k: _fill(v, ids) for k, v in template.items()}


def _post(client, url, body):
    if url.startswith("/api/"):
        return client.post(url, body, content_type="application/json")
    return client.post(url, body)


@pytest.mark.parametrize("url", PAGES)
def test_the_owner_opens_every_page(client, world, url):
    client.force_login(world["owner"])

    assert client.get(_fill(url, world["ids"])).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_a_co_teacher_opens_every_page(client, world, url):
    colleague = TeacherFactory()
    world["room"].co_teachers.add(colleague)
    client.force_login(colleague)

    assert client.get(_fill(url, world["ids"])).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_another_teacher_gets_404_on_every_page(client, world, url):
    client.force_login(TeacherFactory())

    assert client.get(_fill(url, world["ids"])).status_code == 404


@pytest.mark.parametrize(("url", "body"), WRITES)
def test_another_teacher_gets_404_on_every_write_and_nothing_changes(client, world, url, body):
    room = world["room"]
    code, members = room.join_code, set(room.students.all())
    client.force_login(TeacherFactory())

    response = _post(client, _fill(url, world["ids"]), _fill(body, world["ids"]))

    room.refresh_from_db()
    assert response.status_code == 404
    assert (room.join_code, set(room.students.all()), room.co_teachers.count()) == (code, members, 0)


@pytest.mark.parametrize("url", PAGES)
def test_a_student_gets_403_on_every_teacher_page(client, world, url):
    client.force_login(world["student"])

    assert client.get(_fill(url, world["ids"])).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/teach/classrooms/999999/",
        "/teach/classrooms/{room}/students/999999/",
        "/teach/classrooms/{room}/students/{newcomer_id}/",
        "/teach/classrooms/{room}/students/{student}/?concept=999999",
        "/teach/classrooms/{room}/students/{student}/?concept=abc",
        "/api/classrooms/999999/heatmap/",
        "/api/classrooms/{room}/students/{newcomer_id}/",
        "/api/classrooms/{room}/students/{student}/?concept=999999",
    ],
)
def test_forged_ids_answer_404(client, world, url):
    outsider = StudentFactory()  # a real student, but not in this classroom
    client.force_login(world["owner"])

    assert client.get(_fill(url, world["ids"] | {"newcomer_id": outsider.pk})).status_code == 404


def test_a_concept_of_another_course_answers_404(client, world):
    client.force_login(world["owner"])
    elsewhere = ConceptFactory()

    url = f"/teach/classrooms/{world['room'].pk}/students/{world['student'].pk}/?concept={elsewhere.pk}"

    assert client.get(url).status_code == 404


def test_removing_a_student_of_another_classroom_answers_404(client, world):
    client.force_login(world["owner"])
    other = StudentFactory()

    response = client.delete(f"/api/classrooms/{world['room'].pk}/students/{other.pk}/")

    assert response.status_code == 404


def test_a_student_sees_only_their_own_classrooms_and_no_codes(client, world):
    ClassroomFactory().students.add(StudentFactory())
    client.force_login(world["student"])

    body = client.get("/api/classrooms/joined/").json()

    assert [r["pk"] for r in body] == [world["room"].pk]
    assert "join_code" not in body[0]


def test_a_student_may_not_list_the_teachers_classrooms(client, world):
    client.force_login(world["student"])

    assert client.get("/api/classrooms/").status_code == 403
    assert client.get("/api/classrooms/stuck/").status_code == 403
