"""The classroom x concept mastery heatmap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, Sum

from content import selectors as content_selectors
from students.dashboards.common import classroom_for_teacher, student_name
from students.models import Attempt, AttemptStatus, KnowledgeState, User


# --- the heatmap ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ConceptColumn:
    concept_id: int
    name: str
    course_title: str


@dataclass(frozen=True)
class HeatmapRow:
    student_id: int
    name: str
    n_attempts: int
    accuracy: float | None
    last_active: datetime | None
    pending: int
    mastery: tuple[float | None, ...]  # one per concept column; None = never practised


@dataclass(frozen=True)
class ClassroomHeatmap:
    pk: int
    name: str
    owner_id: int
    join_code: str
    courses: tuple[str, ...]
    concepts: tuple[ConceptColumn, ...]
    rows: tuple[HeatmapRow, ...]


def classroom_heatmap(user: User, classroom_id: int) -> ClassroomHeatmap | None:
    """Mastery of every student of the classroom on every live concept of its courses, with
    activity figures; six queries."""
    room = classroom_for_teacher(user, classroom_id)
    if room is None:
        return None
    courses = list(room.courses.all())
    concepts = content_selectors.live_concepts(courses)
    titles = {c.pk: c.title for c in courses}
    concept_ids = [c.pk for c in concepts]
    students = list(
        room.students.order_by("last_name", "first_name", "username").values_list(
            "pk", "first_name", "last_name", "username"
        )
    )
    members = room.students.values("pk")
    mastery = {
        (s, c): m
        for s, c, m in KnowledgeState.objects.filter(
            student__in=members, concept__course__in=courses, concept__archived=False
        ).values_list("student_id", "concept_id", "mastery")
    }
    activity = {
        row["student_id"]: row
        for row in Attempt.objects.filter(student__in=members, exercise__course__in=courses)
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
    for pk, first, last, username in students:
        a = activity.get(pk, {})
        graded = a.get("graded", 0)
        rows.append(
            HeatmapRow(
                student_id=pk,
                name=student_name(first, last, username),
                n_attempts=a.get("n", 0),
                accuracy=(a["credit"] or 0.0) / graded if graded else None,
                last_active=a.get("last"),
                pending=a.get("pending", 0),
                mastery=tuple(mastery.get((pk, c)) for c in concept_ids),
            )
        )
    return ClassroomHeatmap(
        pk=room.pk,
        name=room.name,
        owner_id=room.teacher_id,
        join_code=room.join_code,
        courses=tuple(c.title for c in courses),
        concepts=tuple(ConceptColumn(c.pk, c.name, titles.get(c.course_id, "")) for c in concepts),
        rows=tuple(rows),
    )
