"""Classrooms: a teacher creates them, sees and renews the join code, adds and removes
students and (the owner) co-teachers; a student joins with the code; a teacher sees only
the classrooms they own or co-teach."""

from __future__ import annotations

import pytest

from students import services
from students.selectors import classrooms_for_teacher, classrooms_of_student
from tests.factories import ClassroomFactory, CourseFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def test_a_teacher_creates_a_classroom_for_a_course_from_the_page(teacher_client, teacher):
    course = CourseFactory()

    response = teacher_client.post("/teach/classrooms/new/", {"name": "Physics 9B", "courses": [course.pk]})

    room = teacher.classrooms_taught.get(name="Physics 9B")
    assert response.status_code == 302
    assert response["Location"] == f"/teach/classrooms/{room.pk}/manage/"
    assert list(room.courses.all()) == [course]
    assert room.join_code in teacher_client.get(response["Location"]).content.decode()


def test_a_classroom_without_a_course_is_refused_with_a_message_and_nothing_written(teacher_client, teacher):
    response = teacher_client.post("/teach/classrooms/new/", {"name": "Empty"})

    assert response.status_code == 400
    assert "Choose at least one course." in response.content.decode()
    assert not teacher.classrooms_taught.exists()


def test_a_second_classroom_of_the_same_name_is_refused(teacher):
    course = CourseFactory()
    services.classroom_create(teacher=teacher, name="Physics", courses=[course])

    with pytest.raises(services.ClassroomError, match="already have a classroom named"):
        services.classroom_create(teacher=teacher, name="Physics", courses=[course])


def test_a_new_join_code_replaces_the_old_one(teacher_client, teacher):
    room = ClassroomFactory(teacher=teacher)
    old = room.join_code

    teacher_client.post(f"/teach/classrooms/{room.pk}/code/")

    room.refresh_from_db()
    assert room.join_code != old
    with pytest.raises(services.ClassroomError, match="No classroom has the code"):
        services.classroom_join(StudentFactory(), old)


def test_a_teacher_adds_students_by_username_all_or_none(teacher_client, teacher):
    room = ClassroomFactory(teacher=teacher)
    ada, bob = StudentFactory(), StudentFactory()

    teacher_client.post(f"/teach/classrooms/{room.pk}/students/add/", {"usernames": f"{ada.username} nobody"})
    assert room.students.count() == 0
    teacher_client.post(
        f"/teach/classrooms/{room.pk}/students/add/", {"usernames": f"{ada.username}, {bob.username}"}
    )

    assert set(room.students.all()) == {ada, bob}


def test_the_page_names_the_unknown_username(teacher_client, teacher):
    room = ClassroomFactory(teacher=teacher)

    response = teacher_client.post(
        f"/teach/classrooms/{room.pk}/students/add/", {"usernames": "nobody"}, follow=True
    )

    assert "No such user: nobody." in response.content.decode()


def test_a_teacher_cannot_be_added_as_a_student(teacher):
    room = ClassroomFactory(teacher=teacher)

    with pytest.raises(services.ClassroomError, match="Not students"):
        services.classroom_students_add(room, [TeacherFactory().username])


def test_a_teacher_removes_a_student_whose_answers_stay(teacher_client, teacher, student):
    room = ClassroomFactory(teacher=teacher)
    room.students.add(student)

    response = teacher_client.post(f"/teach/classrooms/{room.pk}/students/{student.pk}/remove/")

    assert response.status_code == 302
    assert not room.students.exists()


def test_a_student_joins_with_the_code_from_their_home_page(student_client, student):
    room = ClassroomFactory()

    response = student_client.post("/learn/classrooms/join/", {"code": room.join_code.lower()}, follow=True)

    assert room.students.filter(pk=student.pk).exists()
    html = response.content.decode()
    assert f"You joined {room.name}." in html
    assert f'data-classroom="{room.pk}"' in html


def test_joining_twice_is_harmless(student):
    room = ClassroomFactory()
    services.classroom_join(student, room.join_code)

    again, joined = services.classroom_join(student, room.join_code)

    assert again == room and joined is False
    assert room.students.count() == 1


def test_a_wrong_code_gives_a_clear_message(student_client):
    response = student_client.post("/learn/classrooms/join/", {"code": "NOPE1234"}, follow=True)

    assert "No classroom has the code &#x27;NOPE1234&#x27;" in response.content.decode()


def test_the_home_page_of_a_student_has_the_join_form(student_client):
    html = student_client.get("/learn/").content.decode()

    assert 'action="/learn/classrooms/join/"' in html


def test_a_student_may_be_in_several_classrooms(student):
    first, second = ClassroomFactory(name="A"), ClassroomFactory(name="B")

    services.classroom_join(student, first.join_code)
    services.classroom_join(student, second.join_code)

    assert [r.name for r in classrooms_of_student(student)] == ["A", "B"]


def test_a_teacher_may_not_join_with_a_code(teacher_client):
    room = ClassroomFactory()

    assert teacher_client.post("/learn/classrooms/join/", {"code": room.join_code}).status_code == 403


def test_the_owner_adds_a_co_teacher_who_then_sees_the_classroom(client, teacher):
    room = ClassroomFactory(teacher=teacher)
    colleague = TeacherFactory()
    client.force_login(teacher)

    client.post(f"/teach/classrooms/{room.pk}/co-teachers/add/", {"username": colleague.username})

    assert [r.pk for r in classrooms_for_teacher(colleague)] == [room.pk]
    client.force_login(colleague)
    assert client.get(f"/teach/classrooms/{room.pk}/").status_code == 200


def test_a_co_teacher_may_not_add_co_teachers(teacher):
    room = ClassroomFactory()
    room.co_teachers.add(teacher)

    with pytest.raises(services.ClassroomError, match="Only the classroom's owner"):
        services.classroom_co_teacher_add(room, by=teacher, username=TeacherFactory().username)


def test_the_owner_removes_a_co_teacher_who_then_sees_it_no_more(client, teacher):
    room = ClassroomFactory(teacher=teacher)
    colleague = TeacherFactory()
    room.co_teachers.add(colleague)
    client.force_login(teacher)

    client.post(f"/teach/classrooms/{room.pk}/co-teachers/{colleague.pk}/remove/")

    client.force_login(colleague)
    assert client.get(f"/teach/classrooms/{room.pk}/").status_code == 404


def test_a_student_cannot_be_a_co_teacher(teacher):
    room = ClassroomFactory(teacher=teacher)

    with pytest.raises(services.ClassroomError, match="is not a teacher"):
        services.classroom_co_teacher_add(room, by=teacher, username=StudentFactory().username)


def test_the_classroom_list_shows_owned_and_co_taught_classrooms_only(teacher_client, teacher):
    mine = ClassroomFactory(teacher=teacher, name="Mine")
    shared = ClassroomFactory(name="Shared")
    shared.co_teachers.add(teacher)
    ClassroomFactory(name="Someone else's")

    html = teacher_client.get("/teach/classrooms/").content.decode()

    assert f'data-classroom="{mine.pk}"' in html
    assert f'data-classroom="{shared.pk}"' in html
    assert "Someone else" not in html
