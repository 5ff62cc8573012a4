"""Reads for the practice loop: the policy's inputs from the database, and the student's
progress for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from content.models import Concept, Course, Exercise, Prerequisite, Status
from students.knowledge import concept_params, default_params
from students.kt.model import AbilityState, ItemState, predict_answer
from students.models import (
    Attempt,
    AttemptStatus,
    ItemParameters,
    KnowledgeHistory,
    KnowledgeState,
    StudentAbility,
    User,
)
from tutor.models import PracticeSession
from tutor.policy import (
    ConceptInfo,
    ConceptState,
    CourseGraph,
    Decision,
    ExerciseInfo,
    PolicySettings,
    RecentItem,
    StudentView,
    choose_next,
)

# Earlier answers (before this session) that the policy sees, for "not answered in the
# last few items" across sessions.
EARLIER_ITEMS = 10


def policy_settings(course: Course) -> PolicySettings:
    return PolicySettings.from_mapping(course.settings or {})


def course_graph(course: Course) -> CourseGraph:
    """The course as the policy sees it: live concepts with their BKT parameters and
    published exercises. Two queries plus one for the parameters."""
    concepts = list(Concept.objects.filter(course=course, archived=False).order_by("order", "id"))
    ids = {c.pk for c in concepts}
    prereqs: dict[int, list[int]] = {c.pk: [] for c in concepts}
    for concept_id, requires_id in Prerequisite.objects.filter(concept__in=ids, requires__in=ids).values_list(
        "concept_id", "requires_id"
    ):
        prereqs[concept_id].append(requires_id)
    params = concept_params(ids)
    fallback = default_params()
    infos = [
        ConceptInfo(
            id=c.pk,
            slug=c.slug,
            name=c.name,
            order=c.order,
            prerequisites=tuple(prereqs[c.pk]),
            p_guess=params.get(c.pk, fallback).p_guess,
            p_slip=params.get(c.pk, fallback).p_slip,
            p_learn=params.get(c.pk, fallback).p_learn,
            p_init=params.get(c.pk, fallback).p_init,
        )
        for c in concepts
    ]
    links: dict[int, list[int]] = {}
    for exercise_id, concept_id in Exercise.concepts.through.objects.filter(
        exercise__course=course, exercise__status=Status.PUBLISHED, concept__in=ids
    ).values_list("exercise_id", "concept_id"):
        links.setdefault(exercise_id, []).append(concept_id)
    exercises = [
        ExerciseInfo(
            id=e.pk,
            concepts=tuple(links[e.pk]),
            difficulty=e.difficulty,
            expected_seconds=float(e.expected_seconds),
            has_worked_example=bool(e.worked_example),
        )
        for e in Exercise.objects.filter(pk__in=links).only(
            "pk", "difficulty", "expected_seconds", "worked_example"
        )
    ]
    return CourseGraph(infos, exercises)


def _recent_items(student: User, session: PracticeSession) -> tuple[RecentItem, ...]:
    rows = list(
        Attempt.objects.filter(student=student, exercise__course_id=session.course_id)
        .filter(created_at__gte=session.started_at)
        .select_related("exercise")
        .prefetch_related("exercise__concepts")
        .order_by("created_at", "id")
    )
    earlier = list(
        Attempt.objects.filter(
            student=student, exercise__course_id=session.course_id, created_at__lt=session.started_at
        )
        .select_related("exercise")
        .prefetch_related("exercise__concepts")
        .order_by("-created_at", "-id")[:EARLIER_ITEMS]
    )
    return tuple(
        RecentItem(
            exercise_id=a.exercise_id,
            concepts=tuple(c.pk for c in a.exercise.concepts.all()),
            correct=None
            if a.status == AttemptStatus.PENDING
            else bool(a.score is not None and a.score >= 0.5),
            response_seconds=a.response_seconds,
            expected_seconds=float(a.exercise.expected_seconds),
            answered_at=a.created_at,
        )
        for a in list(reversed(earlier)) + rows
    )


def student_view(student: User, session: PracticeSession, graph: CourseGraph, now: datetime) -> StudentView:
    concept_ids = [c.id for c in graph.concepts]
    states = {
        s.concept_id: ConceptState(
            mastery=s.mastery,
            n_attempts=s.n_attempts,
            error_streak=s.error_streak,
            first_practiced_at=s.first_practiced_at,
            last_practiced_at=s.last_practiced_at,
            review_due_at=s.review_due_at,
            mastered=s.mastered_at is not None,
        )
        for s in KnowledgeState.objects.filter(student=student, concept_id__in=concept_ids)
    }
    return StudentView(
        states=states,
        prior_mastery={c.id: c.p_init for c in graph.concepts},
        recent=_recent_items(student, session),
        session_started_at=session.started_at,
        now=now,
    )


def predictor(student: User, course: Course, graph: CourseGraph):
    """P(correct) of this student on an exercise of the graph, with all state loaded once."""
    concept_ids = [c.id for c in graph.concepts]
    params = concept_params(concept_ids)
    mastery = dict(
        KnowledgeState.objects.filter(student=student, concept_id__in=concept_ids).values_list(
            "concept_id", "mastery"
        )
    )
    items = {
        exercise_id: ItemState(difficulty, n)
        for exercise_id, difficulty, n in ItemParameters.objects.filter(exercise__course=course).values_list(
            "exercise_id", "difficulty", "n_attempts"
        )
    }
    row = StudentAbility.objects.filter(student=student).first()
    ability = AbilityState(row.ability, row.n_attempts) if row else AbilityState()

    def predict(exercise_id: int) -> float:
        concepts = graph.exercise(exercise_id).concepts
        return predict_answer(
            {c: mastery.get(c) for c in concepts}, params, items.get(exercise_id, ItemState()), ability
        ).p_correct

    return predict


def choose_next_for(session: PracticeSession, now: datetime | None = None) -> Decision:
    now = now or timezone.now()
    course = session.course
    graph = course_graph(course)
    view = student_view(session.student, session, graph, now)
    return choose_next(graph, view, policy_settings(course), predictor(session.student, course, graph))


def decision_as_dict(decision: Decision) -> dict:
    return decision.as_dict()


def decision_from_dict(data: dict, exercise_id: int | None = None) -> Decision:
    """The stored decision of the item on screen; an item put there without one (by an
    older version, or a teacher's assignment) gets a plain reason instead of an error."""
    if not data.get("rule"):
        return Decision(
            exercise_id=exercise_id,
            concept_id=None,
            rule="assigned",
            reason={"rule": "assigned"},
            message="This exercise was set for you.",
        )
    return Decision.from_dict(data)


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


def mastery_for_exercise(student: User, exercise: Exercise | None) -> list[ConceptMastery]:
    if exercise is None:
        return []
    concepts = list(exercise.concepts.all())
    return _mastery(student, concepts, exercise.course)


def _mastery(student: User, concepts: list[Concept], course: Course) -> list[ConceptMastery]:
    params = concept_params(c.pk for c in concepts)
    fallback = default_params()
    states = {s.concept_id: s for s in KnowledgeState.objects.filter(student=student, concept__in=concepts)}
    threshold = policy_settings(course).mastery_threshold
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


def course_mastery(student: User, course: Course) -> list[ConceptMastery]:
    return _mastery(
        student, list(Concept.objects.filter(course=course, archived=False).order_by("order", "id")), course
    )


def mastery_history(student: User, course: Course) -> dict[str, dict[str, list]]:
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

    @property
    def pending(self) -> bool:
        return self.status == AttemptStatus.PENDING


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
    if exercise.kind == "numeric" and not attempt.is_correct:
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
        options=options if exercise.kind == "multiple_choice" else (),
        expected=expected,
        feedback=attempt.feedback,
        grade_source=attempt.get_grade_source_display() if attempt.grade_source else "",
        changes=changes,
        reason=attempt.reason,
    )
