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


@dataclass(frozen=True)
class StudentRow:
    student_id: int
    name: str
    n_attempts: int
    accuracy: float | None
    last_active: object
    pending: int
    mastery: tuple[float | None, ...]  # one per concept column; None = never practised


@dataclass(frozen=True)
class ClassroomDashboard:
    pk: int
    name: str
    courses: tuple[str, ...]
    concepts: tuple[str, ...]
    rows: tuple[StudentRow, ...]


def classroom_dashboard(user: User, classroom_id: int) -> ClassroomDashboard | None:
    """Mastery of every student of the classroom on every concept of its courses, with
    activity figures. None when the classroom is not the user's (the view answers 404).
    A fixed number of queries whatever the class size."""
    from django.db.models import Max, Q, Sum

    from content.models import Concept
    from students.models import Attempt, AttemptStatus, KnowledgeState

    rooms = Classroom.objects.all() if user.role == Role.ADMIN else Classroom.objects.filter(teacher=user)
    room = rooms.filter(pk=classroom_id).prefetch_related("courses").first()
    if room is None:
        return None
    courses = list(room.courses.all())
    concepts = list(
        Concept.objects.filter(course__in=courses, archived=False).order_by("course__title", "order", "id")
    )
    students = list(room.students.order_by("last_name", "first_name", "username"))
    mastery = {
        (s, c): m
        for s, c, m in KnowledgeState.objects.filter(student__in=students, concept__in=concepts).values_list(
            "student_id", "concept_id", "mastery"
        )
    }
    activity = {
        row["student_id"]: row
        for row in Attempt.objects.filter(student__in=students, exercise__course__in=courses)
        .values("student_id")
        .annotate(
            n=Count("id"),
            graded=Count("id", filter=Q(status=AttemptStatus.GRADED)),
            credit=Sum("score"),
            pending=Count("id", filter=Q(status=AttemptStatus.PENDING)),
            last=Max("created_at"),
        )
    }
    rows = []
    for s in students:
        a = activity.get(s.pk, {})
        graded = a.get("graded", 0)
        rows.append(
            StudentRow(
                student_id=s.pk,
                name=s.get_full_name() or s.username,
                n_attempts=a.get("n", 0),
                accuracy=(a["credit"] / graded) if graded else None,
                last_active=a.get("last"),
                pending=a.get("pending", 0),
                mastery=tuple(mastery.get((s.pk, c.pk)) for c in concepts),
            )
        )
    return ClassroomDashboard(
        pk=room.pk,
        name=room.name,
        courses=tuple(c.title for c in courses),
        concepts=tuple(c.name for c in concepts),
        rows=tuple(rows),
    )
