"""Writes of the student model: accounts and classrooms, the attempt log and its grades,
and fitting the model's parameters to the log."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from content import selectors as content_selectors
from content import services as content_services
from students import events
from students.knowledge import ConceptChange, evidence_weight, knowledge_apply
from students.kt.data import AttemptLog, LogRow
from students.kt.train import fit_student_model
from students.models import (
    Attempt,
    AttemptStatus,
    Classroom,
    ConceptParameters,
    GradeReview,
    GradeSource,
    ItemParameters,
    Role,
    User,
)


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


def user_delete(user: User) -> None:
    """Delete a user and everything the student model holds of them (benchmarks' own
    throw-away users; real accounts are deactivated in the admin instead)."""
    user.delete()


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


# --- the attempt log -------------------------------------------------------------------
@transaction.atomic
def attempt_record(
    *,
    student: User,
    exercise,
    context: str,
    response: dict,
    score: float | None,
    is_correct: bool | None,
    hints_used: int,
    worked_example_shown: bool,
    response_seconds: float | None,
    reason: dict,
    predicted_correct: float | None,
) -> tuple[Attempt, list[ConceptChange]]:
    """Append an answer to the log. A checked answer (score given) updates the student
    model at once; an answer without a score (free text) is stored as pending, for a grade
    that ``attempt_grade`` records later. ``context`` says where the answer was given (the
    caller's label, e.g. "practice:12"); the student model stores it as it is."""
    graded = score is not None
    attempt = Attempt.objects.create(
        student=student,
        exercise=exercise,
        context=context,
        response=response,
        status=AttemptStatus.GRADED if graded else AttemptStatus.PENDING,
        score=score,
        is_correct=is_correct,
        grade_source=GradeSource.AUTO if graded else "",
        graded_at=timezone.now() if graded else None,
        hints_used=hints_used,
        worked_example_shown=worked_example_shown,
        response_seconds=response_seconds,
        reason=reason,
        predicted_correct=predicted_correct,
    )
    if not graded:
        return attempt, []
    changes = knowledge_apply(attempt)
    attempt.refresh_from_db(fields=["knowledge_updated"])
    return attempt, changes


def attempt_grade(
    attempt_id: int,
    *,
    score: float,
    label: str = "",
    confidence: float | None = None,
    feedback: dict | None = None,
    source: str = GradeSource.MODEL,
    grader_version: str = "",
    regrade: bool = False,
) -> Attempt | None:
    """Record the grade of a pending answer, update the student model with it, and push it
    to the student's open pages once committed. Idempotent: an answer that is already
    graded is left alone (returns None) unless ``regrade`` is asked for; a teacher's
    grade is never replaced by the model's."""
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"A score lies in [0, 1]; got {score!r}.")
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.status == AttemptStatus.GRADED and not regrade:
            return None
        if attempt.grade_source == GradeSource.TEACHER and source != GradeSource.TEACHER:
            return None
        attempt.score = score
        attempt.is_correct = score >= 1.0 if not label else label == "correct"
        attempt.label = label
        attempt.confidence = confidence
        attempt.feedback = feedback or {}
        attempt.grade_source = source
        attempt.grader_version = grader_version
        attempt.status = AttemptStatus.GRADED
        attempt.graded_at = timezone.now()
        attempt.save()
        changes = knowledge_apply(attempt)
        events.event_send(attempt.student_id, grade_event(attempt, changes))
    attempt.refresh_from_db()
    return attempt


def grade_event(attempt: Attempt, changes: list[ConceptChange]) -> dict:
    """What the student's page needs to show a grade that arrived later. The feedback is the
    student's part only: what the grader keeps for teachers (``for_teacher``: the closest
    reference answer and its key terms), and the same keys of grades stored before it was
    set apart, never reach the student, whose item may come back."""
    feedback = {
        key: value
        for key, value in (attempt.feedback or {}).items()
        if key not in ("for_teacher", "closest_reference", "missing_terms")
    }
    return {
        "type": "grade.ready",
        "attempt": attempt.pk,
        "status": attempt.status,
        "score": attempt.score,
        "correct": attempt.is_correct,
        "label": attempt.label,
        "confidence": attempt.confidence,
        "feedback": feedback,
        # Where it was given: the tutor holds back the grade of a homework answer until release.
        "context": attempt.context,
        "changes": [{"name": c.name, "before": c.before, "after": c.after} for c in changes],
    }


# --- fitting the student model ------------------------------------------------------------
@dataclass(frozen=True)
class FitReport:
    n_attempts: int
    n_rows: int
    concepts_fitted: int
    items_fitted: int
    seconds: float


def student_model_fit(course=None) -> FitReport:
    """Fit BKT parameters per concept (MAP-EM, bounded, with a prior that dominates where
    data is thin) and item difficulties from the graded attempt log, with the same code
    that ``kt_eval`` measures, and store them. Concepts and items without data keep what
    they had."""
    attempts = Attempt.objects.filter(status=AttemptStatus.GRADED, score__isnull=False)
    if course is not None:
        attempts = attempts.filter(exercise__course=course)
    attempts = list(
        attempts.order_by("student_id", "created_at", "id").only(
            "pk", "student_id", "exercise_id", "score", "hints_used", "worked_example_shown"
        )
    )
    links: dict[int, list[int]] = {}
    for exercise_id, concept_ids in content_selectors.exercise_concept_ids(
        {a.exercise_id for a in attempts}
    ).items():
        links[exercise_id] = list(concept_ids)
    rows, position, index, last_student = [], 0, 0, None
    for attempt in attempts:
        if attempt.student_id != last_student:
            position, index, last_student = 0, 0, attempt.student_id
        for concept_id in sorted(links.get(attempt.exercise_id, [])):
            rows.append(
                LogRow(
                    user_id=str(attempt.student_id),
                    position=position,
                    attempt_idx=index,
                    problem_id=str(attempt.exercise_id),
                    skill_name=str(concept_id),
                    correct=float(attempt.score),
                    weight=evidence_weight(attempt),
                )
            )
            position += 1
        index += 1
    if not rows:
        return FitReport(n_attempts=0, n_rows=0, concepts_fitted=0, items_fitted=0, seconds=0.0)
    fitted = fit_student_model(AttemptLog.from_rows(rows))
    now = timezone.now()
    with transaction.atomic():
        for concept_id, fit in fitted.concepts.items():
            p = fit.params
            ConceptParameters.objects.update_or_create(
                concept_id=int(concept_id),
                defaults={
                    "p_init": p.p_init,
                    "p_learn": p.p_learn,
                    "p_guess": p.p_guess,
                    "p_slip": p.p_slip,
                    "p_forget": p.p_forget,
                    "n_observations": fit.n_observations,
                    "fitted_at": now,
                },
            )
        for exercise_id, item in fitted.items.items():
            ItemParameters.objects.update_or_create(
                exercise_id=int(exercise_id),
                defaults={"difficulty": item.difficulty, "n_attempts": item.n_attempts, "fitted_at": now},
            )
        # The concepts' parameters are part of the tutor's cached course graph.
        content_services.course_content_changed(concept_ids=(int(c) for c in fitted.concepts))
    return FitReport(
        n_attempts=len(attempts),
        n_rows=len(rows),
        concepts_fitted=len(fitted.concepts),
        items_fitted=len(fitted.items),
        seconds=fitted.fit_seconds,
    )


# --- classrooms: a teacher's writes, a student's join ----------------------------------------
class ClassroomError(ValueError):
    """A classroom write that cannot be done, with a message that names the problem."""


class ClassroomOwnerOnly(ClassroomError):
    """A write that only the classroom's owner (or an admin) may make."""


def _classroom_students(usernames: Iterable[str]) -> list[User]:
    names = [u.strip() for u in usernames if u and u.strip()]
    if not names:
        raise ClassroomError("Give at least one username.")
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    unknown = [n for n in names if n not in found]
    if unknown:
        raise ClassroomError(f"No such user: {', '.join(unknown)}.")
    wrong = [n for n in names if found[n].role != Role.STUDENT]
    if wrong:
        raise ClassroomError(f"Not students: {', '.join(wrong)}.")
    return [found[n] for n in names]


@transaction.atomic
def classroom_create(*, teacher: User, name: str, courses: Iterable) -> Classroom:
    """A new classroom of this teacher for these courses, with a fresh join code."""
    if teacher.role != Role.TEACHER:
        raise ClassroomError(f"{teacher.username} is not a teacher.")
    name = (name or "").strip()
    if not name:
        raise ClassroomError("A classroom needs a name.")
    if Classroom.objects.filter(teacher=teacher, name=name).exists():
        raise ClassroomError(f"You already have a classroom named {name!r}.")
    courses = list(courses)
    if not courses:
        raise ClassroomError("Choose at least one course.")
    try:
        with transaction.atomic():
            room = Classroom.objects.create(teacher=teacher, name=name)
    except IntegrityError as error:  # the same name, created a moment ago in another tab
        raise ClassroomError(f"You already have a classroom named {name!r}.") from error
    room.courses.add(*courses)
    return room


def classroom_code_regenerate(room: Classroom) -> str:
    """A new join code (the old one stops working at once); students already in stay."""
    for _ in range(5):  # 2^32 codes: a clash is rare, and retried
        code = secrets.token_hex(4).upper()
        if not Classroom.objects.filter(join_code=code).exists():
            Classroom.objects.filter(pk=room.pk).update(join_code=code)
            room.join_code = code
            return code
    raise ClassroomError("Could not find a free join code; try again.")


@transaction.atomic
def classroom_students_add(room: Classroom, usernames: Iterable[str]) -> list[User]:
    """Add these students (by username); all or none: one unknown name adds nobody."""
    students = _classroom_students(usernames)
    room.students.add(*students)
    return students


def classroom_student_remove(room: Classroom, student_id: int) -> None:
    """Take a student out of the classroom; their answers and knowledge stay theirs."""
    if not room.students.filter(pk=student_id).exists():
        raise ClassroomError("That student is not in this classroom.")
    room.students.remove(student_id)


def classroom_co_teacher_add(room: Classroom, *, by: User, username: str) -> User:
    """Only the owner (or an admin) adds a co-teacher, who then sees and teaches the class."""
    if by.pk != room.teacher_id and by.role != Role.ADMIN:
        raise ClassroomOwnerOnly("Only the classroom's owner adds co-teachers.")
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise ClassroomError(f"No such user: {username!r}.")
    if user.role != Role.TEACHER:
        raise ClassroomError(f"{user.username} is not a teacher.")
    if user.pk == room.teacher_id:
        raise ClassroomError(f"{user.username} owns this classroom already.")
    room.co_teachers.add(user)
    return user


def classroom_co_teacher_remove(room: Classroom, *, by: User, teacher_id: int) -> None:
    if by.pk != room.teacher_id and by.role != Role.ADMIN:
        raise ClassroomOwnerOnly("Only the classroom's owner removes co-teachers.")
    if not room.co_teachers.filter(pk=teacher_id).exists():
        raise ClassroomError("That teacher is not a co-teacher of this classroom.")
    room.co_teachers.remove(teacher_id)


def classroom_join(student: User, code: str) -> tuple[Classroom, bool]:
    """The student joins the classroom with this code. Returns the classroom and whether
    they joined now (False: they were in it already, and nothing changes)."""
    if student.role != Role.STUDENT:
        raise ClassroomError("Only students join classrooms with a code.")
    code = (code or "").strip().upper()
    if not code:
        raise ClassroomError("Enter the join code your teacher gave you.")
    room = Classroom.objects.filter(join_code=code).first()
    if room is None:
        raise ClassroomError(f"No classroom has the code {code!r}. Check it with your teacher.")
    if room.students.filter(pk=student.pk).exists():
        return room, False
    try:
        with transaction.atomic():
            room.students.add(student)
    except IntegrityError:  # joined at the same moment from another tab
        return room, False
    return room, True


# --- teachers' reviews of grades ---------------------------------------------------------------
# The credit a teacher's label earns when they give no score (the SemEval-2013 folds).
from students.teaching import LABEL_CREDIT  # noqa: E402


@transaction.atomic
def grade_review_record(
    attempt_id: int,
    *,
    reviewer: User,
    accepted: bool = False,
    label: str = "",
    score: float | None = None,
    comment: str = "",
) -> GradeReview:
    """A teacher's review of a free-text answer: keep the model's grade as it stood and the
    teacher's (a labelled example for the grader), and make the teacher's grade the one that
    counts (``attempt_grade`` with the teacher as source: no regrade replaces it), all in
    one transaction. ``accepted`` keeps the model's label and score; otherwise a label (its
    credit is the score unless one is given) or a score is the teacher's grade."""
    if reviewer.role not in (Role.TEACHER, Role.ADMIN):
        raise ValueError(f"{reviewer.username} is not a teacher.")
    attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
    first = attempt.reviews.order_by("created_at", "id").first()
    if first is not None:  # reviewed before: the model's grade is the one the first review kept
        model_label, model_score = first.model_label, first.model_score
        model_confidence, model_version = first.model_confidence, first.model_version
    elif attempt.grade_source == GradeSource.MODEL:
        model_label, model_score = attempt.label, attempt.score
        model_confidence, model_version = attempt.confidence, attempt.grader_version
    else:  # not graded by the model (yet): the teacher grades it first
        model_label, model_score, model_confidence, model_version = "", None, None, ""
    if accepted:
        if model_score is None:
            raise ValueError("This answer has no grade of the model to accept; give a label or a score.")
        label, score = model_label, model_score
    else:
        if label and label not in LABEL_CREDIT:
            raise ValueError(f"Unknown label {label!r}; expected one of {', '.join(LABEL_CREDIT)}.")
        if score is None:
            if not label:
                raise ValueError("Give a label or a score.")
            score = LABEL_CREDIT[label]
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"A score lies in [0, 1]; got {score!r}.")
    review = GradeReview.objects.create(
        attempt=attempt,
        reviewer=reviewer,
        model_label=model_label,
        model_score=model_score,
        model_confidence=model_confidence,
        model_version=model_version,
        label=label,
        score=score,
        accepted=accepted,
        comment=(comment or "").strip(),
    )
    attempt_grade(
        attempt.pk,
        score=score,
        label=label,
        confidence=model_confidence,
        feedback=attempt.feedback,
        source=GradeSource.TEACHER,
        grader_version=model_version,
        regrade=True,
    )
    return review
