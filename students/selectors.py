"""Reads of the student model and of classrooms."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from students.models import Classroom, Role, User


@dataclass(frozen=True)
class ClassroomSummary:
    pk: int
    name: str
    join_code: str
    n_students: int
    course_titles: tuple[str, ...]


def classrooms_for_teacher(user: User) -> list[ClassroomSummary]:
    """A teacher's own classrooms; an admin sees every classroom."""
    rooms = Classroom.objects.all() if user.role == Role.ADMIN else Classroom.objects.filter(teacher=user)
    rooms = rooms.annotate(_n_students=Count("students", distinct=True)).prefetch_related("courses")
    return [
        ClassroomSummary(
            pk=r.pk,
            name=r.name,
            join_code=r.join_code,
            n_students=r._n_students,
            course_titles=tuple(c.title for c in r.courses.all()),
        )
        for r in rooms
    ]
