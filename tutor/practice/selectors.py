"""Reads for the practice loop: the policy's inputs, built from the domain model's and the
student model's selectors, and the decision stored with the item on screen."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from content import api as content_api
from content import selectors as content_selectors
from students import api as students_api
from students import selectors as student_selectors
from tutor.pedagogy import (
    EARLIER_ITEMS,
    ConceptInfo,
    ConceptState,
    CourseGraph,
    Decision,
    ExerciseInfo,
    RecentItem,
    Reveal,
    StudentView,
    choose_next,
)
from tutor.practice.models import PracticeSession


def policy_settings(course) -> content_api.PolicySettings:
    return content_api.course_settings_for(course)


def course_graph(course) -> CourseGraph:
    """The course as the policy sees it: live concepts with their BKT parameters (fitted,
    else the defaults) and published exercises. The practice loop uses
    ``course_graph_cached``."""
    structure = content_selectors.course_structure(course)
    params = students_api.concept_params_for_course(course)
    fallback = students_api.default_params()
    infos = []
    for c in structure.concepts:
        p = params.get(c.id, fallback)
        infos.append(
            ConceptInfo(
                id=c.id,
                slug=c.slug,
                name=c.name,
                order=c.order,
                prerequisites=structure.prerequisites[c.id],
                p_guess=p.p_guess,
                p_slip=p.p_slip,
                p_learn=p.p_learn,
                p_init=p.p_init,
            )
        )
    exercises = [
        ExerciseInfo(
            id=e.id,
            concepts=e.concepts,
            difficulty=e.difficulty,
            expected_seconds=e.expected_seconds,
            has_worked_example=e.has_worked_example,
        )
        for e in structure.exercises
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


def course_graph_cached(course) -> CourseGraph:
    """``course_graph``, built once per version of the course's content in this process."""
    stamp = content_selectors.course_content_stamp(course.pk)
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


def _recent_items(student, session: PracticeSession, graph: CourseGraph) -> tuple[RecentItem, ...]:
    answers = student_selectors.answers_in_course(
        student, session.course_id, since=session.started_at, earlier=EARLIER_ITEMS
    )
    concepts: dict[int, tuple[int, ...]] = {}
    missing: set[int] = set()
    for a in answers:
        try:
            concepts[a.exercise_id] = graph.exercise(a.exercise_id).concepts
        except KeyError:  # an exercise unpublished since it was answered
            missing.add(a.exercise_id)
    if missing:
        links = content_selectors.exercise_concept_ids(missing)
        concepts.update({e: links.get(e, ()) for e in missing})
    return tuple(
        RecentItem(
            exercise_id=a.exercise_id,
            concepts=concepts[a.exercise_id],
            correct=None if a.pending else bool(a.score is not None and a.score >= 0.5),
            response_seconds=a.response_seconds,
            expected_seconds=a.expected_seconds,
            answered_at=a.answered_at,
        )
        for a in answers
    )


def student_view(
    student,
    session: PracticeSession,
    graph: CourseGraph,
    now: datetime,
    *,
    settings: content_api.PolicySettings | None = None,
    optional_practice: bool = False,
) -> StudentView:
    """What the policy may know of the student: knowledge states with their independent
    evidence, recent answers, the items whose answer they were shown (``optional_practice``:
    the student asked to practise on after mastering the course)."""
    settings = settings or policy_settings(session.course)
    evidence = student_selectors.evidence_for_course(student, session.course_id)
    states = {}
    for k in student_selectors.knowledge_for_course(student, session.course_id).values():
        if k.concept_id not in graph:
            continue
        own = evidence.get(k.concept_id)
        states[k.concept_id] = ConceptState(
            mastery=k.mastery,
            n_attempts=k.n_attempts,
            error_streak=k.error_streak,
            first_practiced_at=k.first_practiced_at,
            last_practiced_at=k.last_practiced_at,
            review_due_at=k.review_due_at,
            mastered=k.mastered,
            independent_correct=own.independent_correct if own else 0,
            credited=frozenset(own.credited) if own else frozenset(),
        )
    revealed = {
        r.exercise_id: Reveal(revealed_at=r.revealed_at, answers_since=r.answers_since)
        for r in student_selectors.reveals_in_course(
            student, session.course_id, items=settings.reveal_hold_items
        )
    }
    return StudentView(
        states=states,
        prior_mastery={c.id: c.p_init for c in graph.concepts},
        recent=_recent_items(student, session, graph),
        session_started_at=session.started_at,
        now=now,
        revealed=revealed,
        optional_practice=optional_practice,
    )


def predictor(student, graph: CourseGraph, mastery: Mapping[int, float]) -> Callable[[int], float]:
    """P(correct) of this student on an exercise of the graph, by the student model's one
    prediction (``students.api.predict_answer``), as ``knowledge_apply`` will predict it.
    ``mastery`` is the student's P(L) per practised concept (the student view's); the
    concepts' BKT parameters come with the graph, and item difficulties are read on demand,
    those of every exercise of the item's concepts at once: the policy only asks about the
    items of the few concepts it considers, out of the course's thousands."""
    ability = student_selectors.ability_of(student)
    items: dict[int, students_api.ItemState] = {}
    loaded: set[int] = set()  # concepts whose exercises' difficulties are in ``items``

    def load_items(concepts: tuple[int, ...]) -> None:
        wanted = [c for c in concepts if c not in loaded]
        items.update(student_selectors.item_states({e.id for c in wanted for e in graph.exercises_for(c)}))
        loaded.update(wanted)

    def item_state(exercise_id: int) -> students_api.ItemState:
        concepts = graph.exercise(exercise_id).concepts
        if not loaded.issuperset(concepts):
            load_items(concepts)
        return items.get(exercise_id, students_api.ItemState())

    params: dict[int, students_api.BKTParams] = {}

    def predict(exercise_id: int) -> float:
        concepts = graph.exercise(exercise_id).concepts
        for c in concepts:
            if c not in params:
                info = graph.concept(c)
                params[c] = students_api.BKTParams(
                    p_init=info.p_init, p_learn=info.p_learn, p_guess=info.p_guess, p_slip=info.p_slip
                )
        return students_api.predict_answer(
            {c: mastery.get(c) for c in concepts}, params, item_state(exercise_id), ability
        ).p_correct

    return predict


def choose_next_for(
    session: PracticeSession, now: datetime | None = None, *, optional_practice: bool = False
) -> Decision:
    now = now or timezone.now()
    course = session.course
    graph = course_graph_cached(course)
    settings = policy_settings(course)
    view = student_view(
        session.student, session, graph, now, settings=settings, optional_practice=optional_practice
    )
    mastery = {cid: state.mastery for cid, state in view.states.items()}
    return choose_next(graph, view, settings, predictor(session.student, graph, mastery))


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
class MasteryBar:
    """A concept's mastery as the student's pages show it: how sure the tutor is, on how
    many answers, how many of them right on the student's own, and whether it is mastered.
    A concept never practised is *not started*, not its prior."""

    concept_id: int
    slug: str
    name: str
    mastery: float
    mastered: bool
    n_attempts: int
    independent_correct: int
    independent_needed: int
    review_due_at: datetime | None

    @property
    def started(self) -> bool:
        return self.n_attempts > 0

    @property
    def percent(self) -> int:
        return round(self.mastery * 100) if self.started else 0

    @property
    def summary(self) -> str:
        """In words: "not started", or how sure and on how many answers."""
        if not self.started:
            return "not started"
        answers = f"{self.n_attempts} answer{'s' if self.n_attempts != 1 else ''}"
        own = f"{self.independent_correct} right on your own"
        if self.mastered:
            return f"mastered: {self.percent}% sure, on {answers} ({own})"
        return f"{self.percent}% sure, on {answers} ({own}; mastery needs {self.independent_needed})"


def mastery_bars(student, concepts: list, course) -> list[MasteryBar]:
    """``students.selectors.concept_mastery`` with the independent evidence behind it."""
    needed = policy_settings(course).mastery_min_independent
    evidence = student_selectors.evidence_for_course(student, course.pk)
    out = []
    for m in student_selectors.concept_mastery(student, concepts, course):
        own = evidence.get(m.concept_id)
        out.append(
            MasteryBar(
                concept_id=m.concept_id,
                slug=m.slug,
                name=m.name,
                mastery=m.mastery,
                mastered=m.mastered,
                n_attempts=m.n_attempts,
                independent_correct=own.independent_correct if own else 0,
                independent_needed=needed,
                review_due_at=m.review_due_at,
            )
        )
    return out


def course_mastery_bars(student, course) -> list[MasteryBar]:
    return mastery_bars(student, content_selectors.live_concepts([course]), course)


def mastery_for_exercise(student, exercise) -> list[MasteryBar]:
    if exercise is None:
        return []
    return mastery_bars(student, list(exercise.concepts.all()), exercise.course)
