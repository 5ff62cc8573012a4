"""The practice loop: start a session, serve the next item with its reason, reveal hints
and worked examples, take an answer.

Views and the API call these functions and nothing else; the choice itself is made by the
pure policy in ``tutor.pedagogy`` from the student model's state, every answer goes to the
student model through ``students.services``, and a free-text answer is queued for the
grader (``modeling.api``) once its transaction commits.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from content import api as content_api
from content import selectors as content_selectors
from modeling import api as modeling_api
from students import api as students_api
from students import services as student_services
from tutor.pedagogy import Decision
from tutor.practice import selectors
from tutor.practice.models import PracticeSession

# A session idle for longer than this is closed; the next visit starts a new one, so
# time-on-task and the new-concept window restart after a real pause.
SESSION_IDLE = timedelta(minutes=30)
MAX_TEXT_ANSWER = 2000


class PracticeError(Exception):
    """A request the practice loop refuses; the message says why."""


class SessionClosed(PracticeError):
    """The session has ended (its course or the exercise on screen was withdrawn, or it
    was idle too long); nothing was recorded. The message says why; a new session starts
    with ``practice_start``."""


# Characters an answer may hold that Unicode counts as control characters.
ALLOWED_CONTROLS = frozenset("\n\t")


def answer_text_clean(raw: str | None, *, field: str = "answer", limit: int = MAX_TEXT_ANSWER) -> str:
    """The text of an answer as the practice loop stores it, the same from a form, the API
    or any later path: line ends as ``\\n``, no surrounding blanks, at most ``limit``
    characters, and no control character but newline and tab. PostgreSQL refuses a NUL
    in text (SQLite stores it), and a lone surrogate cannot be encoded at all: refused
    here with a clear message rather than failing in the database."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    for position, char in enumerate(text, start=1):
        category = unicodedata.category(char)
        if (category == "Cc" and char not in ALLOWED_CONTROLS) or category == "Cs":
            what = "a NUL character" if char == "\0" else f"the control character U+{ord(char):04X}"
            raise content_api.AnswerError(
                f"The {field} contains {what} at position {position}; remove it and send the {field} again."
            )
    if len(text) > limit:
        raise content_api.AnswerError(f"That {field} is {len(text)} characters long; the limit is {limit}.")
    return text


@dataclass(frozen=True)
class Served:
    session: PracticeSession
    exercise: content_api.StudentExercise | None
    decision: Decision
    mastery: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerOutcome:
    attempt: object  # the student model's attempt row
    check: content_api.Check | None  # None for a free-text answer waiting for the grader
    changes: list = field(default_factory=list)  # per-concept mastery before/after
    decision: Decision | None = None


def practice_start(student, course) -> PracticeSession:
    """The student's open session in this course, or a new one after a long pause."""
    if not course.is_published:
        raise PracticeError(f"The course '{course.slug}' is not open for practice.")
    now = timezone.now()
    with transaction.atomic():
        session = (
            PracticeSession.objects.select_for_update()
            .filter(student=student, course=course, ended_at__isnull=True)
            .order_by("-last_activity_at")
            .first()
        )
        if session is not None and now - session.last_activity_at <= SESSION_IDLE:
            return session
        PracticeSession.objects.filter(student=student, course=course, ended_at__isnull=True).update(
            ended_at=now
        )
        return PracticeSession.objects.create(student=student, course=course)


def practice_closing_reason(session: PracticeSession, now=None) -> str | None:
    """Why this session may not go on, or None while it is open: its course is no longer
    published, the exercise on screen was unpublished or archived, or it was idle longer
    than ``SESSION_IDLE``."""
    now = now or timezone.now()
    course = session.course
    if not course.is_published:
        return (
            f"The course '{course.slug}' is no longer open for practice ({course.get_status_display().lower()}); "
            "this practice session has ended."
        )
    if session.ended_at is not None:
        return "This practice session has ended; start a new one."
    if now - session.last_activity_at > SESSION_IDLE:
        minutes = int(SESSION_IDLE.total_seconds() // 60)
        return f"This practice session ended after {minutes} minutes without activity; start a new one."
    exercise = session.current_exercise
    if exercise is not None and not exercise.is_published:
        return (
            f"The exercise on screen ('{exercise.slug}') was withdrawn ({exercise.get_status_display().lower()}); "
            "this practice session has ended."
        )
    return None


def practice_session_check(session: PracticeSession) -> PracticeSession:
    """The session, read afresh (the same object), if it may go on; else it is closed and
    ``SessionClosed`` says why. Every step of the loop (next item, hint, worked example, answer) passes here
    first, whichever path it came by, so a withdrawn course or exercise or a long pause
    ends the session everywhere at once."""
    # Read afresh in place: the caller's object is the one the loop then works on.
    session.refresh_from_db()
    now = timezone.now()
    reason = practice_closing_reason(session, now)
    if reason is not None:
        if session.ended_at is None:
            # ``update`` leaves last_activity_at as it was: closing is not activity.
            closed = PracticeSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=now)
            if closed:
                # The student's other open pages (a second tab, the WebSocket) hear it too.
                students_api.event_send(
                    session.student_id,
                    {
                        "type": "practice.closed",
                        "session": session.pk,
                        "course": session.course.slug,
                        "message": reason,
                    },
                )
        raise SessionClosed(reason)
    return session


def practice_open_session(student, course) -> PracticeSession:
    """The student's open session in this course, for a step on the item on screen (an
    answer, a hint): unlike ``practice_start`` it never opens a new one, so an answer to
    an item of a session that has ended is refused with the reason instead of landing in
    a new session that never showed it."""
    session = (
        PracticeSession.objects.filter(student=student, course=course, ended_at__isnull=True)
        .order_by("-last_activity_at")
        .first()
    )
    if session is None:
        raise SessionClosed("There is no open practice session in this course; the practice page starts one.")
    return practice_session_check(session)


def practice_next(session: PracticeSession, *, optional_practice: bool = False) -> Served:
    """The item on screen, or a newly chosen one with the tutor's reason. With
    ``optional_practice`` a student who has mastered the course gets an optional item
    (``Decision.optional``) instead of the "all mastered" decision."""
    session = practice_session_check(session)
    if session.current_exercise_id is not None:
        exercise = session.current_exercise
        decision = selectors.decision_from_dict(session.current_reason, exercise.pk)
        return Served(
            session=session,
            exercise=content_selectors.exercise_for_student(exercise),
            decision=decision,
            mastery=selectors.mastery_for_exercise(session.student, exercise),
        )
    decision = selectors.choose_next_for(session, optional_practice=optional_practice)
    exercise = None
    if decision.exercise_id is not None:
        exercise = content_selectors.exercise_with_course(decision.exercise_id)
        session.current_exercise = exercise
        session.current_reason = selectors.decision_as_dict(decision)
        session.current_served_at = timezone.now()
        session.current_predicted = decision.reason.get("predicted_success")
        session.hints_shown = 0
        session.worked_example_shown = decision.worked_example == "show"
        session.save()
    return Served(
        session=session,
        exercise=content_selectors.exercise_for_student(exercise) if exercise else None,
        decision=decision,
        mastery=selectors.mastery_for_exercise(session.student, exercise) if exercise else {},
    )


def _current(session: PracticeSession, exercise_id: int):
    if session.current_exercise_id is None:
        raise PracticeError("There is no exercise on screen in this session; ask for the next one.")
    if int(exercise_id) != session.current_exercise_id:
        raise PracticeError(
            f"Exercise {exercise_id} is not the exercise on screen in this session "
            f"(that is {session.current_exercise_id})."
        )
    return session.current_exercise


def practice_hint(session: PracticeSession, exercise_id: int) -> tuple[str, int, int]:
    """Reveal the next hint: (text, its number, how many there are)."""
    session = practice_session_check(session)
    exercise = _current(session, exercise_id)
    hints = list(exercise.hints.all())
    if not hints:
        raise PracticeError("This exercise has no hints.")
    if session.hints_shown >= len(hints):
        raise PracticeError("All hints of this exercise are already shown.")
    session.hints_shown += 1
    session.save(update_fields=["hints_shown", "last_activity_at"])
    return hints[session.hints_shown - 1].text, session.hints_shown, len(hints)


def practice_hints_shown(session: PracticeSession) -> list[str]:
    if session.current_exercise_id is None:
        return []
    return [h.text for h in session.current_exercise.hints.all()[: session.hints_shown]]


def practice_worked_example(session: PracticeSession, exercise_id: int) -> str:
    session = practice_session_check(session)
    exercise = _current(session, exercise_id)
    if not exercise.worked_example:
        raise PracticeError("This exercise has no worked example.")
    if session.current_reason.get("worked_example", "none") == "none":
        raise PracticeError("The tutor does not offer a worked example for this exercise now.")
    if not session.worked_example_shown:
        session.worked_example_shown = True
        session.save(update_fields=["worked_example_shown", "last_activity_at"])
    return exercise.worked_example


def practice_answer(
    session: PracticeSession,
    exercise_id: int,
    *,
    choices: list | None = None,
    value: str | None = None,
    text: str | None = None,
    response_seconds: float | None = None,
) -> AnswerOutcome:
    """Record an answer to the item on screen. Choice and numeric items are checked now;
    a free-text answer is stored as pending and graded by the grader after commit.
    Nothing is recorded when the session has ended (``SessionClosed``) or the answer is
    refused (``AnswerError``, ``PracticeError``)."""
    practice_session_check(session)
    with transaction.atomic():
        session = PracticeSession.objects.select_for_update().get(pk=session.pk)
        if session.ended_at is not None:  # closed by another request since the check
            raise SessionClosed("This practice session has ended; start a new one.")
        exercise = _current(session, exercise_id)
        served_at = session.current_served_at or timezone.now()
        measured = (timezone.now() - served_at).total_seconds()
        if response_seconds is None or not (0 < response_seconds <= measured + 5):
            # The browser's timer is preferred (it excludes page load) but never trusted beyond the server's.
            response_seconds = measured
        check = None
        if exercise.kind == content_api.ExerciseKind.MULTIPLE_CHOICE:
            check = content_api.check_choices(exercise, list(choices or []))
            response = check.response
        elif exercise.kind == content_api.ExerciseKind.NUMERIC:
            check = content_api.check_numeric(exercise, answer_text_clean(value, field="value", limit=64))
            response = check.response
        else:
            answer = answer_text_clean(text)
            if not answer:
                raise content_api.AnswerError("Write an answer before sending it.")
            response = {"text": answer}
        attempt, changes = student_services.attempt_record(
            student=session.student,
            exercise=exercise,
            context=practice_context(session),
            response=response,
            score=check.score if check else None,
            is_correct=check.correct if check else None,
            hints_used=session.hints_shown,
            worked_example_shown=session.worked_example_shown,
            response_seconds=response_seconds,
            reason=session.current_reason,
            predicted_correct=session.current_predicted,
        )
        session.current_exercise = None
        session.current_reason = {}
        session.current_served_at = None
        session.current_predicted = None
        session.hints_shown = 0
        session.worked_example_shown = False
        session.save()
        if check is None:
            # robust: a broker that is down must not fail the student's answer; the answer
            # stays pending and a worker drains it when it starts.
            transaction.on_commit(lambda: modeling_api.grading_queue(attempt.pk), robust=True)
    return AnswerOutcome(attempt=attempt, check=check, changes=changes)


def practice_context(session: PracticeSession) -> str:
    """How the attempt log names an answer given in this session."""
    return f"practice:{session.pk}"
