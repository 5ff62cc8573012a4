"""Reads of the assistant: conversations for students and teachers, the exercise on the
student's screen, the conversation's earlier steps."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from students import selectors as student_selectors
from tutor.assistant.models import Author, Conversation, Flag, Message
from tutor.practice.models import PracticeSession

HISTORY_STEPS = 20


def message_as_dict(message: Message) -> dict:
    """A message as the chat's frames, the REST API and the pages show it."""
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "author": message.author_role,
        "text": message.text,
        "kind": message.kind,
        "sources": list(message.sources or []),
        "created_at": message.created_at.isoformat(),
    }


def conversation_messages(conversation: Conversation | None) -> list[dict]:
    if conversation is None:
        return []
    return [message_as_dict(m) for m in conversation.messages.all()]


def conversation_of(student, course) -> Conversation | None:
    return Conversation.objects.filter(student=student, course=course).first()


def exercise_on_screen(student, course) -> tuple[int | None, int]:
    """(id of the exercise on the student's practice screen in this course, hints shown)."""
    session = (
        PracticeSession.objects.filter(student=student, course=course, ended_at__isnull=True)
        .order_by("-last_activity_at")
        .values_list("current_exercise_id", "hints_shown")
        .first()
    )
    return (session[0], session[1]) if session else (None, 0)


@dataclass(frozen=True)
class Step:
    kind: str
    exercise_id: int | None
    meta: dict


def recent_assistant_steps(conversation: Conversation) -> list[Step]:
    """The assistant's last replies in this conversation, oldest first."""
    rows = (
        Message.objects.filter(conversation=conversation, author_role=Author.ASSISTANT)
        .order_by("-created_at", "-id")
        .values_list("kind", "exercise_id", "meta")[:HISTORY_STEPS]
    )
    return [Step(kind, exercise_id, meta or {}) for kind, exercise_id, meta in reversed(rows)]


def _student_ids_for_teacher(teacher) -> QuerySet:
    rooms = [room.pk for room in student_selectors.classrooms_for_teacher(teacher)]
    # The classrooms come through the student model's door; their members are read from the
    # user model's relation (no import of the students app's models).
    return get_user_model().objects.filter(classrooms__pk__in=rooms).values("pk")


def teacher_ids_of(student) -> list[int]:
    """Whether someone teaches the student (their classrooms' teachers)."""
    teachers = get_user_model().objects.filter(
        Q(classrooms_taught__students=student) | Q(classrooms_co_taught__students=student)
    )
    return list(teachers.values_list("pk", flat=True).distinct())


def conversations_for_teacher(teacher) -> QuerySet[Conversation]:
    """Conversations of the teacher's classrooms' students: flagged first (distress, then
    handed over, then no answer found), then the most recent."""
    return (
        Conversation.objects.filter(student__pk__in=_student_ids_for_teacher(teacher))
        .select_related("student", "course")
        .annotate(
            urgency=Case(
                When(flag=Flag.DISTRESS, then=Value(0)),
                When(flag=Flag.HANDED_OVER, then=Value(1)),
                When(flag=Flag.NO_ANSWER, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("urgency", "-updated_at")
    )


def conversation_for_teacher(teacher, conversation_id: int) -> Conversation | None:
    return conversations_for_teacher(teacher).filter(pk=conversation_id).first()


def last_course_slug(student) -> str | None:
    """The course the student last practised or talked about."""
    practised = (
        PracticeSession.objects.filter(student=student)
        .order_by("-last_activity_at")
        .values_list("course__slug", "last_activity_at")
        .first()
    )
    talked = (
        Conversation.objects.filter(student=student)
        .order_by("-updated_at")
        .values_list("course__slug", "updated_at")
        .first()
    )
    latest = max((r for r in (practised, talked) if r), key=lambda r: r[1], default=None)
    return latest[0] if latest else None
