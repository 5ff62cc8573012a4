"""Reads of the student model: classrooms, the knowledge state and its history, the
attempt log. Other apps read the student model here (or through ``students.api``); what
crosses the border is plain frozen data, not rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, Sum

from content import api as content_api
from content import selectors as content_selectors
from students.knowledge import concept_params, default_params, revealing_attempts
from students.kt.model import AbilityState, ItemState
from students.models import (
    Attempt,
    AttemptStatus,
    Classroom,
    ItemParameters,
    KnowledgeHistory,
    KnowledgeState,
    StudentAbility,
    User,
)


@dataclass(frozen=True)
class ClassroomSummary:
    pk: int
    name: str
    join_code: str
    n_students: int
    course_titles: tuple[str, ...]


def classrooms_for_teacher(user: User) -> list[ClassroomSummary]:
    """The classrooms a teacher owns or co-teaches; an admin sees every classroom."""
    rooms = (
        classrooms_visible_to(user)
        .annotate(_n_students=Count("students", distinct=True))
        .prefetch_related("courses")
    )
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
    room = classroom_for_teacher(user, classroom_id)
    if room is None:
        return None
    courses = list(room.courses.all())
    concepts = content_selectors.live_concepts(courses)
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
    base = Attempt.objects.filter(exercise__kind=content_api.ExerciseKind.FREE_TEXT).select_related(
        "exercise"
    )
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
    references = content_selectors.reference_answer_texts({a.exercise_id for a in chosen})
    return [
        AnswerToGrade(
            attempt_id=a.pk,
            question=a.exercise.prompt,
            reference_answers=tuple(references.get(a.exercise_id, ())),
            text=a.response.get("text", ""),
        )
        for a in chosen
    ]


# --- the knowledge state, as the tutor's policy reads it --------------------------------------
@dataclass(frozen=True)
class KnowledgeRow:
    """One student's knowledge state of one concept."""

    concept_id: int
    mastery: float
    n_attempts: int
    error_streak: int
    first_practiced_at: datetime | None
    last_practiced_at: datetime | None
    review_due_at: datetime | None
    mastered: bool  # in spaced review (reached the mastery threshold and has not fallen below)


def knowledge_for_course(student: User, course_id: int) -> dict[int, KnowledgeRow]:
    """The student's knowledge state of every practised concept of the course, in one query
    filtered by course (a course may have more concepts than a query may have parameters)."""
    return {
        row[0]: KnowledgeRow(*row[:-1], mastered=row[-1] is not None)
        for row in KnowledgeState.objects.filter(student=student, concept__course_id=course_id).values_list(
            "concept_id",
            "mastery",
            "n_attempts",
            "error_streak",
            "first_practiced_at",
            "last_practiced_at",
            "review_due_at",
            "mastered_at",
        )
    }


@dataclass(frozen=True)
class AnswerRow:
    """One answer of the log as the policy sees it."""

    exercise_id: int
    pending: bool
    score: float | None
    response_seconds: float | None
    expected_seconds: float
    answered_at: datetime


_ANSWER_FIELDS = (
    "exercise_id",
    "status",
    "score",
    "response_seconds",
    "exercise__expected_seconds",
    "created_at",
)


def answers_in_course(student: User, course_id: int, *, since: datetime, earlier: int) -> list[AnswerRow]:
    """The student's answers in the course from ``since`` on, preceded by the ``earlier``
    answers before it, oldest first."""
    attempts = Attempt.objects.filter(student=student, exercise__course_id=course_id)
    rows = list(
        attempts.filter(created_at__gte=since).order_by("created_at", "id").values_list(*_ANSWER_FIELDS)
    )
    before = list(
        attempts.filter(created_at__lt=since)
        .order_by("-created_at", "-id")
        .values_list(*_ANSWER_FIELDS)[:earlier]
    )
    return [
        AnswerRow(
            exercise_id=exercise_id,
            pending=status == AttemptStatus.PENDING,
            score=score,
            response_seconds=response_seconds,
            expected_seconds=float(expected_seconds),
            answered_at=created_at,
        )
        for exercise_id, status, score, response_seconds, expected_seconds, created_at in list(
            reversed(before)
        )
        + rows
    ]


def ability_of(student: User) -> AbilityState:
    """The student's general ability (Elo), or the starting ability."""
    row = StudentAbility.objects.filter(student=student).values_list("ability", "n_attempts").first()
    return AbilityState(*row) if row else AbilityState()


def item_states(exercise_ids: Iterable[int]) -> dict[int, ItemState]:
    """The difficulty estimates of these exercises that have one."""
    return {
        exercise_id: ItemState(difficulty, n)
        for exercise_id, difficulty, n in ItemParameters.objects.filter(
            exercise_id__in=set(exercise_ids)
        ).values_list("exercise_id", "difficulty", "n_attempts")
    }


# --- the student's progress, for their pages ---------------------------------------------------
@dataclass(frozen=True)
class ConceptMastery:
    concept_id: int
    slug: str
    name: str
    mastery: float
    mastered: bool
    n_attempts: int
    review_due_at: datetime | None

    @property
    def percent(self) -> int:
        return round(self.mastery * 100)


def concept_mastery(student: User, concepts: list, course) -> list[ConceptMastery]:
    """The student's mastery of each of these concepts of the course (P(L0) where never
    practised); mastered means in review and at the course's mastery threshold."""
    params = concept_params(c.pk for c in concepts)
    fallback = default_params()
    states = {s.concept_id: s for s in KnowledgeState.objects.filter(student=student, concept__in=concepts)}
    threshold = content_api.course_settings_for(course).mastery_threshold
    out = []
    for c in concepts:
        s = states.get(c.pk)
        mastery = s.mastery if s else params.get(c.pk, fallback).p_init
        out.append(
            ConceptMastery(
                concept_id=c.pk,
                slug=c.slug,
                name=c.name,
                mastery=mastery,
                mastered=bool(s and s.mastered_at is not None and mastery >= threshold),
                n_attempts=s.n_attempts if s else 0,
                review_due_at=s.review_due_at if s else None,
            )
        )
    return out


def course_mastery(student: User, course) -> list[ConceptMastery]:
    return concept_mastery(student, content_selectors.live_concepts([course]), course)


def mastery_history(student: User, course) -> dict[str, dict[str, list]]:
    """Per concept name: the times and mastery values after each update, for a chart."""
    rows = (
        KnowledgeHistory.objects.filter(student=student, concept__course=course)
        .select_related("concept")
        .order_by("created_at", "id")
    )
    series: dict[str, dict[str, list]] = {}
    for row in rows:
        s = series.get(row.concept.name)
        if s is None:  # start each line where the concept stood before its first answer
            s = series[row.concept.name] = {
                "x": [row.created_at.isoformat()],
                "y": [round(row.mastery_before, 4)],
            }
        s["x"].append(row.created_at.isoformat())
        s["y"].append(round(row.mastery, 4))
    return series


@dataclass(frozen=True)
class OptionResult:
    text: str
    chosen: bool
    correct: bool
    feedback: str


@dataclass(frozen=True)
class MasteryChange:
    name: str
    before: float
    after: float

    @property
    def before_percent(self) -> int:
        return round(self.before * 100)

    @property
    def after_percent(self) -> int:
        return round(self.after * 100)


@dataclass(frozen=True)
class AttemptResult:
    attempt_id: int
    course_slug: str
    exercise_title: str
    prompt: str
    kind: str
    status: str
    score: float | None
    correct: bool | None
    response: dict
    options: tuple[OptionResult, ...]
    expected: str
    feedback: dict
    grade_source: str
    changes: tuple[MasteryChange, ...]
    reason: dict
    label: str = ""  # the grader's (or teacher's) 5-way label of a free-text answer
    context: str = ""  # where the answer was given ("practice:12", "homework:3")

    @property
    def pending(self) -> bool:
        return self.status == AttemptStatus.PENDING

    @property
    def verdict(self) -> str:
        """pending, correct, partial or wrong: what the page's heading says. A labelled
        answer follows its label (only "partially correct" is partly right: a contradictory
        answer with some credit is still wrong), a scored one its score."""
        if self.pending:
            return "pending"
        if self.correct:
            return "correct"
        if self.label:
            return "partial" if self.label == "partially_correct_incomplete" else "wrong"
        return "partial" if self.score else "wrong"


def attempt_result_for(student: User, attempt_id: int) -> AttemptResult | None:
    """One of the student's own answers with its grade and what it changed; None for an
    answer that is not theirs (the caller answers 404)."""
    attempt = (
        Attempt.objects.filter(pk=attempt_id, student=student)
        .select_related("exercise__course")
        .prefetch_related("exercise__choices")
        .first()
    )
    if attempt is None:
        return None
    exercise = attempt.exercise
    chosen = {c.get("text") for c in attempt.response.get("choices", [])}
    options = tuple(
        OptionResult(text=o.text, chosen=o.text in chosen, correct=o.is_correct, feedback=o.feedback)
        for o in exercise.choices.all()
    )
    expected = ""
    if exercise.kind == content_api.ExerciseKind.NUMERIC and not attempt.is_correct:
        expected = f"{exercise.numeric_value:g}{(' ' + exercise.unit) if exercise.unit else ''}"
    changes = tuple(
        MasteryChange(name=h.concept.name, before=h.mastery_before, after=h.mastery)
        for h in KnowledgeHistory.objects.filter(attempt=attempt).select_related("concept").order_by("id")
    )
    return AttemptResult(
        attempt_id=attempt.pk,
        course_slug=exercise.course.slug,
        exercise_title=exercise.title or exercise.slug,
        prompt=exercise.prompt,
        kind=exercise.kind,
        status=attempt.status,
        score=attempt.score,
        correct=attempt.is_correct,
        response=attempt.response,
        options=options if exercise.kind == content_api.ExerciseKind.MULTIPLE_CHOICE else (),
        expected=expected,
        # The student's part: never what the grader keeps for teachers (``for_teacher``, and
        # the closest reference and its key terms of grades stored before it was set apart).
        feedback={
            key: value
            for key, value in (attempt.feedback or {}).items()
            if key not in ("for_teacher", "closest_reference", "missing_terms")
        },
        grade_source=attempt.get_grade_source_display() if attempt.grade_source else "",
        changes=changes,
        reason=attempt.reason,
        label=attempt.label or "",
        context=attempt.context,
    )


# --- answers waiting for a grade ----------------------------------------------------------------
def answers_pending_since(before: datetime, *, limit: int) -> list[int]:
    """Ids of the answers still pending (waiting for a grade) that were given before
    ``before``, oldest first, at most ``limit`` (the grading sweeper re-queues them)."""
    pending = Attempt.objects.filter(status=AttemptStatus.PENDING, created_at__lt=before)
    return list(pending.order_by("created_at", "id").values_list("pk", flat=True)[:limit])


# --- homework, the review of grades, the gradebook: kept in ``students.teaching`` ---------------
from students.teaching import (  # noqa: E402, F401  re-exported: other apps read them here
    LABEL_3WAY,
    LABEL_CREDIT,
    ClassroomRef,
    GraderAgreement,
    GradeView,
    ReviewRow,
    StudentBrief,
    answers_in_contexts,
    attempts_for_export,
    classroom_ids_of_student,
    classroom_students,
    classrooms_taught,
    grader_agreement_by_version,
    review_queue_count,
    review_queue_ids,
    review_queue_rows,
    review_row,
    teacher_classroom_ids,
)


# --- classrooms as a student sees them; the teacher's dashboards (``students.dashboards``) ------
@dataclass(frozen=True)
class JoinedClassroom:
    pk: int
    name: str
    teacher_name: str
    course_titles: tuple[str, ...]


def classrooms_of_student(student: User) -> list[JoinedClassroom]:
    """The classrooms a student is in, by name (no join codes, no classmates)."""
    rooms = Classroom.objects.filter(students=student).select_related("teacher").prefetch_related("courses")
    return [
        JoinedClassroom(
            pk=r.pk,
            name=r.name,
            teacher_name=r.teacher.get_full_name() or r.teacher.username,
            course_titles=tuple(c.title for c in r.courses.all()),
        )
        for r in rooms
    ]


from students.dashboards import (  # noqa: E402, F401  re-exported: other apps read the dashboards here
    ClassroomHeatmap,
    ClassroomRoster,
    ItemAnalysis,
    StuckStudent,
    StudentPage,
    classroom_for_teacher,
    classroom_heatmap,
    classroom_roster,
    classroom_stuck_students,
    classrooms_visible_to,
    item_analysis,
    stuck_students,
    student_page,
)

# --- answers shown and independent evidence, as the tutor's policy reads them --------------------


@dataclass(frozen=True)
class RevealRow:
    """The last time the student was shown an exercise's answer (``revealing_attempts``),
    and how many answers in the course they gave after it (counted up to ``items``)."""

    exercise_id: int
    revealed_at: datetime
    answers_since: int


def reveals_in_course(student: User, course_id: int, *, items: int) -> list[RevealRow]:
    """Every exercise of the course whose answer the student has been shown, with when it
    was last shown and the answers given since (up to ``items``, the course's hold window):
    two queries filtered by course, one grouped by exercise, one of the last ``items`` answers."""
    attempts = Attempt.objects.filter(student=student, exercise__course_id=course_id)
    last_shown = (
        attempts.filter(revealing_attempts())
        .values("exercise_id")
        .annotate(at=Max("created_at"))
        .values_list("exercise_id", "at")
    )
    recent = list(attempts.order_by("-created_at", "-id").values_list("created_at", flat=True)[:items])
    return [
        RevealRow(exercise_id=e, revealed_at=at, answers_since=sum(1 for t in recent if t > at))
        for e, at in last_shown
    ]


@dataclass(frozen=True)
class EvidenceRow:
    """The independent evidence behind a concept's mastery (``students.learning``)."""

    concept_id: int
    independent_correct: int
    credited: tuple[int, ...]  # the exercises counted


def evidence_for_course(student: User, course_id: int) -> dict[int, EvidenceRow]:
    """Per practised concept of the course: right answers given on the student's own, one
    per exercise, and those exercises; one query filtered by course."""
    return {
        concept_id: EvidenceRow(concept_id, n, tuple(credited or ()))
        for concept_id, n, credited in KnowledgeState.objects.filter(
            student=student, concept__course_id=course_id
        ).values_list("concept_id", "independent_correct", "credited_exercises")
    }
