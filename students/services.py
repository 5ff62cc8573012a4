"""Writes of the student model: accounts and classrooms."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from students.models import Classroom, Role, User


def user_ensure(
    username: str, *, role: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create the user or bring an existing one to this role, name and password."""
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; expected one of {', '.join(Role.values)}.")
    user, _ = User.objects.get_or_create(username=username)
    user.role = role
    user.first_name, user.last_name = first_name, last_name
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def classroom_ensure(name: str, *, teacher: User, students: Iterable[User], courses: Iterable) -> Classroom:
    if teacher.role != Role.TEACHER:
        raise ValueError(f"{teacher.username} is not a teacher.")
    room, _ = Classroom.objects.get_or_create(name=name, teacher=teacher)
    students = list(students)
    wrong = [s.username for s in students if s.role != Role.STUDENT]
    if wrong:
        raise ValueError(f"Not students: {', '.join(wrong)}.")
    room.students.add(*students)
    room.courses.add(*courses)
    return room
