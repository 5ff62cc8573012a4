"""Roles: each lands on its own home; areas of other roles answer 403, anonymous -> login."""

from __future__ import annotations

import pytest

from students.access import AREA_ROLES, area_for_path, role_may_enter
from students.models import Role
from tests.factories import AdminFactory, StudentFactory, TeacherFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("factory", "home"),
    [(StudentFactory, "/learn/"), (TeacherFactory, "/teach/"), (AdminFactory, "/admin/")],
)
def test_each_role_lands_on_its_own_home_after_login(client, password, factory, home):
    user = factory()

    response = client.post("/accounts/login/", {"username": user.username, "password": password}, follow=True)

    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/learn/", "/teach/", "/admin/", "/"])
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("factory", "path"),
    [
        (StudentFactory, "/admin/"),
        (StudentFactory, "/admin/content/course/"),
        (StudentFactory, "/teach/"),
        (TeacherFactory, "/admin/"),
        (TeacherFactory, "/learn/"),
    ],
)
def test_a_role_outside_its_areas_gets_403(client, factory, path):
    client.force_login(factory())

    response = client.get(path)

    assert response.status_code == 403
    assert b"may not open" in response.content


def test_admins_may_open_teacher_pages(client):
    client.force_login(AdminFactory())

    assert client.get("/teach/").status_code == 200


def test_logout_ends_the_session(student_client):
    response = student_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert student_client.get("/learn/").status_code == 302


def test_the_access_table_is_the_one_place_that_decides():
    assert area_for_path("/admin/content/") == "/admin/"
    assert area_for_path("/accounts/login/") is None
    assert role_may_enter(Role.ADMIN, "/admin/")
    assert not role_may_enter(Role.STUDENT, "/admin/x/")
    assert AREA_ROLES["/learn/"] == {Role.STUDENT}


def test_role_drives_staff_flags():
    admin = AdminFactory()
    teacher = TeacherFactory()

    assert admin.is_staff and admin.is_superuser
    assert not teacher.is_staff and not teacher.is_superuser
    teacher.role = Role.ADMIN
    teacher.save()
    assert teacher.is_staff
