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


@dataclass(frozen=True)
class AnswerToGrade:
    attempt_id: int
    question: str
    reference_answers: tuple[str, ...]
    text: str


def free_text_answers_to_grade(
    first_attempt_id: int | None = None, *, limit: int = 32, regrade: bool = False
) -> list[AnswerToGrade]:
    """Pending free-text answers to grade, oldest first, with ``first_attempt_id`` first
    (even when already graded, if ``regrade``)."""
    from content.models import ExerciseKind
    from students.models import Attempt, AttemptStatus

    base = Attempt.objects.filter(exercise__kind=ExerciseKind.FREE_TEXT).select_related("exercise")
    chosen: list = []
    if first_attempt_id is not None:
        first = base.filter(pk=first_attempt_id)
        if not regrade:
            first = first.filter(status=AttemptStatus.PENDING)
        chosen = list(first)
    others = (
        base.filter(status=AttemptStatus.PENDING)
        .exclude(pk__in=[a.pk for a in chosen])
        .order_by("created_at", "id")[: max(0, limit - len(chosen))]
    )
    chosen += list(others)
    references: dict[int, list[str]] = {}
    from content.models import ReferenceAnswer

    for exercise_id, text in (
        ReferenceAnswer.objects.filter(exercise_id__in={a.exercise_id for a in chosen})
        .order_by("order", "id")
        .values_list("exercise_id", "text")
    ):
        references.setdefault(exercise_id, []).append(text)
    return [
        AnswerToGrade(
            attempt_id=a.pk,
            question=a.exercise.prompt,
            reference_answers=tuple(references.get(a.exercise_id, ())),
            text=a.response.get("text", ""),
        )
        for a in chosen
    ]
