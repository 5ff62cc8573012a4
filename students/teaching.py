"""Reads behind the teacher's work on homework: classroom membership (owners and
co-teachers), the review queue of free-text answers, answers given in a homework with the
grade that counts, CSV rows of the attempt log, and the grader's agreement with teachers.
Other apps read these through ``students.selectors``, which re-exports them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q

from content import api as content_api
from content import selectors as content_selectors
from students.models import Attempt, AttemptStatus, Classroom, GradeReview, GradeSource, Role, User

# --- homework, the review of grades, the gradebook (read by tutor.homework) --------------------
# The SemEval-2013 label folds, as modeling/grader/labels.py holds them: the student model
# sits below modeling and cannot import them, and it needs them to turn a teacher's label
# into credit and to count agreement on the 3-way labels.
LABEL_CREDIT: dict[str, float] = {
    "correct": 1.0,
    "partially_correct_incomplete": 0.5,
    "contradictory": 0.0,
    "irrelevant": 0.0,
    "non_domain": 0.0,
}
LABEL_3WAY: dict[str, str] = {
    "correct": "correct",
    "partially_correct_incomplete": "incorrect",
    "contradictory": "contradictory",
    "irrelevant": "incorrect",
    "non_domain": "incorrect",
}


def _taught_by(user: User):
    if user.role == Role.ADMIN:
        return Classroom.objects.all()
    return Classroom.objects.filter(Q(teacher=user) | Q(co_teachers=user)).distinct()


def teacher_classroom_ids(user: User) -> set[int]:
    """The classrooms a teacher owns or co-teaches; every classroom for an admin; none for
    anyone else."""
    if user.role not in (Role.TEACHER, Role.ADMIN):
        return set()
    return set(_taught_by(user).values_list("pk", flat=True))


@dataclass(frozen=True)
class ClassroomRef:
    pk: int
    name: str
    course_ids: tuple[int, ...]


def classrooms_taught(user: User) -> list[ClassroomRef]:
    """The classrooms a teacher owns or co-teaches (every one for an admin), by name."""
    if user.role not in (Role.TEACHER, Role.ADMIN):
        return []
    rooms = _taught_by(user).order_by("name", "pk").prefetch_related("courses")
    return [ClassroomRef(r.pk, r.name, tuple(c.pk for c in r.courses.all())) for r in rooms]


@dataclass(frozen=True)
class StudentBrief:
    pk: int
    username: str
    name: str


def classroom_students(classroom_ids: Iterable[int]) -> dict[int, list[StudentBrief]]:
    """The students of each classroom, by name, in one query."""
    out: dict[int, list[StudentBrief]] = {pk: [] for pk in classroom_ids}
    rows = (
        Classroom.students.through.objects.filter(classroom_id__in=list(out))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    for row in rows:
        u = row.user
        out[row.classroom_id].append(StudentBrief(u.pk, u.username, u.get_full_name() or u.username))
    return out


def classroom_ids_of_student(student: User) -> set[int]:
    """The classrooms a student is in."""
    return set(Classroom.objects.filter(students=student).values_list("pk", flat=True))


@dataclass(frozen=True)
class ReviewRow:
    """One free-text answer as the review queue shows it. ``model_*`` is the grader's grade
    as it stood before any teacher's review; ``label``/``score`` the grade that counts now."""

    attempt_id: int
    student_id: int
    student_name: str
    exercise_id: int
    exercise_title: str
    question: str
    reference_answers: tuple[str, ...]
    answer: str
    context: str
    status: str
    label: str
    score: float | None
    grade_source: str
    model_label: str
    model_score: float | None
    confidence: float | None
    model_version: str
    feedback: dict
    reviewed: bool
    comment: str
    answered_at: datetime


def _review_queryset(
    student_ids: Iterable[int],
    *,
    contexts: Iterable[str] | None = None,
    context_prefix: str = "",
    exercise_id: int | None = None,
    label: str = "",
    reviewed: bool | None = None,
    min_confidence: float | None = None,
):
    reviewed_expr = Exists(GradeReview.objects.filter(attempt=OuterRef("pk")))
    qs = Attempt.objects.filter(
        student_id__in=list(student_ids), exercise__kind=content_api.ExerciseKind.FREE_TEXT
    ).annotate(_reviewed=reviewed_expr)
    if contexts is not None:
        qs = qs.filter(context__in=list(contexts))
    if context_prefix:
        qs = qs.filter(context__startswith=context_prefix)
    if exercise_id is not None:
        qs = qs.filter(exercise_id=exercise_id)
    if label == "pending":
        qs = qs.filter(status=AttemptStatus.PENDING)
    elif label:
        qs = qs.filter(label=label)
    if reviewed is not None:
        qs = qs.filter(_reviewed=reviewed)
    if min_confidence is not None:
        qs = qs.filter(confidence__gte=min_confidence)
    return qs


def review_queue_rows(
    student_ids: Iterable[int], *, limit: int = 100, offset: int = 0, **filters
) -> list[ReviewRow]:
    """The free-text answers of these students, lowest confidence first (answers not graded
    yet, which have none, before all), then oldest first. Filters: ``contexts`` (exact),
    ``context_prefix``, ``exercise_id``, ``label`` ("pending" for ungraded), ``reviewed``,
    ``min_confidence``. Four queries whatever the number of rows."""
    attempts = list(
        _review_queryset(student_ids, **filters)
        .select_related("student", "exercise")
        .order_by(F("confidence").asc(nulls_first=True), "created_at", "id")[offset : offset + limit]
    )
    return _review_rows(attempts)


def review_queue_count(student_ids: Iterable[int], **filters) -> int:
    return _review_queryset(student_ids, **filters).count()


def review_queue_ids(student_ids: Iterable[int], **filters) -> list[int]:
    return list(_review_queryset(student_ids, **filters).order_by("pk").values_list("pk", flat=True))


def review_row(attempt_id: int, student_ids: Iterable[int]) -> ReviewRow | None:
    """One free-text answer of these students, or None (the caller answers 404)."""
    attempts = list(_review_queryset(student_ids).filter(pk=attempt_id).select_related("student", "exercise"))
    rows = _review_rows(attempts)
    return rows[0] if rows else None


def _review_rows(attempts: list) -> list[ReviewRow]:
    references = content_selectors.reference_answer_texts({a.exercise_id for a in attempts})
    reviews: dict[int, list] = {}
    for review in GradeReview.objects.filter(attempt__in=[a.pk for a in attempts]).order_by(
        "created_at", "id"
    ):
        reviews.setdefault(review.attempt_id, []).append(review)
    rows = []
    for a in attempts:
        own = reviews.get(a.pk, [])
        first = own[0] if own else None
        modelled = a.grade_source == GradeSource.MODEL
        rows.append(
            ReviewRow(
                attempt_id=a.pk,
                student_id=a.student_id,
                student_name=a.student.get_full_name() or a.student.username,
                exercise_id=a.exercise_id,
                exercise_title=a.exercise.title or a.exercise.slug,
                question=a.exercise.prompt,
                reference_answers=tuple(references.get(a.exercise_id, ())),
                answer=a.response.get("text", ""),
                context=a.context,
                status=a.status,
                label=a.label,
                score=a.score,
                grade_source=a.grade_source,
                model_label=first.model_label if first else (a.label if modelled else ""),
                model_score=first.model_score if first else (a.score if modelled else None),
                confidence=first.model_confidence if first else a.confidence,
                model_version=first.model_version if first else a.grader_version,
                feedback=a.feedback or {},
                reviewed=bool(own) or a.grade_source == GradeSource.TEACHER,
                comment=own[-1].comment if own else "",
                answered_at=a.created_at,
            )
        )
    return rows


@dataclass(frozen=True)
class GradeView:
    """One answer given in a context (a homework) with the grade that counts and the
    latest teacher's comment; what a gradebook or the student's homework page reads."""

    attempt_id: int
    student_id: int
    exercise_id: int
    context: str
    kind: str
    response: dict
    status: str
    score: float | None
    is_correct: bool | None
    label: str
    grade_source: str
    confidence: float | None
    grader_version: str
    reviewed: bool
    comment: str
    answered_at: datetime


def answers_in_contexts(
    contexts: Iterable[str], *, student_ids: Iterable[int] | None = None
) -> list[GradeView]:
    """The answers given in these contexts (of these students), oldest first; two queries."""
    qs = Attempt.objects.filter(context__in=list(contexts)).select_related("exercise")
    if student_ids is not None:
        qs = qs.filter(student_id__in=list(student_ids))
    attempts = list(qs.order_by("created_at", "id"))
    comments: dict[int, str] = {}
    reviewed: set[int] = set()
    for attempt_id, comment in (
        GradeReview.objects.filter(attempt__in=[a.pk for a in attempts])
        .order_by("created_at", "id")
        .values_list("attempt_id", "comment")
    ):
        comments[attempt_id] = comment
        reviewed.add(attempt_id)
    return [
        GradeView(
            attempt_id=a.pk,
            student_id=a.student_id,
            exercise_id=a.exercise_id,
            context=a.context,
            kind=a.exercise.kind,
            response=a.response,
            status=a.status,
            score=a.score,
            is_correct=a.is_correct,
            label=a.label,
            grade_source=a.grade_source,
            confidence=a.confidence,
            grader_version=a.grader_version,
            reviewed=a.pk in reviewed or a.grade_source == GradeSource.TEACHER,
            comment=comments.get(a.pk, ""),
            answered_at=a.created_at,
        )
        for a in attempts
    ]


def attempts_for_export(student_ids: Iterable[int], course_ids: Iterable[int]) -> list[dict]:
    """Every answer of these students in these courses, with its grade and latest comment,
    oldest first, as flat rows for a CSV file; a fixed number of queries."""
    attempts = list(
        Attempt.objects.filter(student_id__in=list(student_ids), exercise__course_id__in=list(course_ids))
        .select_related("student", "exercise")
        .order_by("created_at", "id")
    )
    comments = dict(
        GradeReview.objects.filter(attempt__in=[a.pk for a in attempts])
        .order_by("created_at", "id")
        .values_list("attempt_id", "comment")
    )
    return [
        {
            "attempt": a.pk,
            "student": a.student.username,
            "exercise": a.exercise.slug,
            "kind": a.exercise.kind,
            "context": a.context,
            "answered_at": a.created_at.isoformat(),
            "answer": a.response.get("text")
            or a.response.get("raw")
            or ", ".join(str(c.get("text", "")) for c in a.response.get("choices", [])),
            "status": a.status,
            "score": "" if a.score is None else round(a.score, 4),
            "label": a.label,
            "grade_source": a.grade_source,
            "confidence": "" if a.confidence is None else round(a.confidence, 4),
            "grader_version": a.grader_version,
            "teacher_comment": comments.get(a.pk, ""),
        }
        for a in attempts
    ]


@dataclass(frozen=True)
class GraderAgreement:
    """How often teachers agreed with one grader version: a review agrees when the teacher
    accepted the model's grade or gave a label with the model's 3-way label."""

    version: str
    n_reviews: int
    n_agreed: int

    @property
    def share(self) -> float | None:
        return self.n_agreed / self.n_reviews if self.n_reviews else None


def grader_agreement_by_version() -> list[GraderAgreement]:
    """Per grader version that teachers reviewed (newest review first): the share of reviews
    that agreed with the model ("AI agreement"). One query."""
    counts: dict[str, list[int]] = {}
    last_seen: dict[str, object] = {}
    for version, accepted, model_label, label, created_at in (
        GradeReview.objects.exclude(model_version="")
        .order_by("created_at", "id")
        .values_list("model_version", "accepted", "model_label", "label", "created_at")
    ):
        agreed = accepted or (
            bool(model_label) and bool(label) and LABEL_3WAY.get(model_label) == LABEL_3WAY.get(label)
        )
        pair = counts.setdefault(version, [0, 0])
        pair[0] += 1
        pair[1] += int(agreed)
        last_seen[version] = created_at
    order = sorted(counts, key=lambda v: last_seen[v], reverse=True)
    return [GraderAgreement(version=v, n_reviews=counts[v][0], n_agreed=counts[v][1]) for v in order]
