"""The gradebook of a classroom (students x homework, with scores and status) and the
export of its answers: reads for the teacher's gradebook page, its CSV files and the REST
API, in a fixed number of queries whatever the class size."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from students import api as students_api
from students import selectors as student_selectors
from tutor.homework.models import (
    Assignment,
    Submission,
    SubmissionStatus,
)
from tutor.homework.selectors import (
    assignment_title,
    classroom_taught,
)


# --- the gradebook -----------------------------------------------------------------------------
@dataclass(frozen=True)
class GradebookCell:
    score: float | None  # credit over the homework's items, graded answers only
    status: str  # not_started, in_progress, submitted
    late: bool
    n_answered: int
    n_pending: int
    n_items: int

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)

    @property
    def status_text(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress", "submitted": "Submitted"}[
            self.status
        ]


@dataclass(frozen=True)
class Gradebook:
    classroom_id: int
    classroom_name: str
    assignments: list[Assignment]
    students: list[student_selectors.StudentBrief]
    cells: dict[tuple[int, int], GradebookCell]  # (student id, assignment id)

    def row(self, student_id: int) -> list[GradebookCell]:
        return [self.cells[(student_id, a.pk)] for a in self.assignments]


def gradebook(teacher, classroom_id) -> Gradebook | None:
    """Students x homework of one of the teacher's classrooms: each student's credit on each
    homework (the latest answer per item), its status and lateness. None when the classroom
    is not the teacher's. A fixed number of queries whatever the class size."""
    room = classroom_taught(teacher, classroom_id)
    if room is None:
        return None
    students = student_selectors.classroom_students([room.pk])[room.pk]
    assignments = list(
        Assignment.objects.filter(classroom_id=room.pk)
        .annotate(_n_items=Count("items"))
        .order_by("due_at", "id")
    )
    submissions = {
        (s.student_id, s.assignment_id): s for s in Submission.objects.filter(assignment__in=assignments)
    }
    by_context = {a.context: a for a in assignments}
    latest: dict[tuple[int, int, int], student_selectors.GradeView] = {}
    for answer in student_selectors.answers_in_contexts(
        list(by_context), student_ids=[s.pk for s in students]
    ):
        latest[(answer.student_id, by_context[answer.context].pk, answer.exercise_id)] = answer
    per_cell: dict[tuple[int, int], list] = {}
    for (student_id, assignment_id, _), answer in latest.items():
        per_cell.setdefault((student_id, assignment_id), []).append(answer)
    cells = {}
    for s in students:
        for a in assignments:
            answers = per_cell.get((s.pk, a.pk), [])
            graded = [x.score or 0.0 for x in answers if x.status != students_api.AttemptStatus.PENDING]
            sub = submissions.get((s.pk, a.pk))
            cells[(s.pk, a.pk)] = GradebookCell(
                score=(sum(graded) / a._n_items) if answers and a._n_items else None,
                status="submitted"
                if sub and sub.status == SubmissionStatus.SUBMITTED
                else ("in_progress" if sub else "not_started"),
                late=bool(sub and sub.late),
                n_answered=len(answers),
                n_pending=len(answers) - len(graded),
                n_items=a._n_items,
            )
    return Gradebook(
        classroom_id=room.pk,
        classroom_name=room.name,
        assignments=assignments,
        students=students,
        cells=cells,
    )


def attempts_export(teacher, classroom_id) -> list[dict] | None:
    """Every answer of the classroom's students in its courses, with its grade, for CSV."""
    room = classroom_taught(teacher, classroom_id)
    if room is None:
        return None
    students = student_selectors.classroom_students([room.pk])[room.pk]
    rows = student_selectors.attempts_for_export([s.pk for s in students], room.course_ids)
    titles = dict(Assignment.objects.filter(classroom_id=room.pk).values_list("pk", "title"))
    for row in rows:
        row["where"] = assignment_title(row["context"], titles)
    return rows
