"""One student of a classroom: mastery, trajectories, recent answers, time on task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from content import api as content_api
from content import selectors as content_selectors
from students.dashboards.common import DashboardSettings, classroom_for_teacher, response_text, student_name
from students.models import Attempt, KnowledgeHistory, KnowledgeState, User


# --- one student's page ------------------------------------------------------------------------
@dataclass(frozen=True)
class ConceptState:
    concept_id: int
    name: str
    mastery: float | None
    mastered: bool
    n_attempts: int
    last_practiced_at: datetime | None


@dataclass(frozen=True)
class AttemptLine:
    attempt_id: int
    created_at: datetime
    exercise_title: str
    kind: str
    answer: str
    status: str
    score: float | None
    correct: bool | None
    label: str
    grade_source: str
    hints_used: int
    seconds: float | None
    context: str


@dataclass(frozen=True)
class StudentPage:
    classroom_id: int
    classroom_name: str
    student_id: int
    name: str
    username: str
    concept_id: int | None  # the concept the page is narrowed to, if any
    concept_name: str
    concepts: tuple[ConceptState, ...]
    trajectories: dict[str, dict[str, list]]  # concept name -> {"x": times, "y": mastery}
    attempts: tuple[AttemptLine, ...]
    n_attempts: int
    seconds_total: float
    seconds_by_day: tuple[tuple[str, float], ...]  # (ISO date, seconds), oldest first


def student_page(
    user: User,
    classroom_id: int,
    student_id: int,
    *,
    concept_id: int | None = None,
    now: datetime | None = None,
) -> StudentPage | None:
    """One student of one of the user's classrooms: mastery per concept, trajectories,
    recent answers with grades, time on task. None when either is not theirs to see, or
    when ``concept_id`` is not a live concept of the classroom's courses."""
    cfg = DashboardSettings.current()
    room = classroom_for_teacher(user, classroom_id)
    if room is None:
        return None
    student = room.students.filter(pk=student_id).first()
    if student is None:
        return None
    courses = list(room.courses.all())
    concepts = content_selectors.live_concepts(courses)
    names = {c.pk: c.name for c in concepts}
    if concept_id is not None and concept_id not in names:
        return None
    thresholds = {c.pk: content_api.course_settings_for(c).mastery_threshold for c in courses}
    states = {
        s[0]: s
        for s in KnowledgeState.objects.filter(
            student=student, concept__course__in=courses, concept__archived=False
        ).values_list("concept_id", "mastery", "mastered_at", "n_attempts", "last_practiced_at")
    }
    rows = []
    for c in concepts:
        s = states.get(c.pk)
        rows.append(
            ConceptState(
                concept_id=c.pk,
                name=c.name,
                mastery=s[1] if s else None,
                mastered=bool(s and s[2] is not None and s[1] >= thresholds[c.course_id]),
                n_attempts=s[3] if s else 0,
                last_practiced_at=s[4] if s else None,
            )
        )
    history = KnowledgeHistory.objects.filter(
        student=student, concept__course__in=courses, concept__archived=False
    ).order_by("created_at", "id")
    attempts = Attempt.objects.filter(student=student, exercise__course__in=courses)
    if concept_id is not None:
        history = history.filter(concept_id=concept_id)
        attempts = attempts.filter(exercise__concepts=concept_id)
    trajectories: dict[str, dict[str, list]] = {}
    for cid, at, before, after in history.values_list(
        "concept_id", "created_at", "mastery_before", "mastery"
    ):
        line = trajectories.get(names[cid])
        if line is None:  # each line starts where the concept stood before its first answer
            line = trajectories[names[cid]] = {"x": [at.isoformat()], "y": [round(before, 4)]}
        line["x"].append(at.isoformat())
        line["y"].append(round(after, 4))
    recent = [
        AttemptLine(
            attempt_id=pk,
            created_at=created,
            exercise_title=title or slug,
            kind=kind,
            answer=response_text(response),
            status=status,
            score=score,
            correct=correct,
            label=label,
            grade_source=source,
            hints_used=hints,
            seconds=seconds,
            context=context,
        )
        for pk, created, title, slug, kind, response, status, score, correct, label, source, hints, seconds, context in (
            attempts.order_by("-created_at", "-id").values_list(
                "pk",
                "created_at",
                "exercise__title",
                "exercise__slug",
                "exercise__kind",
                "response",
                "status",
                "score",
                "is_correct",
                "label",
                "grade_source",
                "hints_used",
                "response_seconds",
                "context",
            )[: cfg.recent_attempts]
        )
    ]
    # Time on task: the answers' own timers, each capped (a tab left open is not work).
    cap = cfg.max_seconds_per_answer
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day = today - timedelta(days=cfg.time_on_task_days - 1)
    by_day = {first_day + timedelta(days=i): 0.0 for i in range(cfg.time_on_task_days)}
    total, n = 0.0, 0
    for created, seconds in attempts.values_list("created_at", "response_seconds"):
        spent = min(seconds or 0.0, cap)
        total += spent
        n += 1
        day = timezone.localdate(created)
        if day in by_day:
            by_day[day] += spent
    return StudentPage(
        classroom_id=room.pk,
        classroom_name=room.name,
        student_id=student.pk,
        name=student_name(student.first_name, student.last_name, student.username),
        username=student.username,
        concept_id=concept_id,
        concept_name=names.get(concept_id, "") if concept_id else "",
        concepts=tuple(rows),
        trajectories=trajectories,
        attempts=tuple(recent),
        n_attempts=n,
        seconds_total=total,
        seconds_by_day=tuple((d.isoformat(), round(s, 1)) for d, s in sorted(by_day.items())),
    )
