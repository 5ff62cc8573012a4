"""Reads of homework: who may see which assignment, a student's homework and its released
grades, the review queue and the teacher's home (the gradebook is in ``gradebook``). The
attempt log is read through ``students.selectors``; every dashboard read here takes a fixed
number of queries whatever the class size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from content import api as content_api
from content import selectors as content_selectors
from students import api as students_api
from students import selectors as student_selectors
from tutor.homework.models import (
    Assignment,
    AssignmentItem,
    AssignmentMode,
    ReleaseRule,
    Submission,
    SubmissionStatus,
)

# Homework due within this many days counts as "due soon" on the teacher's home page.
DUE_SOON_DAYS = 7
REVIEW_PAGE_SIZE = 50
CONTEXT_PREFIX = "homework:"

LABEL_NAMES = {
    "correct": "Correct",
    "partially_correct_incomplete": "Partially correct",
    "contradictory": "Contradictory",
    "irrelevant": "Irrelevant",
    "non_domain": "Not about the subject",
}


def due_soon_days() -> int:
    return int(getattr(settings, "HOMEWORK_DUE_SOON_DAYS", DUE_SOON_DAYS))


# --- scope -------------------------------------------------------------------------------------
def classroom_taught(teacher, classroom_id) -> student_selectors.ClassroomRef | None:
    """One of the teacher's classrooms (owned or co-taught), or None."""
    for room in student_selectors.classrooms_taught(teacher):
        if room.pk == parse_id(classroom_id):
            return room
    return None


def parse_id(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def assignments_visible_to_teacher(teacher) -> QuerySet[Assignment]:
    return Assignment.objects.filter(classroom_id__in=student_selectors.teacher_classroom_ids(teacher))


def assignment_for_teacher(teacher, assignment_id) -> Assignment | None:
    pk = parse_id(assignment_id)
    if pk is None:
        return None
    return assignments_visible_to_teacher(teacher).filter(pk=pk).select_related("classroom").first()


def assignment_for_student(student, assignment_id) -> Assignment | None:
    """A homework of one of the student's classrooms, or None."""
    pk = parse_id(assignment_id)
    if pk is None or not getattr(student, "is_student", False):
        return None
    rooms = student_selectors.classroom_ids_of_student(student)
    return Assignment.objects.filter(pk=pk, classroom_id__in=rooms).select_related("concept").first()


def assignment_of_context(context: str) -> Assignment | None:
    if not context.startswith(CONTEXT_PREFIX):
        return None
    return Assignment.objects.filter(pk=parse_id(context[len(CONTEXT_PREFIX) :])).first()


def _students_of(teacher) -> list[int]:
    rooms = student_selectors.classroom_students(student_selectors.teacher_classroom_ids(teacher))
    return sorted({s.pk for students in rooms.values() for s in students})


def exercises_for_classroom(teacher, room: student_selectors.ClassroomRef, *, q: str = "", concept_id=None):
    """Published exercises of the classroom's courses (what homework may hold), searchable by
    title, slug or prompt, optionally of one concept."""
    qs = content_selectors.exercises_visible_to(teacher).filter(
        course_id__in=room.course_ids, status=content_api.Status.PUBLISHED
    )
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(slug__icontains=q) | Q(prompt__icontains=q))
    if parse_id(concept_id) is not None:
        qs = qs.filter(concepts__id=int(concept_id))
    return qs.distinct()


def concepts_for_classroom(room: student_selectors.ClassroomRef) -> list:
    return content_selectors.live_concepts(room.course_ids)


def concept_in_courses(concept_id: int, course_ids: Iterable[int]) -> bool:
    return any(c.pk == int(concept_id) for c in content_selectors.live_concepts(list(course_ids)))


# --- release -----------------------------------------------------------------------------------
def grades_visible(assignment: Assignment, now: datetime | None = None) -> bool:
    """Whether the students may see the grades of this homework now, by its release rule
    (a teacher's release shows them whatever the rule)."""
    now = now or timezone.now()
    if assignment.released_at is not None or assignment.release_rule == ReleaseRule.AT_ONCE:
        return True
    return (
        assignment.release_rule == ReleaseRule.ON_DATE
        and assignment.release_at is not None
        and (now >= assignment.release_at)
    )


def verdict_of(answer: student_selectors.GradeView) -> str:
    """pending, correct, partial or wrong (as the practice page says it)."""
    if answer.status == students_api.AttemptStatus.PENDING:
        return "pending"
    if answer.is_correct:
        return "correct"
    if answer.label:
        return "partial" if answer.label == "partially_correct_incomplete" else "wrong"
    return "partial" if answer.score else "wrong"


def _grade_dict(answer: student_selectors.GradeView) -> dict:
    graded = answer.status != students_api.AttemptStatus.PENDING
    return {
        "exercise": answer.exercise_id,
        "attempt": answer.attempt_id,
        "status": "graded" if graded else "pending",
        "verdict": verdict_of(answer),
        "score": answer.score if graded else None,
        "label": LABEL_NAMES.get(answer.label, "") if graded else "",
        "comment": answer.comment,
        "by_teacher": answer.grade_source == students_api.GradeSource.TEACHER,
    }


def released_grades(
    assignment: Assignment, *, student_ids: Iterable[int] | None = None
) -> dict[int, list[dict]]:
    """Every student's answers to this homework with the grade that counts and the
    teacher's comment, as the student may see them once released: never a reference answer,
    a correct option or a value."""
    out: dict[int, list[dict]] = {}
    for answer in student_selectors.answers_in_contexts([assignment.context], student_ids=student_ids):
        out.setdefault(answer.student_id, []).append(_grade_dict(answer))
    return out


def answered_exercise_ids(student, assignment: Assignment) -> set[int]:
    return {
        a.exercise_id
        for a in student_selectors.answers_in_contexts([assignment.context], student_ids=[student.pk])
    }


# --- the student's homework --------------------------------------------------------------------
@dataclass(frozen=True)
class HomeworkRow:
    pk: int
    title: str
    classroom: str
    opens_at: datetime
    due_at: datetime
    closes_at: datetime | None
    status: str  # not_open, to_do, in_progress, submitted, closed
    late: bool
    n_items: int
    n_answered: int
    grades_released: bool

    @property
    def status_text(self) -> str:
        return {
            "not_open": "Not open yet",
            "to_do": "To do",
            "in_progress": "In progress",
            "submitted": "Submitted",
            "closed": "Closed",
        }[self.status]


def _status(assignment: Assignment, submission: Submission | None, now: datetime) -> str:
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        return "submitted"
    if now < assignment.opens_at:
        return "not_open"
    if assignment.closes_at is not None and now > assignment.closes_at:
        return "closed"
    return "in_progress" if submission is not None else "to_do"


def homework_for_student(student, now: datetime | None = None) -> list[HomeworkRow]:
    """The student's homework in all their classrooms, soonest due first."""
    now = now or timezone.now()
    rooms = student_selectors.classroom_ids_of_student(student)
    assignments = list(
        Assignment.objects.filter(classroom_id__in=rooms)
        .select_related("classroom")
        .annotate(_n_items=Count("items"))
        .order_by("due_at", "id")
    )
    submissions = {
        s.assignment_id: s for s in Submission.objects.filter(assignment__in=assignments, student=student)
    }
    answered: dict[str, set[int]] = {}
    for a in student_selectors.answers_in_contexts(
        [x.context for x in assignments], student_ids=[student.pk]
    ):
        answered.setdefault(a.context, set()).add(a.exercise_id)
    rows = []
    for a in assignments:
        sub = submissions.get(a.pk)
        rows.append(
            HomeworkRow(
                pk=a.pk,
                title=a.title,
                classroom=a.classroom.name,
                opens_at=a.opens_at,
                due_at=a.due_at,
                closes_at=a.closes_at,
                status=_status(a, sub, now),
                late=bool(sub and sub.late),
                n_items=a._n_items,
                n_answered=len(answered.get(a.context, ())),
                grades_released=grades_visible(a, now),
            )
        )
    return rows


@dataclass(frozen=True)
class HomeworkItemView:
    number: int
    exercise_id: int
    title: str
    kind: str
    answered: bool
    grade: dict | None  # as released_grades gives it, when the student may see it
    n_answers: int = 0


@dataclass(frozen=True)
class HomeworkDetail:
    assignment: Assignment
    status: str
    late: bool
    submitted_at: datetime | None
    grades_released: bool
    items: tuple[HomeworkItemView, ...]
    current: content_api.StudentExercise | None  # the item to answer next, without its answers
    current_number: int | None
    mastery: list = field(default_factory=list)  # mastery mode: the concept's mastery

    @property
    def accepts_answers(self) -> bool:
        return self.status in ("to_do", "in_progress")

    @property
    def n_answered(self) -> int:
        return sum(1 for i in self.items if i.answered)


def homework_detail(student, assignment: Assignment, now: datetime | None = None) -> HomeworkDetail:
    """One homework as its student sees it: the items, what they answered, the grades and
    comments once released (until then "submitted, being reviewed"), the next item."""
    now = now or timezone.now()
    items = list(AssignmentItem.objects.filter(assignment=assignment).select_related("exercise"))
    submission = Submission.objects.filter(assignment=assignment, student=student).first()
    status = _status(assignment, submission, now)
    visible = grades_visible(assignment, now)
    answers: dict[int, list] = {}
    for a in student_selectors.answers_in_contexts([assignment.context], student_ids=[student.pk]):
        answers.setdefault(a.exercise_id, []).append(a)
    views = []
    for number, item in enumerate(items, start=1):
        own = answers.get(item.exercise_id, [])
        views.append(
            HomeworkItemView(
                number=number,
                exercise_id=item.exercise_id,
                title=item.exercise.title or f"Item {number}",
                kind=item.exercise.get_kind_display(),
                answered=bool(own),
                grade=_grade_dict(own[-1]) if own and visible else None,
                n_answers=len(own),
            )
        )
    current, current_number = None, None
    if status in ("to_do", "in_progress") and items:
        if assignment.mode == AssignmentMode.MASTERY:
            # Practise until mastered: the item answered least often comes next.
            pick = min(views, key=lambda v: (v.n_answers, v.number))
        else:
            pick = next((v for v in views if not v.answered), None)
        if pick is not None:
            exercise = content_selectors.exercise_with_course(pick.exercise_id)
            current, current_number = content_api.exercise_for_student(exercise), pick.number
    mastery = []
    if assignment.mode == AssignmentMode.MASTERY and assignment.concept is not None:
        concept = assignment.concept
        mastery = student_selectors.concept_mastery(student, [concept], concept.course)
    return HomeworkDetail(
        assignment=assignment,
        status=status,
        late=bool(submission and submission.late),
        submitted_at=submission.submitted_at if submission else None,
        grades_released=visible,
        items=tuple(views),
        current=current,
        current_number=current_number,
        mastery=mastery,
    )


# --- the teacher's assignments -----------------------------------------------------------------
def assignments_for_teacher(teacher, *, classroom_id=None) -> list[Assignment]:
    qs = assignments_visible_to_teacher(teacher)
    if classroom_id is not None:
        qs = qs.filter(classroom_id=parse_id(classroom_id))
    return list(
        qs.select_related("classroom")
        .annotate(
            n_items=Count("items", distinct=True),
            n_submitted=Count(
                "submissions", filter=Q(submissions__status=SubmissionStatus.SUBMITTED), distinct=True
            ),
        )
        .order_by("-due_at", "-id")
    )


# --- the review queue --------------------------------------------------------------------------
@dataclass(frozen=True)
class ReviewFilters:
    assignment_id: int | None = None
    exercise_id: int | None = None
    label: str = ""
    reviewed: bool | None = None

    def as_kwargs(self, teacher) -> dict | None:
        """Filters for the student model's queue; None when the homework is not the
        teacher's (the queue is empty, not someone else's)."""
        kwargs: dict = {"exercise_id": self.exercise_id, "label": self.label, "reviewed": self.reviewed}
        if self.assignment_id is not None:
            assignment = assignment_for_teacher(teacher, self.assignment_id)
            if assignment is None:
                return None
            kwargs["contexts"] = [assignment.context]
        return kwargs


@dataclass(frozen=True)
class ReviewQueue:
    rows: list
    total: int
    assignments: list  # (pk, title) to filter by
    exercises: list  # (pk, title) to filter by
    labels: list  # (value, name)


def review_queue(
    teacher, filters: ReviewFilters, *, limit: int = REVIEW_PAGE_SIZE, offset: int = 0
) -> ReviewQueue:
    """The free-text answers of the teacher's classrooms' students (homework and practice),
    lowest confidence first. A fixed number of queries whatever the number of students."""
    students = _students_of(teacher)
    assignments = [(a.pk, a.title) for a in assignments_visible_to_teacher(teacher).order_by("-due_at")]
    kwargs = filters.as_kwargs(teacher)
    if kwargs is None:
        rows, total = [], 0
    else:
        rows = student_selectors.review_queue_rows(students, limit=limit, offset=offset, **kwargs)
        total = student_selectors.review_queue_count(students, **kwargs)
    exercises = sorted({(r.exercise_id, r.exercise_title) for r in rows}, key=lambda e: e[1])
    labels = [("pending", "Not graded yet"), *LABEL_NAMES.items()]
    return ReviewQueue(rows=rows, total=total, assignments=assignments, exercises=exercises, labels=labels)


def review_row_for(teacher, attempt_id) -> student_selectors.ReviewRow | None:
    pk = parse_id(attempt_id)
    if pk is None:
        return None
    return student_selectors.review_row(pk, _students_of(teacher))


def bulk_accept_ids(teacher, *, min_confidence: float, filters: ReviewFilters | None = None) -> list[int]:
    """The answers a bulk accept at this confidence would accept: graded by the model, at
    or above the confidence, not reviewed by any teacher."""
    kwargs = (filters or ReviewFilters()).as_kwargs(teacher)
    if kwargs is None:
        return []
    kwargs.update(reviewed=False, min_confidence=min_confidence)
    if kwargs.get("label") == "pending":
        return []
    return student_selectors.review_queue_ids(_students_of(teacher), **kwargs)


def assignment_title(context: str, titles: dict[int, str]) -> str:
    if context.startswith(CONTEXT_PREFIX):
        return titles.get(parse_id(context[len(CONTEXT_PREFIX) :]) or 0, "Homework")
    return "Practice"


# --- the teacher's home ------------------------------------------------------------------------
@dataclass(frozen=True)
class DueSoon:
    assignment: Assignment
    n_students: int
    n_submitted: int


@dataclass(frozen=True)
class TeacherHome:
    to_review: int
    to_review_pending: int
    due_soon: list[DueSoon]
    stuck: list  # students.selectors.StuckStudent
    classrooms: list


def teacher_home(teacher, now: datetime | None = None) -> TeacherHome:
    """What waits for the teacher: answers to review, homework due soon, stuck students."""
    now = now or timezone.now()
    rooms = student_selectors.classrooms_taught(teacher)
    members = student_selectors.classroom_students([r.pk for r in rooms])
    students = sorted({s.pk for group in members.values() for s in group})
    soon = (
        Assignment.objects.filter(
            classroom_id__in=[r.pk for r in rooms],
            due_at__gte=now,
            due_at__lte=now + timedelta(days=due_soon_days()),
        )
        .select_related("classroom")
        .annotate(n_submitted=Count("submissions", filter=Q(submissions__status=SubmissionStatus.SUBMITTED)))
        .order_by("due_at")
    )
    return TeacherHome(
        to_review=student_selectors.review_queue_count(students, reviewed=False),
        to_review_pending=student_selectors.review_queue_count(students, reviewed=False, label="pending"),
        due_soon=[DueSoon(a, len(members.get(a.classroom_id, [])), a.n_submitted) for a in soon],
        stuck=student_selectors.stuck_students(teacher),
        classrooms=rooms,
    )


def open_homework_exercise_ids(student, now: datetime | None = None) -> set[int]:
    """The exercises of the student's homework that can still come back to them (open, or
    not open yet, and not submitted): practice feedback and the assistant must not give
    away their reference answers, correct options or values."""
    now = now or timezone.now()
    rooms = student_selectors.classroom_ids_of_student(student)
    open_ = (
        Assignment.objects.filter(classroom_id__in=rooms)
        .exclude(closes_at__lt=now)
        .exclude(
            pk__in=Submission.objects.filter(student=student, status=SubmissionStatus.SUBMITTED).values(
                "assignment_id"
            )
        )
    )
    return set(AssignmentItem.objects.filter(assignment__in=open_).values_list("exercise_id", flat=True))
