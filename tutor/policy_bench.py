"""Benchmarks of next-item selection on a large random course.

    .venv/bin/python -m tutor.policy_bench

* ``bench_choose``: ``tutor.policy.choose_next`` alone, on plain dataclasses;
* ``bench_select_db``: the live path, ``tutor.selectors.choose_next_for``: the course graph
  (cached per course), the student's state and recent answers and the predictor read from
  the database, then the choice. It writes the course and its students inside a transaction
  that it rolls back, so the database is left as it was.

They print figures and assert nothing: the speed target (one choice in under 50 ms for a
course of 1,000 concepts and 20,000 exercises) is checked by reading them.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from tutor.policy import (
    ConceptInfo,
    ConceptState,
    CourseGraph,
    ExerciseInfo,
    PolicySettings,
    RecentItem,
    StudentView,
    choose_next,
)


def random_course(n_concepts: int, n_exercises: int, rng: random.Random) -> tuple[list, list]:
    """A random prerequisite DAG (up to 3 prerequisites among the 50 concepts before) and
    exercises spread over it, one in five on two neighbouring concepts."""
    concepts = []
    for i in range(n_concepts):
        window = list(range(max(0, i - 50), i))
        prerequisites = tuple(sorted(rng.sample(window, min(len(window), rng.randint(0, 3)))))
        concepts.append(
            ConceptInfo(
                id=i + 1,
                slug=f"concept-{i + 1}",
                name=f"Concept {i + 1}",
                order=i,
                prerequisites=tuple(p + 1 for p in prerequisites),
                p_guess=rng.uniform(0.1, 0.3),
                p_slip=rng.uniform(0.05, 0.15),
                p_learn=rng.uniform(0.1, 0.4),
            )
        )
    exercises = []
    for e in range(n_exercises):
        main = rng.randrange(n_concepts)
        linked = {main + 1}
        if rng.random() < 0.2 and main > 0:
            linked.add(rng.randrange(max(0, main - 5), main) + 1)
        exercises.append(
            ExerciseInfo(
                id=e + 1,
                concepts=tuple(sorted(linked)),
                difficulty=rng.random(),
                expected_seconds=rng.choice([30, 60, 90, 120]),
                has_worked_example=rng.random() < 0.5,
            )
        )
    return concepts, exercises


def random_student(
    graph: CourseGraph, rng: random.Random, now: datetime
) -> tuple[StudentView, dict[int, float]]:
    """A student part-way through the course: a mastered prefix of the curriculum, a
    frontier of concepts in progress, some reviews due, a session of recent answers."""
    n = len(graph.concepts)
    mastered_upto = rng.randrange(0, n)
    states: dict[int, ConceptState] = {}
    for rank, concept in enumerate(graph.concepts):
        if rank < mastered_upto:
            mastery = rng.uniform(0.95, 0.999)
            due = (
                now - timedelta(days=1) if rng.random() < 0.002 else now + timedelta(days=rng.randint(1, 30))
            )
        elif rank < mastered_upto + 10:
            mastery = rng.uniform(0.2, 0.94)
            due = None
        else:
            continue
        states[concept.id] = ConceptState(
            mastery=mastery,
            n_attempts=rng.randint(1, 20),
            error_streak=rng.choice([0, 0, 0, 1, 2, 3]),
            first_practiced_at=now - timedelta(minutes=rng.randint(1, 10_000)),
            last_practiced_at=now - timedelta(minutes=rng.randint(1, 100)),
            review_due_at=due,
            mastered=mastery >= 0.95,
        )
    mastery_of = {c.id: (states[c.id].mastery if c.id in states else 0.2) for c in graph.concepts}
    practised = [c.id for c in graph.concepts if c.id in states] or [graph.concepts[0].id]
    recent = []
    for k in range(30):
        concept = rng.choice(practised[-12:])
        exercise = rng.choice(graph.exercises_for(concept) or graph.exercises_for(graph.concepts[0].id))
        recent.append(
            RecentItem(
                exercise_id=exercise.id,
                concepts=exercise.concepts,
                correct=rng.random() < 0.7,
                response_seconds=exercise.expected_seconds * rng.uniform(0.2, 2.5),
                expected_seconds=exercise.expected_seconds,
                answered_at=now - timedelta(minutes=30 - k),
            )
        )
    view = StudentView(
        states=states,
        prior_mastery={c.id: 0.2 for c in graph.concepts},
        recent=tuple(recent),
        session_started_at=now - timedelta(minutes=32),
        now=now,
    )
    return view, mastery_of


def bench_choose(n_concepts: int = 1000, n_exercises: int = 20000, seed: int = 0, calls: int = 200) -> dict:
    """Time ``choose_next`` over ``calls`` random students (milliseconds)."""
    rng = random.Random(seed)
    concepts, exercises = random_course(n_concepts, n_exercises, rng)
    started = time.perf_counter()
    graph = CourseGraph(concepts, exercises)
    build_ms = (time.perf_counter() - started) * 1000
    settings = PolicySettings()
    now = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    timings = []
    rules: dict[str, int] = {}
    predictions = 0
    for _ in range(calls):
        student, mastery_of = random_student(graph, rng, now)

        def predict(exercise_id: int, mastery_of: dict[int, float] = mastery_of) -> float:
            # BKT success of every concept, shifted by the item's difficulty on the logit scale.
            nonlocal predictions
            predictions += 1
            exercise = graph.exercise(exercise_id)
            p = 1.0
            for cid in exercise.concepts:
                concept = graph.concept(cid)
                m = mastery_of[cid]
                p *= m * (1 - concept.p_slip) + (1 - m) * concept.p_guess
            p = min(max(p, 1e-6), 1 - 1e-6)
            return 1 / (1 + math.exp(-(math.log(p / (1 - p)) - (exercise.difficulty - 0.5))))

        t = time.perf_counter()
        decision = choose_next(graph, student, settings, predict)
        timings.append((time.perf_counter() - t) * 1000)
        rules[decision.rule] = rules.get(decision.rule, 0) + 1
    timings.sort()
    return {
        "n_concepts": n_concepts,
        "n_exercises": n_exercises,
        "calls": calls,
        "build_ms": round(build_ms, 1),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)], 3),
        "max_ms": round(timings[-1], 3),
        "predict_calls_per_choice": round(predictions / calls, 1),
        "rules": dict(sorted(rules.items())),
    }


class _Rollback(Exception):
    """Raised to roll back the benchmark's writes."""


def _percentiles(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)], 3),
        "max_ms": round(timings[-1], 3),
    }


def bench_select_db(
    n_concepts: int = 1000, n_exercises: int = 20000, seed: int = 0, calls: int = 100, students: int = 10
) -> dict:
    """Time ``tutor.selectors.choose_next_for`` (milliseconds): a course of ``n_concepts`` and
    ``n_exercises`` (with fitted concept and item parameters) and ``students`` students part-way
    through it (``random_student``'s states, a session of 30 answers) are written to the
    database; the first selection builds and caches the course graph (``cold_ms``), then
    ``calls`` selections round the students are timed. Everything is rolled back."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from content.models import Concept, Course, Exercise, ExerciseKind, Prerequisite, Status
    from students.models import Attempt, ConceptParameters, ItemParameters, KnowledgeState
    from tutor import selectors
    from tutor.models import PracticeSession

    rng = random.Random(seed)
    concepts, exercises = random_course(n_concepts, n_exercises, rng)
    out: dict = {"n_concepts": n_concepts, "n_exercises": n_exercises, "calls": calls, "students": students}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            course = Course.objects.create(
                slug=f"bench-{seed}-{rng.getrandbits(32):08x}", title="Bench", status=Status.PUBLISHED
            )
            rows = Concept.objects.bulk_create(
                [Concept(course=course, slug=c.slug, name=c.name, order=c.order) for c in concepts]
            )
            pk = {c.id: row.pk for c, row in zip(concepts, rows, strict=True)}
            Prerequisite.objects.bulk_create(
                [
                    Prerequisite(concept_id=pk[c.id], requires_id=pk[p])
                    for c in concepts
                    for p in c.prerequisites
                ],
                batch_size=2000,
            )
            ConceptParameters.objects.bulk_create(
                [
                    ConceptParameters(
                        concept_id=pk[c.id], p_init=0.2, p_learn=c.p_learn, p_guess=c.p_guess, p_slip=c.p_slip
                    )
                    for c in concepts
                ],
                batch_size=2000,
            )
            rows = Exercise.objects.bulk_create(
                [
                    Exercise(
                        course=course,
                        slug=f"e{e.id}",
                        kind=ExerciseKind.MULTIPLE_CHOICE,
                        prompt="?",
                        difficulty=e.difficulty,
                        expected_seconds=int(e.expected_seconds),
                        status=Status.PUBLISHED,
                        worked_example="Step by step." if e.has_worked_example else "",
                    )
                    for e in exercises
                ],
                batch_size=2000,
            )
            epk = {e.id: row.pk for e, row in zip(exercises, rows, strict=True)}
            link = Exercise.concepts.through
            link.objects.bulk_create(
                [link(exercise_id=epk[e.id], concept_id=pk[c]) for e in exercises for c in e.concepts],
                batch_size=2000,
            )
            ItemParameters.objects.bulk_create(
                [
                    ItemParameters(exercise_id=epk[e.id], difficulty=rng.gauss(0, 0.5), n_attempts=20)
                    for e in exercises
                ],
                batch_size=2000,
            )
            graph = selectors.course_graph(course)  # the database ids, for the students below
            by_rank = {c.order: c.id for c in graph.concepts}
            sessions = []
            now = timezone.now()
            user_model = get_user_model()
            plain = CourseGraph(concepts, exercises)
            for k in range(students):
                student = user_model.objects.create(username=f"bench-student-{course.pk}-{k}")
                view, _ = random_student(plain, rng, now)
                KnowledgeState.objects.bulk_create(
                    [
                        KnowledgeState(
                            student=student,
                            concept_id=by_rank[cid - 1],
                            mastery=s.mastery,
                            n_attempts=s.n_attempts,
                            error_streak=s.error_streak,
                            first_practiced_at=s.first_practiced_at,
                            last_practiced_at=s.last_practiced_at,
                            mastered_at=s.last_practiced_at if s.mastered else None,
                            review_due_at=s.review_due_at,
                        )
                        for cid, s in view.states.items()
                    ],
                    batch_size=2000,
                )
                session = PracticeSession.objects.create(student=student, course=course)
                PracticeSession.objects.filter(pk=session.pk).update(started_at=now - timedelta(minutes=32))
                Attempt.objects.bulk_create(
                    [
                        Attempt(
                            student=student,
                            exercise_id=epk[r.exercise_id],
                            session=session,
                            response={},
                            is_correct=r.correct,
                            score=1.0 if r.correct else 0.0,
                            response_seconds=r.response_seconds,
                            knowledge_updated=True,
                        )
                        for r in view.recent
                    ]
                )
                sessions.append(
                    PracticeSession.objects.select_related("course", "student").get(pk=session.pk)
                )
            out["setup_s"] = round(time.perf_counter() - started, 1)

            selectors.course_graph_cache_clear()
            t = time.perf_counter()
            selectors.choose_next_for(sessions[0])
            out["cold_ms"] = round((time.perf_counter() - t) * 1000, 1)
            timings = []
            rules: dict[str, int] = {}
            for k in range(calls):
                session = sessions[k % len(sessions)]
                t = time.perf_counter()
                decision = selectors.choose_next_for(session)
                timings.append((time.perf_counter() - t) * 1000)
                rules[decision.rule] = rules.get(decision.rule, 0) + 1
            out.update(_percentiles(timings))
            out["rules"] = dict(sorted(rules.items()))
            raise _Rollback
    except _Rollback:
        pass
    finally:
        selectors.course_graph_cache_clear()
    return out


if __name__ == "__main__":
    print(bench_choose())
