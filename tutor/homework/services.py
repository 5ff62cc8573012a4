"""Homework: a teacher sets it, students answer and submit, teachers review the grades and
release them.

Answers go to the student model's attempt log through ``students.services.attempt_record``
with the context ``homework:<id>`` (so they update the student model as practice answers
do); free-text answers are queued for the grader once their transaction commits; a
teacher's review goes through ``students.services.grade_review_record``. Who may touch
what is decided by the selectors: an assignment or answer outside a user's reach is
``HomeworkNotFound`` (404), a request on one within reach that cannot be done is
``HomeworkError`` (400), and neither writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from content import api as content_api
from modeling import api as modeling_api
from students import api as students_api
from students import selectors as student_selectors
from students import services as student_services
from tutor.homework import selectors
from tutor.homework.models import (
    Assignment,
    AssignmentItem,
    AssignmentMode,
    ReleaseRule,
    ReviewLock,
    Submission,
    SubmissionStatus,
)
from tutor.practice import services as practice_services

MAX_TEXT_ANSWER = practice_services.MAX_TEXT_ANSWER
# How long a teacher holds an answer they opened for review (a setting overrides it).
REVIEW_LOCK_SECONDS = 300


class HomeworkError(Exception):
    """A request the homework refuses; the message says why."""


class HomeworkNotFound(Exception):
    """An assignment or answer that is not within the user's reach (answers 404)."""


def review_lock_seconds() -> int:
    return int(getattr(settings, "HOMEWORK_REVIEW_LOCK_SECONDS", REVIEW_LOCK_SECONDS))


# --- setting homework --------------------------------------------------------------------------
@transaction.atomic
def assignment_create(
    teacher,
    *,
    classroom_id: int,
    title: str,
    opens_at: datetime,
    due_at: datetime,
    mode: str = AssignmentMode.ITEMS,
    exercise_ids: Iterable[int] = (),
    concept_id: int | None = None,
    closes_at: datetime | None = None,
    release_rule: str = ReleaseRule.AFTER_REVIEW,
    release_at: datetime | None = None,
) -> Assignment:
    """Homework for one of the teacher's classrooms: the exercises chosen by hand, every
    published exercise of a concept (``concept_id`` without ``exercise_ids``), or, in
    mastery mode, a concept to practise until mastered (its exercises are the items)."""
    room = selectors.classroom_taught(teacher, classroom_id)
    if room is None:
        raise HomeworkNotFound("No such classroom of yours.")
    title = (title or "").strip()
    if not title:
        raise HomeworkError("Give the homework a title.")
    if mode not in AssignmentMode.values:
        raise HomeworkError(f"Unknown mode {mode!r}; expected one of {', '.join(AssignmentMode.values)}.")
    if release_rule not in ReleaseRule.values:
        raise HomeworkError(
            f"Unknown release rule {release_rule!r}; expected one of {', '.join(ReleaseRule.values)}."
        )
    if opens_at is None or due_at is None:
        raise HomeworkError("Give an opening and a due date.")
    if due_at < opens_at:
        raise HomeworkError("The due date comes before the opening.")
    if closes_at is not None and closes_at < due_at:
        raise HomeworkError("The homework cannot close before it is due.")
    if release_rule == ReleaseRule.ON_DATE and release_at is None:
        raise HomeworkError("Give the date on which the grades are released.")
    exercises = selectors.exercises_for_classroom(teacher, room)
    exercise_ids = [int(e) for e in exercise_ids]
    if concept_id is not None and not selectors.concept_in_courses(concept_id, room.course_ids):
        raise HomeworkError(f"Concept {concept_id} is not in this classroom's courses.")
    if mode == AssignmentMode.MASTERY:
        if concept_id is None:
            raise HomeworkError("Choose the concept to master.")
        chosen = list(exercises.filter(concepts__id=concept_id).values_list("pk", flat=True))
    elif exercise_ids:
        found = set(exercises.filter(pk__in=exercise_ids).values_list("pk", flat=True))
        unknown = [e for e in exercise_ids if e not in found]
        if unknown:
            raise HomeworkError(
                f"Not a published exercise of this classroom's courses: {', '.join(map(str, unknown))}."
            )
        chosen = list(dict.fromkeys(exercise_ids))
    elif concept_id is not None:
        chosen = list(exercises.filter(concepts__id=concept_id).values_list("pk", flat=True))
    else:
        raise HomeworkError("Choose exercises, or a concept.")
    if not chosen:
        raise HomeworkError("That concept has no published exercise.")
    assignment = Assignment.objects.create(
        classroom_id=room.pk,
        created_by=teacher,
        title=title,
        mode=mode,
        concept_id=concept_id,
        opens_at=opens_at,
        due_at=due_at,
        closes_at=closes_at,
        release_rule=release_rule,
        release_at=release_at if release_rule == ReleaseRule.ON_DATE else None,
    )
    AssignmentItem.objects.bulk_create(
        AssignmentItem(assignment=assignment, exercise_id=e, order=i) for i, e in enumerate(chosen)
    )
    return assignment


# --- answering and submitting ------------------------------------------------------------------
@dataclass(frozen=True)
class HomeworkAnswer:
    attempt_id: int
    status: str
    late: bool
    grade_visible: bool
    score: float | None
    correct: bool | None


def _open_for(student, assignment_id: int, now: datetime) -> tuple[Assignment, Submission | None]:
    assignment = selectors.assignment_for_student(student, assignment_id)
    if assignment is None:
        raise HomeworkNotFound("No such homework of yours.")
    if now < assignment.opens_at:
        raise HomeworkError(
            f"This homework opens on {timezone.localtime(assignment.opens_at):%d %b %Y %H:%M}."
        )
    if assignment.closes_at is not None and now > assignment.closes_at:
        raise HomeworkError("This homework is closed: it no longer takes answers.")
    submission = Submission.objects.select_for_update().filter(assignment=assignment, student=student).first()
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        raise HomeworkError("You have submitted this homework: it no longer takes answers.")
    return assignment, submission


def homework_answer(
    student,
    assignment_id: int,
    exercise_id: int,
    *,
    choices: list | None = None,
    value: str | None = None,
    text: str | None = None,
    response_seconds: float | None = None,
) -> HomeworkAnswer:
    """Record the student's answer to one item of their homework. Choice and numeric items
    are checked now, free text is queued for the grader after commit; the grade is shown
    to the student only as the release rule allows."""
    now = timezone.now()
    with transaction.atomic():
        assignment, submission = _open_for(student, assignment_id, now)
        item = AssignmentItem.objects.filter(assignment=assignment, exercise_id=exercise_id).select_related(
            "exercise__course"
        )
        item = item.first()
        if item is None:
            raise HomeworkNotFound(f"Exercise {exercise_id} is not in this homework.")
        exercise = item.exercise
        if assignment.mode == AssignmentMode.ITEMS and selectors.answered_exercise_ids(
            student, assignment
        ) & {exercise.pk}:
            raise HomeworkError("You have answered this item already.")
        check = None
        if exercise.kind == content_api.ExerciseKind.MULTIPLE_CHOICE:
            check = content_api.check_choices(exercise, list(choices or []))
            response = check.response
        elif exercise.kind == content_api.ExerciseKind.NUMERIC:
            check = content_api.check_numeric(exercise, value or "")
            response = check.response
        else:
            # One check of answer text for every path (practice, homework; page or API).
            answer = practice_services.answer_text_clean(text)
            if not answer:
                raise content_api.AnswerError("Write an answer before sending it.")
            response = {"text": answer}
        if submission is None:
            submission = Submission.objects.create(assignment=assignment, student=student)
        late = now > assignment.due_at
        attempt, _ = student_services.attempt_record(
            student=student,
            exercise=exercise,
            context=assignment.context,
            response=response,
            score=check.score if check else None,
            is_correct=check.correct if check else None,
            hints_used=0,
            worked_example_shown=False,
            response_seconds=response_seconds if response_seconds and response_seconds > 0 else None,
            reason={"rule": "assigned", "assignment": assignment.pk, "late": late},
            predicted_correct=None,
        )
        if check is None:
            # robust: a broker that is down must not fail the student's answer; it stays
            # pending and a worker drains it when it starts.
            transaction.on_commit(lambda: modeling_api.grading_queue(attempt.pk), robust=True)
    visible = selectors.grades_visible(assignment, now)
    return HomeworkAnswer(
        attempt_id=attempt.pk,
        status=attempt.status,
        late=late,
        grade_visible=visible and check is not None,
        score=attempt.score if visible else None,
        correct=attempt.is_correct if visible else None,
    )


def homework_submit(student, assignment_id: int) -> Submission:
    """Hand the homework in; after the due date it is marked late. Nothing more is taken."""
    now = timezone.now()
    with transaction.atomic():
        assignment, submission = _open_for(student, assignment_id, now)
        if submission is None:
            submission = Submission.objects.create(assignment=assignment, student=student)
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_at = now
        submission.late = now > assignment.due_at
        submission.save(update_fields=["status", "submitted_at", "late"])
    return submission


# --- release -----------------------------------------------------------------------------------
def assignment_release(teacher, assignment_id: int) -> Assignment:
    """Release the grades of a homework now, whatever its rule, and push them to the
    students' open pages."""
    with transaction.atomic():
        assignment = selectors.assignment_for_teacher(teacher, assignment_id)
        if assignment is None:
            raise HomeworkNotFound("No such homework of yours.")
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.released_at is None:
            assignment.released_at = timezone.now()
            assignment.save(update_fields=["released_at"])
        for student_id, items in selectors.released_grades(assignment).items():
            students_api.event_send(student_id, released_event(assignment, items))
    return assignment


def released_event(assignment: Assignment, items: list[dict]) -> dict:
    """What the student's open homework page needs to show released grades."""
    return {
        "type": "homework.released",
        "assignment": assignment.pk,
        "title": assignment.title,
        "items": items,
    }


# --- review ------------------------------------------------------------------------------------
def _reviewable(teacher, attempt_id: int) -> student_selectors.ReviewRow:
    row = selectors.review_row_for(teacher, attempt_id)
    if row is None:
        raise HomeworkNotFound("No such answer in your classrooms.")
    return row


def review_lock_take(teacher, attempt_id: int) -> ReviewLock:
    """Hold the answer for review; refused while another teacher's lock has not expired."""
    _reviewable(teacher, attempt_id)
    now = timezone.now()
    expires = now + timedelta(seconds=review_lock_seconds())
    with transaction.atomic():
        lock = ReviewLock.objects.select_for_update().filter(attempt_id=attempt_id).first()
        if lock is None:
            try:
                with transaction.atomic():
                    return ReviewLock.objects.create(
                        attempt_id=attempt_id, teacher=teacher, expires_at=expires
                    )
            except IntegrityError:  # another teacher took it a moment ago
                lock = ReviewLock.objects.select_for_update().get(attempt_id=attempt_id)
        if lock.teacher_id != teacher.pk and lock.expires_at > now:
            name = lock.teacher.get_full_name() or lock.teacher.username
            raise HomeworkError(
                f"{name} is reviewing this answer until {timezone.localtime(lock.expires_at):%H:%M:%S}."
            )
        lock.teacher, lock.expires_at = teacher, expires
        lock.save(update_fields=["teacher", "expires_at"])
        return lock


def review_submit(
    teacher,
    attempt_id: int,
    *,
    accept: bool = False,
    label: str = "",
    score: float | None = None,
    comment: str = "",
):
    """Accept the model's grade or give the teacher's (a label or a score, and a comment).
    Kept as a GradeReview; the teacher's grade counts from now on. A homework answer whose
    grades are visible is pushed to the student's open page."""
    row = _reviewable(teacher, attempt_id)
    with transaction.atomic():
        review_lock_take(teacher, attempt_id)
        try:
            review = student_services.grade_review_record(
                attempt_id, reviewer=teacher, accepted=accept, label=label, score=score, comment=comment
            )
        except ValueError as error:
            raise HomeworkError(str(error)) from error
        ReviewLock.objects.filter(attempt_id=attempt_id, teacher=teacher).delete()
        assignment = selectors.assignment_of_context(row.context)
        if assignment is not None and selectors.grades_visible(assignment, timezone.now()):
            items = selectors.released_grades(assignment, student_ids=[row.student_id]).get(
                row.student_id, []
            )
            students_api.event_send(row.student_id, released_event(assignment, items))
    return review


def review_bulk_accept(
    teacher, *, min_confidence: float, filters: selectors.ReviewFilters | None = None
) -> int:
    """Accept every model grade of the teacher's queue (with these filters) whose confidence
    is at least ``min_confidence`` and that no teacher has reviewed; answers another teacher
    holds are left. Returns how many were accepted."""
    if not 0.0 <= min_confidence <= 1.0:
        raise HomeworkError(f"A confidence lies in [0, 1]; got {min_confidence!r}.")
    accepted = 0
    for attempt_id in selectors.bulk_accept_ids(teacher, min_confidence=min_confidence, filters=filters):
        try:
            review_submit(teacher, attempt_id, accept=True)
        except HomeworkError:
            continue  # held by another teacher, or graded differently since the preview
        accepted += 1
    return accepted
