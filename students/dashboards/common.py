"""What every dashboard shares: the settings, which classrooms a teacher sees, how a
student and an answer are named; and a classroom's people for its settings page."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from students.models import Classroom, Role, User


@dataclass(frozen=True)
class DashboardSettings:
    """``settings.STUDENT_DASHBOARD``: the numbers that decide who is flagged and what is
    shown. The values live in ``tutor/settings.py``; an unknown key is an error."""

    stuck_min_items: int  # ASSISTments' wheel-spinning rule: this many answers without mastery
    stuck_errors_in_a_row: int  # errors without progress: this many wrong answers in a row
    inactive_days: int  # no answer for this many days
    recent_attempts: int  # answers listed on a student's page
    time_on_task_days: int  # days drawn in the time-on-task chart
    max_seconds_per_answer: int  # longer answers count this much (a tab left open is not work)
    common_wrong_answers: int  # wrong answers listed per exercise
    min_students_for_discrimination: int  # fewer students: no discrimination figure
    stuck_reasons_shown: int  # reasons listed per student on the stuck page

    @classmethod
    def current(cls) -> DashboardSettings:
        return cls(**settings.STUDENT_DASHBOARD)


# --- which classrooms a teacher sees ------------------------------------------------------------
def classrooms_visible_to(user: User) -> QuerySet[Classroom]:
    """Classrooms the user owns or co-teaches; an admin sees every classroom; anyone else none."""
    if user.role == Role.ADMIN:
        return Classroom.objects.all()
    if user.role != Role.TEACHER:
        return Classroom.objects.none()
    own = Classroom.objects.filter(Q(teacher=user) | Q(co_teachers=user)).values("pk")
    return Classroom.objects.filter(pk__in=own)


def classroom_for_teacher(user: User, classroom_id: int) -> Classroom | None:
    """One classroom the user may see (its courses prefetched), or None."""
    return classrooms_visible_to(user).filter(pk=classroom_id).prefetch_related("courses").first()


def student_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def response_text(response: dict) -> str:
    """An answer as a teacher reads it, whatever the kind of exercise."""
    if not isinstance(response, dict):
        return str(response)
    if "choices" in response:
        return " + ".join(sorted(str(c.get("text", "")) for c in response["choices"])) or "(no option)"
    if "raw" in response or "value" in response:
        return str(response.get("raw") or response.get("value"))
    return " ".join(str(response.get("text", "")).split())


# --- a classroom's people, for its settings page --------------------------------------------
@dataclass(frozen=True)
class Member:
    pk: int
    username: str
    name: str


@dataclass(frozen=True)
class ClassroomRoster:
    pk: int
    name: str
    join_code: str
    owner: Member
    courses: tuple[str, ...]
    students: tuple[Member, ...]
    co_teachers: tuple[Member, ...]


def _member(u: User) -> Member:
    return Member(u.pk, u.username, student_name(u.first_name, u.last_name, u.username))


def classroom_roster(user: User, classroom_id: int) -> ClassroomRoster | None:
    """The classroom's owner, co-teachers and students, or None when it is not the user's."""
    in_order = User.objects.order_by("last_name", "first_name", "username")
    room = (
        classrooms_visible_to(user)
        .filter(pk=classroom_id)
        .select_related("teacher")
        .prefetch_related("courses", Prefetch("students", in_order), Prefetch("co_teachers", in_order))
        .first()
    )
    if room is None:
        return None
    return ClassroomRoster(
        pk=room.pk,
        name=room.name,
        join_code=room.join_code,
        owner=_member(room.teacher),
        courses=tuple(c.title for c in room.courses.all()),
        students=tuple(_member(u) for u in room.students.all()),
        co_teachers=tuple(_member(u) for u in room.co_teachers.all()),
    )
