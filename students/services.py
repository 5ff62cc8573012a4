"""Writes of the student model: accounts and classrooms, the attempt log and its grades,
and fitting the model's parameters to the log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
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
    """What the student's page needs to show a grade that arrived later."""
    return {
        "type": "grade.ready",
        "attempt": attempt.pk,
        "status": attempt.status,
        "score": attempt.score,
        "correct": attempt.is_correct,
        "label": attempt.label,
        "confidence": attempt.confidence,
        "feedback": attempt.feedback,
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
