"""Reads for the practice loop: the policy's inputs from the database, and the student's
progress for the pages."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from content.models import Concept, Course, Exercise, Prerequisite, Status
from students.knowledge import concept_params, concept_params_for_course, default_params
from students.kt.bkt import BKTParams
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
    published exercises, built from the database in five queries of plain rows, each
    filtered by course (never by a list of ids: a large course has more ids than one query
    may have parameters). The practice loop uses ``course_graph_cached``."""
    concepts = list(
        Concept.objects.filter(course=course, archived=False)
        .order_by("order", "id")
        .values_list("pk", "slug", "name", "order")
    )
    prereqs: dict[int, list[int]] = {pk: [] for pk, *_ in concepts}
    for concept_id, requires_id in (
        Prerequisite.objects.filter(concept__course=course, concept__archived=False, requires__archived=False)
        .order_by("concept_id", "requires_id")
        .values_list("concept_id", "requires_id")
    ):
        if requires_id in prereqs:  # a prerequisite in another course is not part of this graph
            prereqs[concept_id].append(requires_id)
    params = concept_params_for_course(course)
    fallback = default_params()
    infos = []
    for pk, slug, name, order in concepts:
        p = params.get(pk, fallback)
        infos.append(
            ConceptInfo(
                id=pk,
                slug=slug,
                name=name,
                order=order,
                prerequisites=tuple(prereqs[pk]),
                p_guess=p.p_guess,
                p_slip=p.p_slip,
                p_learn=p.p_learn,
                p_init=p.p_init,
            )
        )
    links: dict[int, list[int]] = {}
    for exercise_id, concept_id in (
        Exercise.concepts.through.objects.filter(
            exercise__course=course,
            exercise__status=Status.PUBLISHED,
            concept__course=course,
            concept__archived=False,
        )
        .order_by("exercise_id", "concept_id")
        .values_list("exercise_id", "concept_id")
    ):
        links.setdefault(exercise_id, []).append(concept_id)
    exercises = [
        ExerciseInfo(
            id=pk,
            concepts=tuple(links[pk]),
            difficulty=difficulty,
            expected_seconds=float(expected_seconds),
            has_worked_example=has_worked_example,
        )
        for pk, difficulty, expected_seconds, has_worked_example in Exercise.objects.filter(
            course=course, status=Status.PUBLISHED
        )
        .annotate(has_worked_example=ExpressionWrapper(~Q(worked_example=""), output_field=BooleanField()))
        .values_list("pk", "difficulty", "expected_seconds", "has_worked_example")
        if pk in links
    ]
    return CourseGraph(infos, exercises)


# --- the course graph, cached per process --------------------------------------------------
# Building the graph of a large course (1,000 concepts, 20,000 exercises) reads every concept,
# link and exercise and takes seconds: far too slow for every next-item request. Each process
# keeps the graphs of its most recently used courses, keyed on the course's content stamp,
# (version, updated_at), read afresh on every request (one small query). Every write to what
# the graph holds (a course import or publish, an admin edit of a concept, a prerequisite, an
# exercise or its concept links, fitted BKT parameters) bumps ``updated_at`` in the same
# transaction (``content.services.course_content_changed``), so the next selection after it
# rebuilds the graph. The cache lives in the process, not in Django's cache: unpickling a graph
# of that size would cost about as much as the queries it saves.
GRAPH_CACHE_COURSES = 8
_graphs: OrderedDict[int, tuple[tuple, CourseGraph]] = OrderedDict()
_graphs_lock = threading.Lock()


def course_graph_cached(course: Course) -> CourseGraph:
    """``course_graph``, built once per version of the course's content in this process."""
    stamp = tuple(Course.objects.filter(pk=course.pk).values_list("version", "updated_at").first() or ())
    with _graphs_lock:
        cached = _graphs.get(course.pk)
        if cached is not None and cached[0] == stamp:
            _graphs.move_to_end(course.pk)
            return cached[1]
    # Built outside the lock: a slow build of one course does not hold up the others. Should
    # the content change while it is read, the graph is kept under the stamp read before it,
    # and the next request, which reads the new stamp, builds it again.
    graph = course_graph(course)
    with _graphs_lock:
        _graphs[course.pk] = (stamp, graph)
        _graphs.move_to_end(course.pk)
        while len(_graphs) > GRAPH_CACHE_COURSES:
            _graphs.popitem(last=False)
    return graph


def course_graph_cache_clear() -> None:
    """Forget every cached graph of this process (tests, benchmarks)."""
    with _graphs_lock:
        _graphs.clear()


_ATTEMPT_FIELDS = (
    "exercise_id",
    "status",
    "score",
    "response_seconds",
    "exercise__expected_seconds",
    "created_at",
)


def _recent_items(student: User, session: PracticeSession, graph: CourseGraph) -> tuple[RecentItem, ...]:
    """This session's answers and the ``EARLIER_ITEMS`` before it, oldest first. Plain rows,
    and the concepts of each exercise from the graph (from the database only for an exercise
    no longer in it, e.g. unpublished since)."""
    attempts = Attempt.objects.filter(student=student, exercise__course_id=session.course_id)
    rows = list(
        attempts.filter(created_at__gte=session.started_at)
        .order_by("created_at", "id")
        .values_list(*_ATTEMPT_FIELDS)
    )
    earlier = list(
        attempts.filter(created_at__lt=session.started_at)
        .order_by("-created_at", "-id")
        .values_list(*_ATTEMPT_FIELDS)[:EARLIER_ITEMS]
    )
    rows = list(reversed(earlier)) + rows
    concepts: dict[int, tuple[int, ...]] = {}
    missing: set[int] = set()
    for exercise_id, *_ in rows:
        try:
            concepts[exercise_id] = graph.exercise(exercise_id).concepts
        except KeyError:
            missing.add(exercise_id)
    if missing:
        links: dict[int, list[int]] = {}
        for exercise_id, concept_id in Exercise.concepts.through.objects.filter(
            exercise_id__in=missing
        ).values_list("exercise_id", "concept_id"):
            links.setdefault(exercise_id, []).append(concept_id)
        concepts.update({e: tuple(sorted(links.get(e, ()))) for e in missing})
    return tuple(
        RecentItem(
            exercise_id=exercise_id,
            concepts=concepts[exercise_id],
            correct=None if status == AttemptStatus.PENDING else bool(score is not None and score >= 0.5),
            response_seconds=response_seconds,
            expected_seconds=float(expected_seconds),
            answered_at=created_at,
        )
        for exercise_id, status, score, response_seconds, expected_seconds, created_at in rows
    )


def student_view(student: User, session: PracticeSession, graph: CourseGraph, now: datetime) -> StudentView:
    """What the policy may know of the student: knowledge states, recent answers."""
    states = {
        concept_id: ConceptState(
            mastery=mastery,
            n_attempts=n_attempts,
            error_streak=error_streak,
            first_practiced_at=first_practiced_at,
            last_practiced_at=last_practiced_at,
            review_due_at=review_due_at,
            mastered=mastered_at is not None,
        )
        # by course, not by a list of the graph's ids: a course may have more concepts than a
        # query may have parameters
        for (
            concept_id,
            mastery,
            n_attempts,
            error_streak,
            first_practiced_at,
            last_practiced_at,
            review_due_at,
            mastered_at,
        ) in KnowledgeState.objects.filter(student=student, concept__course_id=session.course_id).values_list(
            "concept_id",
            "mastery",
            "n_attempts",
            "error_streak",
            "first_practiced_at",
            "last_practiced_at",
            "review_due_at",
            "mastered_at",
        )
        if concept_id in graph
    }
    return StudentView(
        states=states,
        prior_mastery={c.id: c.p_init for c in graph.concepts},
        recent=_recent_items(student, session, graph),
        session_started_at=session.started_at,
        now=now,
    )


def predictor(student: User, graph: CourseGraph, mastery: Mapping[int, float]):
    """P(correct) of this student on an exercise of the graph, as ``knowledge_apply`` will
    predict it. ``mastery`` is the student's P(L) per practised concept (the student view's);
    the concepts' BKT parameters come with the graph (fitted, else the defaults), and item
    difficulties are read on demand, those of every exercise of the item's concepts at once:
    the policy only asks about the items of the few concepts it considers, out of the
    course's thousands."""
    params: dict[int, BKTParams] = {}
    items: dict[int, ItemState] = {}
    loaded: set[int] = set()  # concepts whose exercises' difficulties are in ``items``
    row = StudentAbility.objects.filter(student=student).first()
    ability = AbilityState(row.ability, row.n_attempts) if row else AbilityState()

    def load_items(concepts: tuple[int, ...]) -> None:
        wanted = [c for c in concepts if c not in loaded]
        ids = {e.id for c in wanted for e in graph.exercises_for(c)}
        for exercise_id, difficulty, n in ItemParameters.objects.filter(exercise_id__in=ids).values_list(
            "exercise_id", "difficulty", "n_attempts"
        ):
            items[exercise_id] = ItemState(difficulty, n)
        loaded.update(wanted)

    def predict(exercise_id: int) -> float:
        concepts = graph.exercise(exercise_id).concepts
        if not loaded.issuperset(concepts):
            load_items(concepts)
        for c in concepts:
            if c not in params:
                info = graph.concept(c)
                params[c] = BKTParams(
                    p_init=info.p_init, p_learn=info.p_learn, p_guess=info.p_guess, p_slip=info.p_slip
                )
        return predict_answer(
            {c: mastery.get(c) for c in concepts}, params, items.get(exercise_id, ItemState()), ability
        ).p_correct

    return predict


def choose_next_for(session: PracticeSession, now: datetime | None = None) -> Decision:
    now = now or timezone.now()
    course = session.course
    graph = course_graph_cached(course)
    view = student_view(session.student, session, graph, now)
    mastery = {cid: state.mastery for cid, state in view.states.items()}
    return choose_next(graph, view, policy_settings(course), predictor(session.student, graph, mastery))


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
    label: str = ""  # the grader's (or teacher's) 5-way label of a free-text answer

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
        label=attempt.label or "",
    )
