"""Classrooms over REST: list, create, members, join code, co-teachers, join with a code;
the dashboards' data; all in the OpenAPI schema."""

from __future__ import annotations

import pytest

from tests.factories import ClassroomFactory, CourseFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def test_a_teacher_creates_and_lists_classrooms(teacher_client):
    course = CourseFactory(slug="physics")

    created = teacher_client.post(
        "/api/classrooms/", {"name": "9B", "courses": ["physics"]}, content_type="application/json"
    )
    listed = teacher_client.get("/api/classrooms/").json()

    assert created.status_code == 201
    assert created.json()["courses"] == [course.title]
    assert [(r["name"], r["join_code"]) for r in listed] == [("9B", created.json()["join_code"])]


def test_an_unknown_course_is_named_in_the_error_and_nothing_is_created(teacher_client, teacher):
    response = teacher_client.post(
        "/api/classrooms/", {"name": "9B", "courses": ["nope"]}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "nope" in response.json()["detail"]
    assert not teacher.classrooms_taught.exists()


def test_members_and_co_teachers_over_rest(teacher_client, teacher):
    room = ClassroomFactory(teacher=teacher)
    ada, colleague = StudentFactory(), TeacherFactory()

    added = teacher_client.post(
        f"/api/classrooms/{room.pk}/students/", {"usernames": [ada.username]}, content_type="application/json"
    )
    co = teacher_client.post(
        f"/api/classrooms/{room.pk}/co-teachers/",
        {"username": colleague.username},
        content_type="application/json",
    )
    removed = teacher_client.delete(f"/api/classrooms/{room.pk}/students/{ada.pk}/")
    uncoed = teacher_client.delete(f"/api/classrooms/{room.pk}/co-teachers/{colleague.pk}/")

    assert [s["username"] for s in added.json()["students"]] == [ada.username]
    assert [t["username"] for t in co.json()["co_teachers"]] == [colleague.username]
    assert (removed.status_code, uncoed.status_code) == (204, 204)
    assert not room.students.exists() and not room.co_teachers.exists()


def test_an_unknown_username_is_named_in_the_error(teacher_client, teacher):
    room = ClassroomFactory(teacher=teacher)

    response = teacher_client.post(
        f"/api/classrooms/{room.pk}/students/", {"usernames": ["ghost"]}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "No such user: ghost."


def test_a_new_join_code_over_rest(teacher_client, teacher):
    room = ClassroomFactory(teacher=teacher)

    code = teacher_client.post(f"/api/classrooms/{room.pk}/join-code/").json()["join_code"]

    room.refresh_from_db()
    assert code == room.join_code


def test_a_student_joins_over_rest_twice_harmlessly(student_client, student):
    room = ClassroomFactory()

    first = student_client.post(
        "/api/classrooms/join/", {"code": room.join_code}, content_type="application/json"
    )
    second = student_client.post(
        "/api/classrooms/join/", {"code": room.join_code}, content_type="application/json"
    )
    wrong = student_client.post("/api/classrooms/join/", {"code": "XXXX"}, content_type="application/json")

    assert (first.json()["joined"], second.json()["joined"]) == (True, False)
    assert first.json()["classroom"]["pk"] == room.pk
    assert wrong.status_code == 400 and "XXXX" in wrong.json()["detail"]
    assert room.students.count() == 1


def test_the_classroom_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()

    for path in (
        "/api/classrooms/",
        "/api/classrooms/join/",
        "/api/classrooms/{id}/heatmap/",
        "/api/classrooms/{id}/stuck/",
        "/api/classrooms/{id}/items/",
        "/api/classrooms/{id}/students/{student_id}/",
        "/api/classrooms/stuck/",
    ):
        assert f"{path}:" in schema


def test_a_co_teacher_may_not_manage_co_teachers_over_rest(client, teacher):
    room = ClassroomFactory()
    room.co_teachers.add(teacher)
    client.force_login(teacher)

    added = client.post(
        f"/api/classrooms/{room.pk}/co-teachers/",
        {"username": TeacherFactory().username},
        content_type="application/json",
    )
    removed = client.delete(f"/api/classrooms/{room.pk}/co-teachers/{teacher.pk}/")

    assert (added.status_code, removed.status_code) == (403, 403)
    assert list(room.co_teachers.all()) == [teacher]


def test_removing_a_teacher_who_is_no_co_teacher_answers_404(teacher_client, teacher):
    room = ClassroomFactory(teacher=teacher)

    assert (
        teacher_client.delete(f"/api/classrooms/{room.pk}/co-teachers/{TeacherFactory().pk}/").status_code
        == 404
    )
